import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';

/** Null when the folder can be listed and entered, else why not (for a source's status). */
export async function checkFolder(dir: string): Promise<string | null> {
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) return `not a directory: ${dir}`;
    await access(dir, constants.R_OK | constants.X_OK);
    return null;
  } catch (err) {
    return `${describeError(err)}: ${dir}`;
  }
}

/** A file system error in the words a status line uses. */
export function describeError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' ? 'path missing' :
    code === 'EACCES' || code === 'EPERM' ? 'permission denied' :
    code === 'ENOTDIR' ? 'not a directory' :
    code === 'EMFILE' || code === 'ENFILE' ? 'too many open files' :
    ((err as Error)?.message ?? String(err));
}

/** Nothing is at the path: missing, or a folder on the way is a file now (ENOTDIR: the file in it is gone too). */
export function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
