// The packaged desktop app: electron-builder lays it out for real (`--dir`, Linux x64) with a
// STAND-IN ELECTRON DIST (the Electron binary cannot be downloaded here: electron-builder
// copies whatever folder `electronDist` names), then the packaged main.js runs under the
// FAKE ELECTRON module (test/support/fake-electron) as Electron would run it: from
// resources/app.asar (extracted, with app.asar.unpacked laid over it, as Electron's fs
// shows it), isPackaged, process.resourcesPath. What it finds there is what users get.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchMain } from '../support/fake-electron/app.js';
import { tempDir, waitFor } from '../support/tmp.js';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(p: string, o: object): string[]; extractAll(p: string, dest: string): void };
const electronVersion = (require('electron/package.json') as { version: string }).version;

const t = tempDir('vigil-package-');
let resources = '';
let listing: string[] = [];

beforeAll(() => {
  const dist = join(t.dir, 'electron-dist');
  mkdirSync(join(dist, 'resources'), { recursive: true });
  writeFileSync(join(dist, 'electron'), '#!/bin/sh\necho stand-in electron\n');
  chmodSync(join(dist, 'electron'), 0o755);
  for (const f of ['LICENSE', 'LICENSES.chromium.html']) writeFileSync(join(dist, f), '');
  writeFileSync(join(dist, 'version'), electronVersion);
  execFileSync(
    process.execPath,
    [require.resolve('electron-builder/cli.js'), '--dir', '--linux', '--x64', '--config', 'electron-builder.yml', `-c.electronDist=${dist}`, `-c.electronVersion=${electronVersion}`, `-c.directories.output=${join(t.dir, 'out')}`],
    { stdio: 'pipe', env: { ...process.env, ELECTRON_BUILDER_CACHE: join(t.dir, 'cache') } },
  );
  resources = join(t.dir, 'out', 'linux-unpacked', 'resources');
  listing = asar.listPackage(join(resources, 'app.asar'), { isPack: false }).map((p) => p.replaceAll('\\', '/'));
}, 120_000);
afterAll(() => t.cleanup());

describe('the packaged app (electron-builder --dir with a stand-in Electron dist: binary unavailable here)', () => {
  it('holds the built app, its runtime dependencies and no development ones', () => {
    for (const f of ['/dist/electron/main.js', '/dist/electron/preload.cjs', '/dist/renderer/index.html', '/package.json']) expect(listing).toContain(f);
    const pkg = require('../../package.json') as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    for (const d of Object.keys(pkg.dependencies)) expect(listing, d).toContain(`/node_modules/${d}/package.json`);
    for (const d of ['vitest', '@playwright/test', 'electron', 'electron-builder', 'typescript', 'vite']) expect(listing, d).not.toContain(`/node_modules/${d}/package.json`);
    expect(listing.some((p) => p.startsWith('/dist/bench/') || p.endsWith('.map'))).toBe(false);
  });

  it("better-sqlite3 outside the archive, this platform's binary only, without its C sources", () => {
    const unpacked = join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3');
    expect(readdirSync(join(unpacked, 'prebuilds'))).toEqual(['linux-x64.node']);
    expect(existsSync(join(unpacked, 'deps'))).toBe(false);
    expect(existsSync(join(unpacked, 'src'))).toBe(false);
    expect(existsSync(join(unpacked, 'lib', 'database.js'))).toBe(true);
  });

  it('the packaged main process starts from it: built-in formats, icons and tray images found, the store and SQL work', async () => {
    // What Electron's fs shows: the archive's files, with the unpacked ones in place.
    const sim = join(t.dir, 'sim', 'resources');
    mkdirSync(sim, { recursive: true });
    for (const d of ['formats', 'icons', 'tray']) cpSync(join(resources, d), join(sim, d), { recursive: true });
    asar.extractAll(join(resources, 'app.asar'), join(sim, 'app.asar'));
    cpSync(join(resources, 'app.asar.unpacked'), join(sim, 'app.asar'), { recursive: true });
    cpSync(join(resources, 'app.asar.unpacked'), join(sim, 'app.asar.unpacked'), { recursive: true });
    const data = join(t.dir, 'data');
    mkdirSync(data);
    const app = launchMain(join(sim, 'app.asar', 'dist', 'electron', 'main.js'), { FAKE_ELECTRON_USER_DATA: data, FAKE_ELECTRON_RESOURCES: sim });
    try {
      const state = await waitFor(async () => {
        const s = await app.state();
        return s.windows[0]?.visible ? s : null;
      }, { what: 'the window', timeoutMs: 20_000 });
      const tray = state!.trays[0]!.image!;
      expect(existsSync(tray)).toBe(true);
      expect(tray.startsWith(join(sim, 'tray'))).toBe(true);
      const formats = await app.call('formats.list');
      expect(formats).toMatchObject({ ok: true });
      expect(((formats as { res: unknown[] }).res).length).toBeGreaterThan(60);
      // The SQL box runs in a child process that loads the driver from app.asar.unpacked.
      expect(await app.call('query.run', { sql: 'select count(*) n from sources' })).toMatchObject({ ok: true });
      await app.ask('quit');
      expect(await app.exited).toBe(0);
    } finally {
      app.kill();
    }
  });
});
