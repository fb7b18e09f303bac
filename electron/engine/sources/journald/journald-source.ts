// The systemd journal, through journalctl (as Vector's journald source reads it): one
// `journalctl --follow --output=json` process, each entry a JSON line. The journal names
// every entry's position with a cursor; the cursor of the last entry stored is committed
// with the records (the source's one `files` row), and a restart (of journalctl, or of
// Vigil) goes on from it (--cursor, its own entry dropped): every entry once, in the
// journal's order.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { DEFAULT_MAX_LINE_BYTES, RECORD_FLAGS, type JournaldSourceConfig, type SourceStatus } from '../../../../shared/types.js';
import type { DecodedRecord, SourceLine, StreamDecoder } from '../../decode/types.js';
import type { SourceRef } from '../../pipeline/types.js';
import { Backoff, sleep } from '../backoff.js';
import type { Source, SourceContext } from '../source.js';

/** The `files` row that holds the cursor. */
const JOURNAL_FINGERPRINT = 'journald';

export interface JournaldSourceOptions {
  retryMinMs?: number;
  retryMaxMs?: number;
}

/**
 * The fields an entry is stored with (journalctl adds its cursor and times): what a person
 * reads and filters by. Not the binary ones: a core dump's COREDUMP made a 1.4 MB line,
 * cut at the line limit, no longer JSON, stored without its level.
 */
const ENTRY_FIELDS = [
  'MESSAGE', 'PRIORITY', 'SYSLOG_IDENTIFIER', 'SYSLOG_PID', 'SYSLOG_FACILITY', '_PID', '_UID', '_GID', '_COMM', '_EXE', '_CMDLINE',
  '_HOSTNAME', '_BOOT_ID', '_TRANSPORT', '_SYSTEMD_UNIT', '_SYSTEMD_USER_UNIT', 'UNIT', 'USER_UNIT', 'CODE_FILE', 'CODE_LINE', 'CODE_FUNC',
  'ERRNO', 'CONTAINER_NAME', 'CONTAINER_ID', 'COREDUMP_EXE', 'COREDUMP_SIGNAL_NAME', 'EXIT_CODE', 'EXIT_STATUS',
];

/** journalctl's arguments for a config, from a cursor (or the start position when there is none). */
export function journalctlArgs(config: JournaldSourceConfig, from: { cursor: string | null; beginning: boolean }): string[] {
  const args = ['--follow', '--output=json', `--output-fields=${ENTRY_FIELDS.join(',')}`, '--all', '--no-pager', '--quiet'];
  if (config.directory) args.push(`--directory=${config.directory}`);
  if (config.priority) args.push(`--priority=${config.priority}`);
  // From the cursor's entry itself, which the reader drops: --after-cursor skips one entry
  // after seeking whatever it is, so an entry journald deleted since, or one the matches below
  // do not select (the journal's end, taken without them), cost the entry after it.
  // --follow alone shows the last 10 entries: from a cursor too, so a backlog of 50 entries
  // written while Vigil was stopped came as 9 until the journal moved on. --no-tail: all.
  if (from.cursor) args.push(`--cursor=${from.cursor}`, '--no-tail');
  else args.push(from.beginning ? '--no-tail' : '--lines=0');
  // Matches on one field are ORed; `+` ORs the groups: a unit's entries, or an identifier's.
  const groups = [(config.units ?? []).map((u) => `_SYSTEMD_UNIT=${u}`), (config.identifiers ?? []).map((i) => `SYSLOG_IDENTIFIER=${i}`)].filter((g) => g.length);
  groups.forEach((g, k) => args.push(...(k ? ['+'] : []), ...g));
  return args;
}

/** The stored position of a source that began on an empty journal: its first entry on. */
const FROM_FIRST = '';

const CURSOR_RE = /"__CURSOR":"([^"\\]*)"/;

