#!/usr/bin/env bash
# `npm test`: typecheck both TypeScript projects, the layering check, build, then unit,
# integration and end-to-end tests. Prints one summary line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p reports
status=0
step() { echo; echo "== $*"; }

step "typecheck (node side, web side)"
npx tsc -p tsconfig.node.json --noEmit && npx tsc -p tsconfig.web.json --noEmit || status=1
step "layering"
node scripts/check-layering.ts || status=1
step "build"
node scripts/build.mjs || status=1
step "unit + integration (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json=reports/vitest.json || status=1
step "end to end (playwright, chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME=reports/playwright.json npx playwright test --reporter=list,json || status=1
echo
node scripts/test-summary.ts reports/vitest.json reports/playwright.json || status=1
exit $status
