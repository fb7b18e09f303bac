import { sep } from 'node:path';
import { fileURLToPath, format } from 'node:url';

/**
 * Is this IPC sender our own UI? Only the main frame, and only a file in the folder the
 * app's UI was loaded from (…/dist/renderer). Not by comparing URL text with
 * pathToFileURL's: Electron's loadFile writes the URL with url.format, which leaves `[`,
 * `]`, `~` and `%` as they are where pathToFileURL encodes them, and every call from an app
 * under `C:\Users\JOHNSM~1\…`, `vigil [fork]` or `app 100%` was refused. The URL matches if
 * it is under the folder as loadFile writes it, or names a file in it. Pure, so it is
 * unit-tested.
 */
export function isTrustedSender(frameUrl: string | undefined, isMainFrame: boolean, appDir: string): boolean {
  if (!isMainFrame || !frameUrl) return false;
  let u: URL;
  try {
    u = new URL(frameUrl);
  } catch {
    return false;
  }
  if (u.protocol !== 'file:') return false;
  // The URL parser has already resolved `..` segments (also when written %2e%2e).
  const dir = appDir.endsWith(sep) ? appDir : appDir + sep;
  const asLoaded = new URL(format({ protocol: 'file', slashes: true, pathname: dir })).pathname;
  if (same(u.pathname, asLoaded)) return true;
  try {
    return same(fileURLToPath(u), dir);
  } catch {
    // Not a path percent-decoding can give (a lone `%`): only the comparison above applies.
    return false;
  }
}

/** Whether `path` starts with `dir`; Windows paths compare without case (a drive letter comes back as c: or C:). */
function same(path: string, dir: string): boolean {
  return process.platform === 'win32' ? path.toLowerCase().startsWith(dir.toLowerCase()) : path.startsWith(dir);
}
