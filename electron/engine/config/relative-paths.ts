import { isAbsolute, resolve } from 'node:path';
import { startsAtHome } from '../paths.js';
import type { SourceConfig } from '../../../shared/types.js';

/**
 * Sources with their relative paths made absolute against the config file's folder (where
 * the person who wrote `path: logs/app.log` was looking), not the process's working folder,
 * which for a desktop app is wherever it was launched from. `~` stays for the source to
 * expand; PEM text given inline for Docker TLS stays as it is.
 */
export function resolveSourcePaths(sources: readonly SourceConfig[], configDir: string): SourceConfig[] {
  const abs = (p: string) => (isAbsolute(p) || p.startsWith('~\\') || startsAtHome(p) ? p : resolve(configDir, p));
  return sources.map((s) => {
    if (s.type === 'file') return s.path ? { ...s, path: abs(s.path) } : s;
    if (s.type === 'docker' && s.tls) {
      const tls = { ...s.tls };
      for (const k of ['ca', 'cert', 'key'] as const) {
        const v = tls[k];
        if (v && !v.includes('-----BEGIN')) tls[k] = abs(v);
      }
      return { ...s, tls };
    }
    return s;
  });
}
