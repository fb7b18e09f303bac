import Database from 'better-sqlite3';
import { once } from 'node:events';
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { REPORT_FORMATS, SEVERITIES, severityRank, type ReportFormat, type Severity, type SourceConfig, type VigilConfig } from '../../shared/types.js';
import { formatErrors } from '../engine/config/config-file.js';
import { resolveSourcePaths } from '../engine/config/relative-paths.js';
import { TemplateStore } from '../engine/decode/index.js';
import { readLineBatches } from '../engine/decode/read-lines.js';
import { ConfiguredDecoders } from '../engine/decode/user-formats.js';
import type { DecodedRecord, DecoderFactory } from '../engine/decode/types.js';
import { rowToAnomaly } from '../engine/detect/anomaly-repo.js';
import { DetectionService } from '../engine/detect/service.js';
import { Ingestor } from '../engine/pipeline/ingestor.js';
import type { TemplateStage } from '../engine/pipeline/types.js';
import { makeReport } from '../engine/report/index.js';
import { pathMatcher } from '../engine/sources/file/path-matcher.js';
import { Store } from '../engine/store/store.js';
import { StoreInUseError, StoreLock } from '../engine/store/store-lock.js';
import { parseArgs, pathArg, str, UsageError, type ParsedArgs } from './args.js';
import { readConfigArg, tempFolder, unreadableLog, withStdinFile, type CliIo } from './io.js';
import { reportSources } from './report.js';

// `vigil scan FILE... [--config F] [--json] [--db F]`: runs decode and detection over
// existing files as if they were being written now, on their own timestamps (stream time),
// through the same pipeline as the engine (store, template mining, detection stage), then
// prints the anomalies. The database is in memory unless --db keeps it.

const USAGE = `usage: vigil scan FILE... [--config F] [--json] [--db F] [--report DIR] [--report-format F] [--redact] [--fail-on SEVERITY]

Runs detection over log files as if they were written now, using their own timestamps.
A FILE of - reads standard input (\`kubectl logs web | vigil scan -\`).
  --config F   a vigil.yml: detection defaults, rules, formats; a source whose path
               matches a FILE lends it its name, format and detector settings
  --json       one JSON array of anomalies (evidence_lines: 1-based line numbers)
  --db F       keep the database in F, a new file (default: a temporary one, removed at the end)
  --report DIR write an incident report on each anomaly into DIR (made if missing)
  --report-format F
               markdown (default), html or json
  --redact     in the reports, replace IP and e-mail addresses, tokens and passwords
               with placeholders
  --fail-on SEVERITY
               exit 3 when an anomaly of this severity or worse was found (low, medium,
               high, critical): a CI step fails on it, and still prints them all

Exit codes: 0 scanned (no anomaly at --fail-on), 1 failure (a damaged compressed file:
the lines before the damage were scanned), 2 bad usage or input, 3 anomalies at --fail-on.
`;

/** `--fail-on`: anomalies found at or above the severity asked. */
export const EXIT_FOUND = 3;

/** For tests and embedders: replace how records are decoded. */
export interface ScanDeps {
  decoders?: DecoderFactory;
}

export interface ScannedAnomaly {
  id: number;
  detector: string;
  severity: string;
  category: string;
  source: string;
  state: string;
  title: string;
  message: string;
  fingerprint: string;
  fingerprints: string[];
  first_ts: string;
  last_ts: string;
  /** When the anomaly opened (stream time of the finding that opened it). */
  opened_ts: string;
  count: number;
  numbers: Record<string, number>;
  evidence_lines: number[];
  /** Evidence per scanned file, when more than one file was scanned. */
  evidence_files?: Record<string, number[]>;
}

const BATCH = 2000;

