import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { isTimeZone } from '../../shared/detection-schema.js';
import { REPORT_FORMATS, type ReportFile, type ReportFormat, type SourceConfig, type VigilConfig } from '../../shared/types.js';
import { resolveSettings, type DetectorSettingsInput, type Settings } from '../engine/detect/settings.js';
import { packageVersion } from '../engine/engine.js';
import { dataPaths, defaultDataDir } from '../engine/paths.js';
import { makeReport } from '../engine/report/index.js';
import { parseArgs, pathArg, str, UsageError } from './args.js';
import { readConfigArg, type CliIo } from './io.js';

// `vigil report ID|--latest`: an incident report on one anomaly of a store, read-only, so it
// works while the app or `vigil serve` runs on the same store.

export const REPORT_USAGE = `usage: vigil report ID|--latest [--db F] [--config F] [--format markdown|html|json] [--redact] [--tz ZONE] [--out F]

Writes an incident report on anomaly ID (without one, it lists the newest anomalies).
  --latest     the newest anomaly instead of an ID
  --db F       the store (default: the app's, ${dataPaths(defaultDataDir()).dbPath})
  --config F   the vigil.yml whose detection settings and sources the report names
               (default: the one beside the default store, when it is there)
  --format     markdown (default), html (one self-contained file) or json
  --redact     replace IP and e-mail addresses, tokens and passwords with placeholders
  --tz ZONE    write times in ZONE: UTC (default), local (this machine's), or a name
               such as Europe/Paris; each full time carries its offset
  --out F      write to F (a folder: the report's own file name in it); default: standard output
`;

export async function reportCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { values: ['db', 'config', 'format', 'out', 'tz'], booleans: ['latest', 'redact', 'help'] });
  if (args.flags.help) {
    io.stdout.write(REPORT_USAGE);
    return 0;
  }
  const format = (str(args, 'format') ?? 'markdown') as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
  const tzArg = str(args, 'tz') ?? 'UTC';
  const timeZone = tzArg === 'local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : tzArg.toUpperCase() === 'UTC' ? 'UTC' : tzArg;
  if (!isTimeZone(timeZone)) throw new UsageError(`--tz: "${tzArg}" is not a time zone (UTC, local, or a name such as Europe/Paris)`);
  const latest = args.flags.latest === true;
  if (latest ? args.positionals.length : args.positionals.length > 1) throw new UsageError(`give one anomaly ID or --latest\n\n${REPORT_USAGE}`);
  const listOnly = !latest && args.positionals.length === 0;
  const id = latest || listOnly ? null : Number(args.positionals[0]);
  if (id !== null && !(Number.isInteger(id) && id > 0)) throw new UsageError(`"${args.positionals[0]}" is not an anomaly ID (a whole number)`);

  const defaults = dataPaths(defaultDataDir());
  const db = pathArg(args, 'db') ?? defaults.dbPath;
  if (!existsSync(db) || statSync(db).isDirectory()) {
    io.stderr.write(`vigil report: no store at ${db}${existsSync(db) ? ' (a folder)' : ''}\n`);
    return 2;
  }
  // Without --config, the config beside the store (a data folder holds both), as the app and
  // `vigil serve --data-dir` keep them: a report from `--db` said "(not in the config)".
  const beside = pathArg(args, 'db') ? join(dirname(db), 'vigil.yml') : defaults.configPath;
  const configPath = pathArg(args, 'config') ?? (existsSync(beside) ? beside : undefined);
  let config: VigilConfig = { sources: [], channels: [], rules: [] };
  if (configPath) {
    // One given is the user's word: invalid, refused. One found beside the store only names
    // the sources: a half-edited one must not block every report.
    const given = pathArg(args, 'config') !== undefined;
    let why = '';
    const quiet = { write: (t: string) => ((why += t), true) } as unknown as NodeJS.WritableStream;
    const read = readConfigArg('vigil report', configPath, given ? io : { ...io, stderr: quiet });
    if (!read && given) return 2;
    if (!read) io.stderr.write(`${why.trimEnd()}\nvigil report: so it is not used: the report names the source without it\n`);
    if (read) config = read;
  }

  const conn = new Database(db, { readonly: true, fileMustExist: true });
  let file: ReportFile | null;
  try {
    conn.pragma('busy_timeout = 5000');
    if (!conn.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'anomalies'").get()) {
      io.stderr.write(`vigil report: ${db} is not a Vigil store\n`);
      return 2;
    }
    if (listOnly) {
      // No ID: say which there are, newest first, so the next command can name one.
      const rows = conn.prepare('SELECT id, state, severity, title FROM anomalies ORDER BY id DESC LIMIT 20').all() as { id: number; state: string; severity: string; title: string }[];
      const list = rows.map((r) => `  ${String(r.id).padStart(5)}  ${r.state.padEnd(12)} ${r.severity.padEnd(8)} ${r.title}`).join('\n');
      io.stderr.write(`vigil report: give one anomaly ID or --latest\n${rows.length ? `The newest anomalies in ${db}:\n${list}\n` : `${db} holds no anomalies\n`}`);
      return 2;
    }
    const which = id ?? (conn.prepare('SELECT max(id) FROM anomalies').pluck().get() as number | null);
    if (which === null) {
      io.stderr.write(`vigil report: ${db} holds no anomalies\n`);
      return 1;
    }
    file = makeReport(conn, { id: which, format, redact: args.flags.redact === true, maxEvidence: 200, timeZone }, reportSources(config));
    if (!file) {
      // The ID given is the bad input.
      io.stderr.write(`vigil report: no anomaly #${which} in ${db}\n`);
      return 2;
    }
  } finally {
    conn.close();
  }
  const out = pathArg(args, 'out');
  if (!out || out === '-') {
    io.stdout.write(file.text);
    return 0;
  }
  // A name ending in / is a folder, made if missing.
  if (/[/\\]$/.test(out) && !isDir(out)) mkdirSync(out, { recursive: true });
  const path = isDir(out) ? join(out, file.filename) : out;
  writeFileSync(path, file.text);
  io.stderr.write(`vigil report: wrote ${path}\n`);
  return 0;
}

/** What a report needs of a config: settings per source, and the sources it names. */
export function reportSources(config: VigilConfig, extra: SourceConfig[] = []) {
  const sources = [...config.sources, ...extra];
  const find = (name: string) => sources.find((s) => s.name === name) ?? null;
  return {
    settingsFor: (name: string): Settings =>
      resolveSettings(config.detection as DetectorSettingsInput | undefined, (find(name) as { detectors?: DetectorSettingsInput } | null)?.detectors),
    sourceFor: find,
    vigilVersion: packageVersion(),
  };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
