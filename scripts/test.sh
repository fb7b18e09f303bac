#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs every test: the one command README gives and
# .ci/run runs. Idempotent: what is already there is not installed again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(chromium docker.io busybox-static lnav xvfb xauth imagemagick libnotify-bin dbus dbus-bin systemd-journal-remote)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node 22.12+ (better-sqlite3 13, chokidar 6 and Electron 45's tooling need it).
node_ok() { command -v node >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)'; }
if ! node_ok; then
  if [ ! -x .vigil-tools/node_modules/node/bin/node ]; then
    echo "test.sh: installing Node 22 into .vigil-tools"
    npm install --prefix .vigil-tools --no-save --no-audit --no-fund node@22 >/dev/null
  fi
  export PATH="$PWD/.vigil-tools/node_modules/node/bin:$PATH"
fi
echo "test.sh: node $(node -v), npm $(npm -v)"

# The Electron binary cannot be downloaded here and is not needed by the tests.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
npm ci --no-audit --no-fund
npm test