export async function scanCommand(args: string[], io: CliIo, deps: ScanDeps = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(args, { values: ['config', 'db', 'report', 'report-format', 'fail-on'], booleans: ['json', 'help', 'redact'] });
    const failOn = str(parsed, 'fail-on');
    if (failOn !== undefined && !SEVERITIES.includes(failOn as Severity)) throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
    const rf = str(parsed, 'report-format');
    if (rf !== undefined && !REPORT_FORMATS.includes(rf as ReportFormat)) throw new UsageError(`--report-format must be one of ${REPORT_FORMATS.join(', ')}`);
    if ((rf !== undefined || parsed.flags.redact) && !pathArg(parsed, 'report')) throw new UsageError('--report-format and --redact go with --report DIR');
  } catch (err) {
    if (err instanceof UsageError) {
      await write(io.stderr, `vigil scan: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (parsed.flags.help) {
    await write(io.stdout, USAGE);
    return 0;
  }
  const reportDir = pathArg(parsed, 'report');
  if (reportDir) {
    // Said before scanning, not after printing the anomalies.
    const why = reportFolderProblem(reportDir);
    if (why) {
      await write(io.stderr, `vigil scan: --report ${reportDir} ${why}\n`);
      return 2;
    }
  }
  const files = parsed.positionals;
  if (!files.length) {
    await write(io.stderr, `vigil scan: at least one FILE is required\n\n${USAGE}`);
    return 2;
  }
  if (files.filter((f) => f === '-').length > 1) {
    await write(io.stderr, `vigil scan: - (standard input) can be given once\n\n${USAGE}`);
    return 2;
  }
  if (!files.includes('-')) return scanFiles(parsed, files, null, io, deps);
  return withStdinFile('vigil scan', io, (path) => scanFiles(parsed, files, path, io, deps));
}

/** `stdinPath`: where standard input was copied, for the FILE given as `-`. */
async function scanFiles(parsed: ParsedArgs, args: string[], stdinPath: string | null, io: CliIo, deps: ScanDeps): Promise<number> {
  const files = args.map((f) => (f === '-' ? stdinPath! : f));
  for (const [i, f] of files.entries()) {
    try {
      const why = await unreadableLog(f);
      if (why) throw new Error(why);
    } catch (err) {
      await write(io.stderr, `vigil scan: cannot read ${args[i] === '-' ? 'standard input' : args[i]}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  let config: VigilConfig = { sources: [], channels: [], rules: [] };
  const configPath = pathArg(parsed, 'config');
  if (configPath) {
    const read = readConfigArg('vigil scan', configPath, io);
    if (!read) return 2;
    config = read;
  }

  // The engine's decoders: built-in formats plus the config's own.
  let decoders = deps.decoders;
  if (!decoders) {
    const problems = ConfiguredDecoders.check({ formats: config.formats });
    if (problems.length) {
      await write(io.stderr, `vigil scan: invalid config ${configPath}:\n${formatErrors(problems)}\n`);
      return 2;
    }
    const configured = new ConfiguredDecoders(config.formats ?? []);
    // A source forcing a format that does not exist would be read with detection, silently.
    const unknown = config.sources.map((src, i) => ({ src, i })).filter(({ src }) => src.format && !configured.names().includes(src.format));
    if (unknown.length) {
      await write(io.stderr, `vigil scan: invalid config ${configPath}:\n${unknown.map(({ src, i }) => `sources.${i}.format: "${src.format}" is not a known format (known: ${configured.names().join(', ')})`).join('\n')}\n`);
      return 2;
    }
    decoders = configured;
  }

  const dbPath = pathArg(parsed, 'db');
  if (dbPath) {
    const why = notAFreshStore(dbPath);
    if (why) {
      await write(io.stderr, `vigil scan: --db ${dbPath} ${why}; scan writes a store of its own: name a new file\n`);
      return 2;
    }
  }
  // A store some Vigil is writing (an empty one: `vigil serve` just started on it) is
  // refused by its lock, as a second engine is; held while the scan writes.
  let lock: StoreLock | null = null;
  if (dbPath) {
    try {
      lock = StoreLock.acquire(dbPath, 'cli');
    } catch (err) {
      if (err instanceof StoreInUseError) {
        await write(io.stderr, `vigil scan: --db ${dbPath}: ${err.message.replace(/ Stop it first.*$/, '')} scan writes a store of its own: name a new file\n`);
        return 2;
      }
      await write(io.stderr, `vigil scan: --db ${dbPath}: cannot make the store there (${(err as Error).message})\n`);
      return 1;
    }
  }
  // Without --db, a store in a temporary file, removed at the end: in memory, a big log's
  // records took six times its size in RAM (472 MB for 42 MB).
  const temp = dbPath ? null : tempFolder('vigil-scan-');
  let store: Store;
  try {
    store = new Store(dbPath ?? join(temp!.dir, 'scan.db'));
  } catch (err) {
    lock?.release({ forget: true });
    temp?.remove();
    if (!dbPath) throw err;
    await write(io.stderr, `vigil scan: --db ${dbPath}: cannot make the store there (${(err as Error).message})\n`);
    return 1;
  }
  const detection = new DetectionService({
    live: false,
    // Keep every evidence record: the output lists them all.
    overrides: { maxEvidence: 100_000_000 },
    log: (m) => io.stderr.write(`vigil scan: ${m}\n`),
  });
  try {
    detection.attach(store, { changed: () => undefined });
    detection.configure(config);
    const templates = new TemplateStore(store);
    // As the engine mines them: in the records' transaction.
    const templateStage: TemplateStage = {
      match: (message, record) => templates.miner.match(message, record.ts ?? Date.now()),
      persist: () => void templates.persist(),
      rollback: () => templates.rollback(),
    };
    const ingestor = new Ingestor(store, templateStage, [detection.stage], {}, { maxBatch: 10_000 });
    const names = new Set<string>();
    const scanned: SourceConfig[] = [];
    /** Compressed files damaged or cut off: what was before the damage was scanned. */
    const damaged: string[] = [];
    for (const file of files) {
      const abs = resolve(file);
      // Standard input is named "-", and no configured source's path matches it.
      const shown = file === stdinPath ? '-' : abs;
      const src = file === stdinPath ? undefined : matchSource(config.sources, abs, configPath ? dirname(resolve(configPath)) : process.cwd());
      let name = src?.name ?? (file === stdinPath ? 'stdin' : basename(abs));
      for (let k = 2; names.has(name); k++) name = `${src?.name ?? basename(shown)} (${k})`;
      names.add(name);
      scanned.push({ ...(src ?? { type: 'file' }), name, path: shown === '-' ? 'standard input' : shown } as SourceConfig);
      await scanFile(store, ingestor, decoders, abs, shown, name, src, (why) => damaged.push(`${shown === '-' ? 'standard input' : file}: ${why}; the lines before it were scanned`));
    }
    await ingestor.close();

    const out: ScannedAnomaly[] = [];
    for (const row of detection.core.repo.list({ state: 'all', limit: Number.MAX_SAFE_INTEGER }).reverse()) {
      const a = rowToAnomaly(row);
      const byFile: Record<string, number[]> = {};
      const lines: number[] = [];
      for (const e of detection.core.repo.evidenceLines(a.id)) {
        if (e.line_no === null) continue;
        for (let l = e.line_no; l <= (e.line_end ?? e.line_no); l++) {
          lines.push(l);
          if (e.path) (byFile[e.path] ??= []).push(l);
        }
      }
      out.push({
        id: a.id,
        detector: a.detector,
        severity: a.severity,
        category: a.category,
        source: a.source,
        state: a.state,
        title: a.title,
        message: a.message,
        fingerprint: a.fingerprint,
        fingerprints: a.fingerprints ?? [a.fingerprint],
        first_ts: new Date(a.firstTs).toISOString(),
        last_ts: new Date(a.lastTs).toISOString(),
        opened_ts: new Date(a.openedAt).toISOString(),
        count: a.count,
        numbers: a.numbers ?? {},
        evidence_lines: lines,
        ...(files.length > 1 ? { evidence_files: byFile } : {}),
      });
    }
    if (parsed.flags.json) await write(io.stdout, `${JSON.stringify(out, null, 2)}\n`);
    else await write(io.stdout, formatText(out));
    const dir = pathArg(parsed, 'report');
    if (dir) {
      const format = (str(parsed, 'report-format') ?? 'markdown') as ReportFormat;
      const opts = reportSources(config, scanned);
      // The folder is there: reportFolderProblem made it before the scan.
      for (const a of out) {
        const file = makeReport(store.db, { id: a.id, format, redact: parsed.flags.redact === true, maxEvidence: 200 }, opts)!;
        // Each scan numbers its anomalies from 1: a second scan into the folder (one per log
        // file, in a CI loop) must not write over the first one's reports.
        writeFileSync(freeName(dir, file.filename), file.text, { flag: 'wx' });
      }
      await write(io.stderr, `vigil scan: ${out.length} report${out.length === 1 ? '' : 's'} written to ${dir}\n`);
    }
    for (const d of damaged) await write(io.stderr, `vigil scan: ${d}\n`);
    if (damaged.length) return 1;
    const failOn = str(parsed, 'fail-on') as Severity | undefined;
    const found = failOn ? out.filter((a) => severityRank(a.severity as Severity) >= severityRank(failOn)).length : 0;
    if (found) {
      await write(io.stderr, `vigil scan: ${found} anomal${found === 1 ? 'y' : 'ies'} of severity ${failOn} or worse (--fail-on ${failOn})\n`);
      return EXIT_FOUND;
    }
    return 0;
  } finally {
    await detection.close();
    store.close();
    temp?.remove();
    // A scan's store is a file of the user's: no lock file left beside it.
    lock?.release({ forget: true });
  }
}

/** `name` in `dir`, or name-2, name-3, ... before its extension when taken. */
function freeName(dir: string, name: string): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  let path = join(dir, name);
  for (let k = 2; existsSync(path); k++) path = join(dir, `${stem}-${k}${ext}`);
  return path;
}

/**
 * Why reports cannot be written into `dir`, found before scanning: a file, or a folder that
 * cannot be made or written. Made here when missing (and left: the reports go there).
 */
function reportFolderProblem(dir: string): string | null {
  try {
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) return 'is a file; it must name a folder (made if missing)';
    } else {
      // Not recursive where the parent exists: Node's recursive mkdir never ends under /proc.
      if (existsSync(dirname(resolve(dir)))) mkdirSync(dir);
      else mkdirSync(dir, { recursive: true });
    }
    accessSync(dir, constants.W_OK);
    return null;
  } catch (err) {
    return `cannot be used for the reports: ${(err as Error).message}`;
  }
}

