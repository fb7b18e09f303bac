import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
// electron-builder's own validator, with the JSON schema shipped in its package.
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, logger: { isEnabled: boolean; add(): void }): Promise<void>;
};
const logger = { isEnabled: false, add() {} };

function load(): Record<string, unknown> {
  return YAML.parse(readFileSync(join(repo, 'electron-builder.yml'), 'utf8'));
}

describe('electron-builder.yml (packaging cannot run here, so its config is validated)', () => {
  it('passes electron-builder validation against its shipped scheme.json', async () => {
    await expect(validateConfiguration(load(), logger)).resolves.toBeUndefined();
  });

  it('the validator does reject a broken config (the check can fail)', async () => {
    await expect(validateConfiguration({ ...load(), linux: { target: 'AppImage', nonsense: true } }, logger)).rejects.toThrow(/configuration.linux/);
  });

  it('targets AppImage + deb, dmg and nsis, and keeps better-sqlite3 outside the asar', () => {
    const c = load() as { linux: { target: string[] }; mac: { target: string[] }; win: { target: string[] }; asarUnpack: string[] };
    expect(c.linux.target).toEqual(['AppImage', 'deb']);
    expect(c.mac.target).toEqual(['dmg']);
    expect(c.win.target).toEqual(['nsis']);
    expect(c.asarUnpack.join()).toContain('better-sqlite3');
  });

  it("Windows toasts: the app's AppUserModelId is the installer's appId", () => {
    const main = readFileSync(join(repo, 'electron', 'main', 'main.ts'), 'utf8');
    expect(main).toContain(`app.setAppUserModelId('${(load() as { appId: string }).appId}')`);
  });

  it("the .deb keeps electron-builder's own dependency list (GTK, NSS, libnotify, libsecret, xdg-utils): a `depends` of ours replaces it, not adds to it", () => {
    const c = load() as { deb?: { depends?: string[] } };
    expect(c.deb?.depends).toBeUndefined();
  });

  it('package.json points main at the built Electron entry and lists every install script', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
    expect(pkg.main).toBe('dist/electron/main.js');
    expect(pkg.engines.node).toBe('>=22.12');
    expect(pkg.allowScripts.electron).toBe(false);
    expect(pkg.bin.vigil).toBe('bin/vigil.js');
    for (const s of ['start', 'serve', 'test', 'bench', 'dist']) expect(pkg.scripts[s]).toBeTruthy();
  });
});
