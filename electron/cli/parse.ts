import { statSync } from 'node:fs';
import { once } from 'node:events';
import { createDecoderFactory, loadFormats, DrainMiner } from '../engine/decode/index.js';
import { readLineBatches } from '../engine/decode/read-lines.js';
import { compressionOfFile, type Compression } from '../engine/util/compression.js';
import { decodeInWorkers } from '../engine/decode/worker-decode.js';
import type { DecodedRecord, DecoderOptions } from '../engine/decode/types.js';
import { RECORD_FLAGS } from '../../shared/types.js';
import { readConfigArg, unreadableLog, withStdinFile, type CliIo } from './io.js';
import { expandHome } from '../engine/paths.js';

// `vigil parse FILE [--format csv|jsonl] [--log-format NAME]`: decodes a log file offline
// and prints one CSV row per line (Loghub's structured shape) or one JSON object per
// record. The file is read twice, streaming: the first pass mines the templates, the second
// prints each line with its template's final text, so memory stays flat for any file size
// and every row of a template shows the same text. For a big file the first pass runs on
// two worker threads (see worker-decode.ts: the same templates).

/**
 * Files from this size up are mined on worker threads. Below, what the workers save is about
 * what they cost: each compiles the decoder anew, and the second pass then starts cold.
 */
const WORKERS_FROM = 64 << 20;

// The decode workers run the CLI's own bundle (this module's URL; its entry does a worker's
// job when started as one). Run from source (tests), a worker could not load the
// TypeScript: one thread does both passes.
const workerScript = import.meta.url.endsWith('.js') ? new URL(import.meta.url) : null;

const USAGE = `usage: vigil parse FILE [--format csv|jsonl] [--log-format NAME] [--config F]

Decodes FILE offline (gzip and zstd files decompressed; - reads standard input): detects
(or uses) its log format, groups multi-line records and mines message templates.
  --format csv     one row per line: LineId,EventId,EventTemplate,Timestamp,Level,Format (default)
  --format jsonl   one JSON object per record
  --log-format N   use format N instead of detecting one
  --config F       a vigil.yml: its formats: are known too (try a format of your own)
  --               what follows is FILE, even if it starts with a dash
`;

interface ParseArgs {
  file: string;
  output: 'csv' | 'jsonl';
  logFormat?: string;
  config?: string;
}

function parseArgs(args: string[]): ParseArgs | string | 'help' {
  let file: string | undefined;
  let output: string = 'csv';
  let logFormat: string | undefined;
  let config: string | undefined;
  const given = new Map<string, string>();
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!options || a === '--') {
      // After `--` every argument is a FILE, even one starting with a dash.
      if (options) {
        options = false;
        continue;
      }
      if (file !== undefined) return `only one FILE, got "${file}" and "${a}"`;
      file = a;
      continue;
    }
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--help' || flag === '-h') return 'help';
    if (flag === '--format' || flag === '--log-format' || flag === '--config') {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') return `${flag} needs a value`;
      // Given twice, the last was kept silently (as the other commands, refused).
      if (given.has(flag) && given.get(flag) !== v) return `${flag} is given twice (${given.get(flag)} and ${v}): give it once`;
      given.set(flag, v);
      if (flag === '--format') output = v;
      else if (flag === '--log-format') logFormat = v;
      else config = expandHome(v);
      continue;
    }
    if (a.startsWith('-') && a !== '-') return `unknown option ${a}`;
    if (file !== undefined) return `only one FILE, got "${file}" and "${a}"`;
    file = a;
  }
  if (file === undefined) return 'FILE is required';
  if (output !== 'csv' && output !== 'jsonl') return `--format must be csv or jsonl, not "${output}"`;
  return { file, output, ...(logFormat ? { logFormat } : {}), ...(config ? { config } : {}) };
}

