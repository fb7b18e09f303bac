import { expandHome } from '../engine/paths.js';

/** Minimal flag parser: `--key value`, `--key=value`, `--flag`; the rest are positionals. */
export interface ParsedArgs {
  flags: Record<string, string | true>;
  positionals: string[];
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: { values: string[]; booleans?: string[] }): ParsedArgs {
  const flags: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    // An option has no blank in it: "-- errors by source\nSELECT ..." is SQL that starts with a comment.
    if (!a.startsWith('--') || a === '-' || /\s/.test(a)) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = a.slice(2, eq === -1 ? undefined : eq);
    if (spec.booleans?.includes(key)) {
      if (eq !== -1) throw new UsageError(`--${key} takes no value`);
      flags[key] = true;
    } else if (spec.values.includes(key)) {
      const v = eq !== -1 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || (eq === -1 && v.startsWith('--'))) throw new UsageError(`--${key} needs a value`);
      // `--db a --db b` kept b silently: which one was meant is not ours to guess.
      const before = flags[key];
      if (typeof before === 'string' && before !== v) throw new UsageError(`--${key} is given twice (${before} and ${v}): give it once`);
      flags[key] = v;
    } else {
      throw new UsageError(`unknown option --${key}`);
    }
  }
  return { flags, positionals };
}

export function str(args: ParsedArgs, key: string): string | undefined {
  const v = args.flags[key];
  return typeof v === 'string' ? v : undefined;
}

/** A path option, `~` its home (unexpanded, a systemd unit's `~/x` made a folder named `~`). */
export function pathArg(args: ParsedArgs, key: string): string | undefined {
  const v = str(args, key);
  return v === undefined ? undefined : expandHome(v);
}
