import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Is this IPC sender our own UI? Only the main frame, and only a file in the folder the
 * app's UI was loaded from (…/dist/renderer). Compared as paths, not as URL text: Electron's
 * loadFile leaves `[`, `]` and `~` as they are in the page's URL where pathToFileURL encodes
 * them, and every call from an app under `C:\Users\JOHNSM~1\…` or `vigil [fork]` was
 * refused. Pure, so it is unit-tested.
 */
export function isTrustedSender(frameUrl: string | undefined, isMainFrame: boolean, appDir: string): boolean {
  if (!isMainFrame || !frameUrl) return false;
  let path: string;
  try {
    const u = new URL(frameUrl);
    if (u.protocol !== 'file:') return false;
    // The URL parser has already resolved `..` segments (also when written %2e%2e).
    path = fileURLToPath(u);
  } catch {
    return false;
  }
  const dir = appDir.endsWith(sep) ? appDir : appDir + sep;
  // Windows paths compare without case (a drive letter comes back as c: or C:).
  return process.platform === 'win32' ? path.toLowerCase().startsWith(dir.toLowerCase()) : path.startsWith(dir);
}