/** RFC 4180: quote fields holding a comma, quote, CR or LF; double the quotes. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

async function write(out: NodeJS.WritableStream, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

async function decodeFile(path: string, opts: DecoderOptions, factory: ReturnType<typeof createDecoderFactory>, each: (r: DecodedRecord) => Promise<void> | void, onDamaged?: (why: string) => void) {
  const d = factory.create(opts);
  for await (const batch of readLineBatches(path, onDamaged ? { onDamaged } : {})) {
    for (const line of batch) {
      for (const r of d.push(line)) await each(r);
    }
  }
  for (const r of d.flush()) await each(r);
  return d.describe();
}

export async function parseCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    await write(io.stdout, USAGE);
    return 0;
  }
  if (typeof parsed === 'string') {
    await write(io.stderr, `vigil parse: ${parsed}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.file !== '-') return parsePath(parsed, parsed.file, io);
  return withStdinFile('vigil parse', io, (path) => parsePath(parsed, path, io));
}

/** Parses `path` (the FILE argument, or standard input copied to a file). */
async function parsePath(parsed: ParseArgs, path: string, io: CliIo): Promise<number> {
  let mtimeMs: number;
  let size: number;
  let compressed: Compression | null;
  try {
    const why = await unreadableLog(path);
    if (why) throw new Error(why);
    const st = statSync(path);
    mtimeMs = st.mtimeMs;
    size = st.size;
    compressed = compressionOfFile(path);
  } catch (e) {
    await write(io.stderr, `vigil parse: cannot read ${parsed.file === '-' ? 'standard input' : parsed.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 2;
  }
  let userFormats: unknown[] = [];
  if (parsed.config) {
    const config = readConfigArg('vigil parse', parsed.config, io);
    if (!config) return 2;
    userFormats = config.formats ?? [];
  }
  const { formats, errors } = loadFormats(userFormats);
  if (errors.some((e) => e.index !== undefined)) {
    await write(io.stderr, `vigil parse: invalid config ${parsed.config}:\n${errors.filter((e) => e.index !== undefined).map((e) => `formats.${e.index}: ${e.reason}`).join('\n')}\n`);
    return 2;
  }
  for (const e of errors) await write(io.stderr, `vigil parse: format ${e.format}: ${e.reason}\n`);
  const factory = createDecoderFactory(formats);
  if (parsed.logFormat && !factory.names().includes(parsed.logFormat)) {
    await write(io.stderr, `vigil parse: unknown log format "${parsed.logFormat}"; known: ${factory.names().join(', ')}\n`);
    return 2;
  }
  const opts: DecoderOptions = { fileMtimeMs: mtimeMs, ...(parsed.logFormat ? { format: parsed.logFormat } : {}) };

  // Pass 1: mine. Pass 2 replays the same records through a fresh miner, which hands out
  // the same ids in the same order; the first miner knows each id's final template.
  const final = new DrainMiner({ trackChanges: false });
  // The workers cut a file into parts by offset: a compressed one is read on one thread.
  const onWorkers = workerScript !== null && size >= WORKERS_FROM && compressed === null;
  const info =
    onWorkers
      ? (
          await decodeInWorkers(path, { script: workerScript, decoder: opts, userFormats }, (key, ts, head) => {
            final.matchHead(head, key, ts ?? 0);
          })
        ).describe
      : await decodeFile(
          path,
          opts,
          factory,
          (r) => {
            final.match(r.message, r.ts ?? 0);
          },
          // Said once, after the output (pass 2 meets it again).
          () => undefined,
        );
  // Forced here by --log-format, not by a source's configuration.
  const explanation = parsed.logFormat ? info.explanation.replace('forced by the source configuration', 'forced by --log-format') : info.explanation;
  await write(io.stderr, `vigil parse: ${info.format}${info.forced ? ' (forced)' : ''}: ${explanation}\n`);
  if (onWorkers) await write(io.stderr, 'vigil parse: templates mined with two decode threads\n');

  const replay = new DrainMiner({ trackChanges: false });
  if (parsed.output === 'csv') await write(io.stdout, 'LineId,EventId,EventTemplate,Timestamp,Level,Format\r\n');
  let damaged: string | null = null;
  let lines = 0;
  await decodeFile(path, opts, factory, async (r) => {
    lines = r.lastLine;
    const m = replay.match(r.message, r.ts ?? 0);
    // Its final form, from pass 1; a template the miner set aside (free text: see
    // MinerOptions.maxTemplates) no longer changed after, and is given as it stands here.
    const t = final.get(m.id) ?? { id: m.id, text: m.template };
    const ts = r.ts === null ? '' : new Date(r.ts).toISOString();
    if (parsed.output === 'csv') {
      const tail = `,E${t.id},${csvField(t.text)},${ts},${r.level ?? ''},${csvField(r.format)}\r\n`;
      let rows = '';
      for (let n = r.firstLine; n <= r.lastLine; n++) rows += n + tail;
      await write(io.stdout, rows);
    } else {
      const obj = {
        firstLine: r.firstLine,
        lastLine: r.lastLine,
        format: r.format,
        ts: r.ts === null ? null : ts,
        // The time as written, and what it was taken to be when it said no year or zone.
        ...(r.tsText ? { tsText: r.tsText } : {}),
        ...(r.tsAssumed ? { tsAssumed: r.tsAssumed } : {}),
        level: r.level,
        message: r.message,
        template_id: t.id,
        template: t.text,
        ...(r.alert ? { alert: r.alert } : {}),
        // Cut at maxLineBytes (1 MiB), as a source stores it.
        ...(r.flags & RECORD_FLAGS.truncated ? { truncated: true } : {}),
      };
      await write(io.stdout, JSON.stringify(obj) + '\n');
    }
  }, (why) => (damaged = why));
  const missed = info.missed ?? 0;
  if (parsed.logFormat && lines && missed * 2 > lines) {
    // A format that does not fit gives records of many lines, or generic ones: say so.
    await write(
      io.stderr,
      `vigil parse: --log-format ${parsed.logFormat} could not read ${missed} of ${lines} lines; each is taken as a line of the record before it, or decoded as generic: is it this file's format? (without --log-format, Vigil detects it)\n`,
    );
  }
  if (damaged) {
    // The lines before the damage are out; the command still failed to read the whole file.
    await write(io.stderr, `vigil parse: ${parsed.file === '-' ? 'standard input' : parsed.file}: ${damaged}; the ${lines} lines before it were read\n`);
    return 1;
  }
  return 0;
}