export class JournaldSource implements Source {
  private readonly stopping = new AbortController();
  private readonly backoff: Backoff;
  private loop: Promise<void> | null = null;
  private child: ChildProcessByStdio<null, Readable, Readable> | null = null;
  private rowId = 0;
  /** The cursor of the last entry handed to the pipeline: where a new journalctl goes on. */
  private cursor: string | null = null;
  private running = false;
  private error: string | null = null;
  private readonly program: string;
  /** What the source reads: its journal folder, or the system's journal (its file row's path and its records'). */
  private readonly path: string;
  private decoder: StreamDecoder | null = null;
  /** Entries stored so far, over every journalctl run: records are numbered on from it (line_no). */
  private lineNo = 0;

  constructor(
    readonly config: JournaldSourceConfig,
    readonly ref: SourceRef,
    private readonly ctx: SourceContext,
    opts: JournaldSourceOptions = {},
  ) {
    this.backoff = new Backoff(opts.retryMinMs ?? 1000, opts.retryMaxMs ?? 30_000);
    this.program = config.journalctl ?? 'journalctl';
    this.path = config.directory ?? 'journal';
  }

  async start(): Promise<void> {
    const row = this.ctx.store.files(this.ref.id).find((r) => r.fingerprint === JOURNAL_FINGERPRINT);
    if (row) {
      this.rowId = row.id;
      this.cursor = row.cursor;
      this.lineNo = row.line_no ?? 0;
    } else {
      this.rowId = this.ctx.store.addFile({
        source_id: this.ref.id, path: this.path, dev: null, ino: null, fingerprint: JOURNAL_FINGERPRINT,
        offset: 0, line_no: 0, size: 0, state: 'active', cursor: null,
      });
    }
    let first!: () => void;
    const started = new Promise<void>((r) => (first = r));
    this.loop = this.run(first);
    await Promise.race([started, sleep(3000, this.stopping.signal)]);
  }

  status(): SourceStatus {
    if (this.error) return { state: 'error', files: 0, message: this.error };
    if (!this.running) return { state: 'starting', files: 0 };
    if (this.ctx.isBlocked()) return { state: 'paused', files: 1, message: `${this.ctx.blockedReason?.() ?? 'the store is behind'}; reading is paused meanwhile` };
    return { state: 'watching', files: 1 };
  }

  decoders(): { what: string; decoder: StreamDecoder }[] {
    return this.decoder ? [{ what: this.config.directory ?? 'the system journal', decoder: this.decoder }] : [];
  }

  async close(): Promise<void> {
    this.stopping.abort();
    this.child?.kill('SIGTERM');
    await this.loop;
  }

  private async run(first: () => void): Promise<void> {
    let beginning = this.config.start === 'beginning';
    // A journal that was empty when the source began: everything in it is new (kept in the
    // store, so a restart before any entry came reads what came meanwhile too).
    if (this.cursor === FROM_FIRST) beginning = true;
    if (this.cursor === null && !beginning) {
      // Starting at the end: the journal's last entry is the position from now on, so what
      // is written while Vigil is stopped, before this source stored anything, is not skipped.
      const end = await this.endCursor().catch(() => null);
      this.cursor = end?.cursor ?? null;
      if (this.cursor !== null) this.ctx.store.updateFile(this.rowId, { cursor: this.cursor });
      // An empty journal (or its folder not there yet): every entry to come is new, so each
      // journalctl started until one comes reads from the beginning (with --lines=0, a
      // journalctl restarted after the first entries came skipped them).
      else if (end?.ran) {
        beginning = true;
        this.cursor = FROM_FIRST;
        this.ctx.store.updateFile(this.rowId, { cursor: FROM_FIRST });
      }
    }
    while (!this.stopping.signal.aborted) {
      const outcome = await this.follow(first, beginning).catch((err: Error) => err.message);
      first();
      if (this.stopping.signal.aborted) break;
      this.running = false;
      this.error = outcome;
      this.ctx.statusChanged();
      await sleep(this.backoff.next(), this.stopping.signal);
    }
    this.running = false;
  }

