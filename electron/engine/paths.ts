import { homedir } from 'node:os';
import { join } from 'node:path';

/** The same folder Electron's app.getPath('userData') gives for productName "Vigil", so the
 *  desktop app and `vigil serve` share their config and data by default. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.VIGIL_DATA_DIR) return env.VIGIL_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Vigil');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Vigil');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Vigil');
}

/**
 * `~` and `~/...` are the user's home: HOME on Unix, the profile folder on Windows (where
 * HOME is usually unset, and `~\\` is written too). A shell expands them before Vigil sees
 * them, but not in vigil.yml, inside quotes, nor in a systemd unit.
 */
export function expandHome(p: string): string {
  if (p === '~' || p.startsWith('~/') || (process.platform === 'win32' && p.startsWith('~\\'))) return homedir() + p.slice(1);
  return p;
}

export function dataPaths(dataDir: string) {
  return {
    dataDir,
    configPath: join(dataDir, 'vigil.yml'),
    dbPath: join(dataDir, 'vigil.db'),
    demoLog: join(dataDir, 'demo', 'demo.log'),
  };
}