/** The file source of the config that watches `abs`, as the engine would match it (its relative path read from the config's folder, `~` its home). */
function matchSource(sources: SourceConfig[], abs: string, configDir: string): SourceConfig | undefined {
  return resolveSourcePaths(sources, configDir).find((s) => s.type === 'file' && !!s.path && pathMatcher(s.path, s).matches(abs));
}

/** `shown`: the path the output names (`-` for standard input). */
async function scanFile(store: Store, ingestor: Ingestor, decoders: DecoderFactory, path: string, shown: string, name: string, src: SourceConfig | undefined, onDamaged: (why: string) => void): Promise<void> {
  const st = statSync(path);
  // Whole milliseconds, as every time in the store (mtimeMs has a fraction).
  const mtime = Math.floor(st.mtimeMs);
  const sourceId = store.sourceId(name, 'file');
  const fileId = store.addFile({ source_id: sourceId, path: shown, dev: null, ino: null, fingerprint: null, offset: 0, line_no: 0, size: st.size, state: 'scanned', cursor: null });
  const decoder = decoders.create({
    ...(src?.format ? { format: src.format } : {}),
    ...(src?.multiline ? { multiline: src.multiline } : {}),
    fileMtimeMs: mtime,
  });
  const ref = { name, id: sourceId, type: 'file' };
  let pending: DecodedRecord[] = [];
  // Records without a timestamp of their own take the time of the record before them.
  let lastTs = mtime;
  const send = async () => {
    if (!pending.length) return;
    const records = pending;
    pending = [];
    await ingestor.write({ source: ref, fileId, path: shown, records, checkpoint: null, readAt: lastTs });
  };
  const take = async (rs: DecodedRecord[]) => {
    for (const r of rs) {
      if (r.ts === null) {
        // The ingestor gives a record without time the batch's readAt: cut the batch so it is this one.
        if (pending.length && pending[pending.length - 1]!.ts !== null) await send();
      } else {
        if (pending.length && pending[pending.length - 1]!.ts === null) await send();
        lastTs = r.ts;
      }
      pending.push(r);
      if (pending.length >= BATCH) await send();
    }
  };
  for await (const batch of readLineBatches(path, { readAt: mtime, onDamaged })) {
    for (const line of batch) await take(decoder.push(line));
  }
  await take(decoder.flush());
  await send();
}