  /** The cursor of the journal's last entry (null: none, an empty journal); `ran`: journalctl ran (it is there). */
  private endCursor(): Promise<{ cursor: string | null; ran: boolean }> {
    const args = ['--lines=1', '--output=json', '--no-pager', '--quiet', ...(this.config.directory ? [`--directory=${this.config.directory}`] : [])];
    return new Promise((resolve, reject) => {
      const child = spawn(this.program, args, { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => (out += d));
      child.once('error', reject);
      child.once('close', () => resolve({ cursor: CURSOR_RE.exec(out)?.[1] ?? null, ran: true }));
    });
  }

  /** Runs one journalctl until it ends; resolves with why it ended. */
  private async follow(first: () => void, beginning: boolean): Promise<string> {
    const args = journalctlArgs(this.config, { cursor: this.cursor, beginning });
    const child = spawn(this.program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      if (stderr.length < 4000) stderr += d;
    });
    const exited = new Promise<{ code: number | null; spawnError: Error | null }>((resolve) => {
      child.once('error', (e) => resolve({ code: null, spawnError: e }));
      child.once('close', (code) => resolve({ code, spawnError: null }));
    });
    child.once('spawn', () => {
      this.running = true;
      this.error = null;
      this.backoff.reset();
      first();
      this.ctx.statusChanged();
    });
    const decoder = this.ctx.decoders.create({
      format: this.config.format ?? 'journald-json',
      ...(this.config.multiline ? { multiline: this.config.multiline } : {}),
    });
    this.decoder = decoder;
    const reader = new EntryReader(decoder, DEFAULT_MAX_LINE_BYTES, this.cursor, this.lineNo);
    let flushTimer: NodeJS.Timeout | null = null;
    let ended = false;
    // A record held for its continuation lines goes out after its timeout (a format decided
    // on a short sample first, its record then waiting for its own): one timer at a time.
    const arm = () => {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      if (ended) return;
      const due = decoder.flushDueInMs(Date.now());
      if (due === null) return;
      flushTimer = setTimeout(() => {
        flushTimer = null;
        void this.write(reader.flushDue(Date.now()), reader.checkpointCursor(), reader.checkpointLine).then(arm, () => undefined);
      }, Math.max(0, due));
    };
    try {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        if (this.stopping.signal.aborted) break;
        if (flushTimer) clearTimeout(flushTimer);
        await this.write(reader.push(chunk, Date.now()), reader.checkpointCursor(), reader.checkpointLine);
        arm();
      }
    } finally {
      ended = true;
      if (flushTimer) clearTimeout(flushTimer);
      if (child.exitCode === null) child.kill('SIGTERM');
    }
    const { code, spawnError } = await exited;
    this.child = null;
    if (spawnError) {
      const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
      return missing ? `${this.program} not found: reading the journal needs systemd's journalctl` : `cannot run ${this.program}: ${spawnError.message}`;
    }
    const said = stderr.trim().split('\n').filter(Boolean).at(-1);
    return `${this.program} stopped (exit ${code})${said ? `: ${said}` : ''}; starting it again`;
  }

  private async write(records: DecodedRecord[], cursor: string | null, lineNo: number): Promise<void> {
    if (!records.length && cursor === this.cursor) return;
    for (const r of records) r.message = journalMessage(r);
    await this.ctx.write(
      {
        source: this.ref,
        fileId: this.rowId,
        path: this.path,
        records,
        checkpoint: { fileId: this.rowId, offset: 0, lineNo, cursor },
        readAt: Date.now(),
      },
      this.stopping.signal,
    );
    this.cursor = cursor;
    this.lineNo = lineNo;
  }
}

/**
 * Splits journalctl's output into entries and decodes them; knows the cursor up to which
 * every entry has left the decoder (an entry it still holds is not checkpointed past).
 */
class EntryReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lineNo = 0;
  /** Cursors of the entries the decoder may still hold, by line number. */
  private readonly cursors = new Map<number, string>();
  private lastCursor: string | null = null;

  constructor(
    private readonly decoder: StreamDecoder,
    private readonly maxLineBytes: number,
    /** journalctl starts at this entry (--cursor), already stored: its line is dropped. */
    private skip: string | null,
    /** Entries stored before this journalctl: its entries are numbered on from there (one number per entry, over restarts). */
    startLine = 0,
  ) {
    this.lastCursor = skip;
    this.lineNo = startLine;
    this.checkpointLine = startLine;
  }

  /** The number of the last entry no longer held by the decoder (set by checkpointCursor). */
  checkpointLine: number;

  push(chunk: Buffer, readAt: number): DecodedRecord[] {
    const out: DecodedRecord[] = [];
    let from = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, from)) {
      this.take(chunk.subarray(from, nl));
      from = nl + 1;
      this.line(readAt, out);
    }
    if (from < chunk.length) this.take(chunk.subarray(from));
    return out;
  }

  flush(): DecodedRecord[] {
    return this.decoder.flush();
  }

  /** What is due by `now` (see StreamDecoder.flushDue). */
  flushDue(now: number): DecodedRecord[] {
    return this.decoder.flushDue ? this.decoder.flushDue(now) : this.decoder.flush();
  }

  /** The cursor of the last entry no longer held by the decoder. */
  checkpointCursor(): string | null {
    const held = this.decoder.pendingStart();
    const upTo = held ? held.lineNo - 1 : this.lineNo;
    this.checkpointLine = upTo;
    let cursor = this.lastCursor;
    for (const [n, c] of this.cursors) {
      if (n > upTo) break;
      cursor = c;
      this.cursors.delete(n);
    }
    this.lastCursor = cursor;
    return cursor;
  }

  private take(part: Buffer): void {
    // A line past the limit keeps its first maxLineBytes (flagged truncated below).
    if (this.pendingBytes >= this.maxLineBytes) {
      this.pendingBytes += part.length;
      return;
    }
    this.pending.push(part.length > this.maxLineBytes - this.pendingBytes ? part.subarray(0, this.maxLineBytes - this.pendingBytes) : Buffer.from(part));
    this.pendingBytes += part.length;
  }

  private line(readAt: number, out: DecodedRecord[]): void {
    const truncated = this.pendingBytes > this.maxLineBytes;
    const text = Buffer.concat(this.pending).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    if (!text) return;
    const c = CURSOR_RE.exec(text);
    if (this.skip !== null) {
      const stored = c?.[1] === this.skip;
      this.skip = null;
      if (stored) return;
    }
    const n = ++this.lineNo;
    if (c) this.cursors.set(n, c[1]!);
    const line: SourceLine = { text, bytes: null, flags: truncated ? RECORD_FLAGS.truncated : 0, lineNo: n, startOffset: n, endOffset: n + 1, readAt };
    for (const r of this.decoder.push(line)) out.push(r);
  }
}

/** `identifier[pid]: message`, as syslog and `journalctl` show an entry. */
function journalMessage(r: DecodedRecord): string {
  const f = r.fields;
  if (!f) return r.message;
  let message = r.message;
  // A message that is not valid UTF-8 comes as an array of its bytes.
  if (Array.isArray(f.MESSAGE)) message = Buffer.from(f.MESSAGE as number[]).toString('utf8');
  const who = typeof f.SYSLOG_IDENTIFIER === 'string' ? f.SYSLOG_IDENTIFIER : typeof f._COMM === 'string' ? f._COMM : null;
  if (!who) return message;
  const pid = typeof f._PID === 'string' ? f._PID : typeof f.SYSLOG_PID === 'string' ? f.SYSLOG_PID : null;
  return `${who}${pid ? `[${pid}]` : ''}: ${message}`;
}
