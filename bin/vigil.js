#!/usr/bin/env node
// Runs the built CLI (npm install builds it through the "prepare" script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/cli/vigil.js', import.meta.url));
if (!existsSync(built)) {
  console.error('vigil: not built yet; run `npm run build` in the Vigil folder first');
  process.exit(1);
}
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`vigil: Node ${process.versions.node} is too old; Vigil needs Node 22.12 or newer`);
  process.exit(1);
}
await import(built);