function formatText(list: ScannedAnomaly[]): string {
  if (!list.length) return 'No anomalies.\n';
  const parts = list.map((a) => {
    const lines = a.evidence_lines;
    const shown = lines.length > 12 ? `${lines.slice(0, 12).join(', ')}, … (${lines.length} lines)` : lines.join(', ');
    return [
      `#${a.id} [${a.severity}] ${a.title}`,
      `   ${a.detector} · ${a.source} · ${a.first_ts} → ${a.last_ts} · ×${a.count} · ${a.state}`,
      `   ${a.message}`,
      `   lines: ${shown}`,
    ].join('\n');
  });
  return `${parts.join('\n\n')}\n\n${list.length} anomal${list.length === 1 ? 'y' : 'ies'}.\n`;
}

async function write(out: NodeJS.WritableStream, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

/**
 * Why `path` is no place for a scan's store: another program's database, a store that
 * holds records already (an earlier scan: its lines would be stored twice, its anomalies
 * told again), or the store a running Vigil writes. Null for a new file or an empty store.
 */
function notAFreshStore(path: string): string | null {
  if (!existsSync(path)) return null;
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    return `cannot be opened (${(err as Error).message})`;
  }
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() as number;
    if (version === 0) return tables ? 'is a database of another program' : null;
    const records = db.prepare('SELECT count(*) FROM records').pluck().get() as number;
    return records ? `is a Vigil store that holds ${records} records already (an earlier scan, or the app's)` : null;
  } catch (err) {
    return (err as { code?: string }).code === 'SQLITE_NOTADB' ? 'is not a SQLite database' : `cannot be read (${(err as Error).message})`;
  } finally {
    db.close();
  }
}
