import picomatch from 'picomatch';
import { basename, dirname, resolve, sep } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { expandHome } from '../../paths.js';

export interface PathMatcher {
  /** The folder to watch. */
  base: string;
  /** How deep below base to watch (undefined = unlimited). */
  depth: number | undefined;
  /** Does this file path belong to the source? */
  matches(path: string): boolean;
  /** The source names one file (not a glob, not a folder): its absence is an error. */
  single: boolean;
  /** The one file's path, when `single`: if a folder appears there, the matcher is rebuilt. */
  target: string | null;
  /** A human description for status messages. */
  describe: string;
}

const GLOB_CHARS = /[*?[\]{}!]/;

/**
 * A source path is a file, a glob (`*`, `**`) or a directory (with include and recursion).
 * A path that does not exist yet is a directory when it ends with `/` or when `include` or
 * `recursive` is given; otherwise a file. Rebuild the matcher when the path appears.
 */
export function pathMatcher(path: string, opts: { recursive?: boolean; include?: string } = {}): PathMatcher {
  const abs = resolve(expandHome(path));
  // A path that exists as written is itself, brackets and all ("logs [old]/app.log").
  if (GLOB_CHARS.test(abs) && !existsSync(abs)) {
    const parts = abs.split(sep);
    const firstGlob = parts.findIndex((p) => GLOB_CHARS.test(p));
    const base = parts.slice(0, firstGlob).join(sep) || sep;
    const rest = parts.slice(firstGlob);
    const isMatch = picomatch(abs, { dot: true });
    // `include` narrows a glob's matches by name as it does a folder's (`**` with `*.log`).
    const include = opts.include === undefined ? null : picomatch(opts.include, { dot: true });
    return {
      base,
      depth: rest.includes('**') ? undefined : rest.length - 1,
      matches: include ? (p) => isMatch(p) && include(basename(p)) : (p) => isMatch(p),
      single: false,
      target: null,
      describe: `files matching ${abs}${opts.include ? ` named ${opts.include}` : ''}`,
    };
  }
  let isDir = path.endsWith('/') || opts.include !== undefined || opts.recursive !== undefined;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    /* missing: decided by the spelling above */
  }
  if (isDir) {
    const include = picomatch(opts.include ?? '*', { dot: true });
    return {
      base: abs,
      depth: opts.recursive ? undefined : 0,
      matches: (p) => (opts.recursive ? p.startsWith(abs + sep) : dirname(p) === abs) && include(basename(p)),
      single: false,
      target: null,
      describe: `files in ${abs}${opts.recursive ? ' (recursive)' : ''}${opts.include ? ` matching ${opts.include}` : ''}`,
    };
  }
  return { base: dirname(abs), depth: 0, matches: (p) => p === abs, single: true, target: abs, describe: abs };
}

/**
 * What a rotator adds to a file's name: a number or a date, maybe with a time or an index
 * (`.1`, `-20261122`, `.2026-11-22`, `-20261122-1732262400`, logback's `.2026-11-22.0`), then
 * maybe a compressor's extension: digits and the separators between them. Other files named
 * after the log (`app.log-errors`, `app.log.pos`) are not its generations.
 */
export const ROTATED = /^[.\-_]\d[\d.\-_T:]*(?:\.(?:gz|zst|xz|bz2))?$/;

/**
 * Which of `earlier` (file sources before this one in the config) takes `path` by its
 * own path, or null. A line is stored once: a folder or glob that also covers another
 * source's file leaves that file to the source before it. (A rotated generation, or the
 * file reached through a link, is known by what it is: SourceContext.heldByOther.)
 */
export function readBy(path: string, earlier: readonly { name: string; matcher: PathMatcher }[]): string | null {
  for (const e of earlier) if (e.matcher.matches(path)) return e.name;
  return null;
}
