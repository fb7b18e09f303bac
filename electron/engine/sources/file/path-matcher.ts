import picomatch from 'picomatch';
import { basename, dirname, resolve, sep } from 'node:path';
import { statSync } from 'node:fs';

export interface PathMatcher {
  /** The folder to watch. */
  base: string;
  /** How deep below base to watch (undefined = unlimited). */
  depth: number | undefined;
  /** Does this file path belong to the source? */
  matches(path: string): boolean;
  /** A human description for status messages. */
  describe: string;
}

const GLOB_CHARS = /[*?[\]{}!]/;

/** A source path is a file, a glob (`*`, `**`) or a directory (with include and recursion). */
export function pathMatcher(path: string, opts: { recursive?: boolean; include?: string } = {}): PathMatcher {
  const abs = resolve(expandHome(path));
  if (GLOB_CHARS.test(abs)) {
    const parts = abs.split(sep);
    const firstGlob = parts.findIndex((p) => GLOB_CHARS.test(p));
    const base = parts.slice(0, firstGlob).join(sep) || sep;
    const rest = parts.slice(firstGlob);
    const isMatch = picomatch(abs, { dot: true });
    return {
      base,
      depth: rest.includes('**') ? undefined : rest.length - 1,
      matches: (p) => isMatch(p),
      describe: `files matching ${abs}`,
    };
  }
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    /* missing: treated as a file path that may appear later */
  }
  if (isDir) {
    const include = picomatch(opts.include ?? '*', { dot: true });
    return {
      base: abs,
      depth: opts.recursive ? undefined : 0,
      matches: (p) => (opts.recursive ? p.startsWith(abs + sep) : dirname(p) === abs) && include(basename(p)),
      describe: `files in ${abs}${opts.recursive ? ' (recursive)' : ''}${opts.include ? ` matching ${opts.include}` : ''}`,
    };
  }
  return { base: dirname(abs), depth: 0, matches: (p) => p === abs, describe: abs };
}

function expandHome(p: string): string {
  if (p === '~' || p.startsWith('~/')) return (process.env.HOME ?? '') + p.slice(1);
  return p;
}
