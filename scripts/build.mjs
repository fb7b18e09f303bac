// Builds everything that runs: the CLI and the Electron main/preload with esbuild, the UI
// with Vite. Fast (a few seconds), so `npm start`, `npm test` and `prepare` all run it.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
const only = process.argv.slice(2);
const want = (part) => !only.length || only.includes(part);
const define = { 'process.env.VIGIL_VERSION': JSON.stringify(pkg.version) };

const node = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  sourcemap: true,
  // Dependencies stay in node_modules (native better-sqlite3, ESM-only chokidar, ...).
  packages: 'external',
  define,
  logLevel: 'warning',
};

const jobs = [];
if (want('cli')) jobs.push(build({ ...node, entryPoints: { 'cli/vigil': 'electron/cli/entry.ts' }, outdir: 'dist' }));
if (want('electron')) {
  jobs.push(build({ ...node, entryPoints: { 'electron/main': 'electron/main/main.ts' }, outdir: 'dist', external: ['electron'] }));
  // A sandboxed preload must be one CommonJS file that requires nothing but 'electron'.
  jobs.push(build({ ...node, packages: undefined, format: 'cjs', entryPoints: { 'electron/preload': 'electron/preload/preload.ts' }, outExtension: { '.js': '.cjs' }, outdir: 'dist', external: ['electron'] }));
}
if (want('bench') && existsSync(`${root}/test/bench/run.ts`)) {
  jobs.push(build({ ...node, entryPoints: { 'bench/run': 'test/bench/run.ts' }, outdir: 'dist' }));
}
if (want('ui')) {
  jobs.push(viteBuild({ configFile: `${root}/vite.config.ts`, logLevel: 'warn' }));
}
await Promise.all(jobs);
