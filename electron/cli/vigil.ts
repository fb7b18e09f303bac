// The `vigil` command: the engine's third host.
import { UsageError } from './args.js';
import type { CliIo } from './io.js';
import { parseCommand } from './parse.js';
import { queryCommand } from './query.js';
import { recoverCommand } from './recover.js';
import { reportCommand } from './report.js';
import { scanCommand } from './scan.js';
import { serveCommand } from './serve.js';

const USAGE = `Usage: vigil <command> [options]

Commands:
  serve [--config F] [--db F] [--port N] [--host H] [--token T] [--data-dir D] [--allow-host NAMES]
        Run the engine headless and serve the UI (prints "Vigil UI: <url>"). --allow-host: host
        names it is reached by besides this machine's addresses (comma-separated).
  query --db F [--config F] "SQL"
        Run one read-only SQL statement; prints one JSON object per row. A view per format
        (access_combined, ...) and field(raw, format, 'name') read the records' fields;
        lnav's all_logs, access_log, syslog_log, ... take queries written for lnav.
  parse FILE [--format csv|jsonl] [--log-format NAME]
        Decode a file offline (FILE - : standard input): CSV (LineId,EventId,EventTemplate,
        Timestamp,Level,Format) or one JSON object per record.
  scan FILE... [--config F] [--json] [--db F] [--report DIR] [--report-format F] [--redact] [--fail-on SEVERITY]
        Decode and run detection over existing files (- : standard input), with their own timestamps;
        prints the anomalies (--json: one JSON array); --report writes an incident report on each;
        --fail-on high: exit 3 when an anomaly that bad or worse was found (fails a CI step).
  recover --db F [--out F]
        Copy what can be read of a damaged store into a new one (default F.recovered): the rows on
        damaged pages are lost, everything else is kept, checkpoints too. Stop Vigil first.
        Exit 0: nothing was lost; 1: the new store lacks what it names.
  report ID|--latest [--db F] [--config F] [--format markdown|html|json] [--redact] [--tz ZONE] [--out F]
        Write an incident report on one anomaly of a store (default: the app's store).
  help  Show this help.

Exit codes: 0 ok, 1 failure, 2 bad usage or bad input; scan --fail-on: 3 for anomalies found.
`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  query: queryCommand,
  parse: parseCommand,
  scan: scanCommand,
  report: reportCommand,
  recover: recoverCommand,
};

/** Commands that print a help of their own for --help. */
const OWN_HELP = new Set(['scan', 'parse', 'report']);

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    // Asked for: the help is the output. Without a command: a usage error, said on stderr.
    (name ? io.stdout : io.stderr).write(USAGE);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === 'version') {
    io.stdout.write(`${process.env.VIGIL_VERSION ?? '0.1.0'}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.stderr.write(`vigil: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  // -h is --help; a command without help of its own shows everyone's.
  const args = rest.map((a) => (a === '-h' ? '--help' : a));
  if (args.includes('--help') && !OWN_HELP.has(name)) {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    return await cmd(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`vigil ${name}: ${err.message}\n`);
      return 2;
    }
    const e = err as { name?: string; code?: unknown; message?: string } | null;
    if (e?.code === 'SQLITE_NOTADB') {
      io.stderr.write(`vigil ${name}: the --db file is not a Vigil store (SQLite: ${e.message})\n`);
      return 2;
    }
    // What the machine refused (a file, a folder, the database): its words, on one line.
    // A stack trace is for Vigil's own faults.
    if (e?.name === 'SqliteError' || e?.name === 'SqlFunctionError' || e?.name === 'StoreTooNewError' || (typeof e?.code === 'string' && /^(E[A-Z]+|SQLITE_\w+)$/.test(e.code))) {
      io.stderr.write(`vigil ${name}: ${e.message ?? String(err)}\n`);
      return 1;
    }
    io.stderr.write(`vigil ${name}: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}
