import { readFileSync } from 'node:fs';
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
 * HOME is usually unset, and `~\\` is written too). `~name/...` is that user's home, as a
 * shell reads it, where the system's user list (/etc/passwd) has them; else it is a name. A
 * shell expands them before Vigil sees them, but not in vigil.yml, inside quotes, nor in a
 * systemd unit.
 */
export function expandHome(p: string, passwd = '/etc/passwd'): string {
  if (p === '~' || p.startsWith('~/') || (process.platform === 'win32' && p.startsWith('~\\'))) return homedir() + p.slice(1);
  const m = process.platform === 'win32' ? null : /^~([A-Za-z_][\w.-]*\$?)(?=\/|$)/.exec(p);
  if (m) {
    const home = homeOf(m[1]!, passwd);
    if (home) return home + p.slice(m[0].length);
  }
  return p;
}

/** Whether `p` starts with a `~` that expandHome reads as a home folder (for checks that run before it). */
export function startsAtHome(p: string): boolean {
  return expandHome(p) !== p;
}

/** The home folder of user `name` in the system's user list, or null. */
function homeOf(name: string, passwd: string): string | null {
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 7 && f[5]) return f[5];
  }
  return null;
}

export function dataPaths(dataDir: string) {
  return {
    dataDir,
    configPath: join(dataDir, 'vigil.yml'),
    dbPath: join(dataDir, 'vigil.db'),
    demoLog: join(dataDir, 'demo', 'demo.log'),
  };
}
