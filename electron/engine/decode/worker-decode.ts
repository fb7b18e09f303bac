import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { Worker, type MessagePort } from 'node:worker_threads';
import { createDecoderFactory, type FormatDecoderFactory } from './factory.js';
import { loadFormats } from './formats/load.js';
import { readLineBatches } from './read-lines.js';
import { encodingOfFile } from '../sources/file/utf16-splitter.js';
import { explainSwitch, type FormatStreamDecoder, type FormatSwitch } from './stream-decoder.js';
import { messageHead } from './templates/miner.js';
import { shapeHash } from './templates/shape-hash.js';
import type { DecodedRecord, DecoderOptions, SourceLine, StreamDecoder } from './types.js';

// Offline decoding of a whole file on two worker threads, for `vigil parse`-style work: the
// workers read and decode parts of the file and hash each record's shape for the miner (see
// DrainMiner.matchHead), the calling thread takes the records in file order and does what
// must see them in that order (template mining: a cache lookup per record, mostly). It gives
// exactly the records, and so the templates, that decoding and mining on one thread give.
//
// The file is cut into parts of `chunkBytes`; a worker takes the next part nobody took. A
// part starts at a record start: from its nominal offset, the worker detects the format on
// the lines there and starts at the first line that opens a record in that format (see
// findStart). Decoding a part with that format is a guess at what one thread would be
// doing there, and the guess is checked: the decoder of the part before reads on to the
// part's start and hands over only if it reads the rest exactly as the part's decoder does
// (FormatStreamDecoder.handsOverAt: same format, nothing carried over). If not, it reads
// on through that part itself (whose guessed records are dropped) to the next part's start,
// and checks again. A part nobody took yet when that decoder gets there is read through
// too (waiting would leave a core idle). So each part's records come from a decoder in the
// state one thread's decoder would be in, and the calling thread follows that chain of
// hand-overs. A small file is one part, on one worker, and this thread hashes the shapes.
//
// Memory stays flat: each worker has `inFlight` batches at most that the calling thread has
// not taken yet (credits). They hold a whole part, so the worker of the next part need not
// wait while the other finishes the part before.
//
// The workers run a script the caller names (its own bundle, usually): that script calls
// runDecodeWorker() when isDecodeWorker() says it is the worker.

const MARK = 'vigilDecodeWorker';

// The control array shared by the workers and the caller (Int32Array over `ctl`).
/** The next part to take. */
const NEXT = 0;
/** Credits of worker w at CREDITS + w: batches it may still post before the caller takes one. */
const CREDITS = 1;
/** State of part k at STATE + k. */
const STATE = 3;
const FREE = 0;
/** A worker decodes it. */
const TAKEN = 1;
/** The chain of hand-overs went past it: what was decoded of it is not needed. */
const DROPPED = 2;
/** The decoder of a part before read on through it before anyone took it. */
const ABSORBED = 3;

/** At STATE + chunks + k: whether part k's start is known (see DecodeWorkerData.starts): not yet (0), START or NO_START. */
const START = 1;
const NO_START = 2;

/** What a worker is told. Plain data: it crosses threads by structured clone. */
export interface DecodeWorkerData {
  [MARK]: true;
  /** This worker's number (0 or 1). */
  worker: number;
  path: string;
  size: number;
  /** The config's `formats:` (built-in formats are loaded by the worker). */
  userFormats: unknown[];
  decoder: DecoderOptions;
  /** Folder of the built-in formats (found next to the code when absent). */
  formatsDir?: string;
  /** Records per batch. */
  batch: number;
  chunkBytes: number;
  chunks: number;
  /** Whole records go to the caller too, not only what the miner needs. */
  records: boolean;
  /** Hash the records' shapes here (else the caller does: see decodeInWorkers). */
  hash: boolean;
  ctl: SharedArrayBuffer;
  /** Float64 pairs per part, once known: its start's offset and format (an index in the loaded formats). */
  starts: SharedArrayBuffer;
}

/**
 * Consecutive records of a part: each one's shape hash, time (NaN: none; a parsed time is a
 * number) and which of `heads` is the head of its shape (the first record of the shape in
 * the batch). Typed arrays: they cross threads without a copy. Unhashed (see
 * DecodeWorkerData.hash): every record's own head, no hashes.
 */
interface Batch {
  chunk: number;
  n: number;
  hashed: boolean;
  hashes: Float64Array;
  times: Float64Array;
  headAt: Int32Array;
  heads: string[];
  /** Line numbers count from 1 at the part's start. */
  records?: DecodedRecord[];
}

/** A part is done: `lines` read from its start; the next part's records come from part `next` (`chunks`: the end of the file). */
interface Done {
  chunk: number;
  done: true;
  lines: number;
  next: number;
  /** Hand-overs this part's decoder refused (see handsOverAt). */
  refused: number;
  describe: ReturnType<StreamDecoder['describe']>;
  switched: FormatSwitch | null;
}

/** Where a part starts: a line that opens a record in `format`. */
interface PartStart {
  chunk: number;
  offset: number;
  format: string;
}

/** Whether this thread is a decode worker started by decodeInWorkers (check it first thing in the worker script). */
export function isDecodeWorker(data: unknown): data is DecodeWorkerData {
  return typeof data === 'object' && data !== null && (data as Record<string, unknown>)[MARK] === true;
}

/** The worker's side: take parts, decode them, post batches; wait while the caller is out of this worker's credits. */
export async function runDecodeWorker(data: DecodeWorkerData, port: MessagePort): Promise<void> {
  const { formats } = loadFormats(data.userFormats, data.formatsDir ? { dir: data.formatsDir } : {});
  const factory = createDecoderFactory(formats);
  const ctl = new Int32Array(data.ctl);
  // Where the parts start, found by whichever worker needs it first (the one that decodes the
  // part, or the one that reads up to it): a detection each, once.
  const known = new Float64Array(data.starts);
  const startOf = async (k: number): Promise<PartStart | null> => {
    const state = Atomics.load(ctl, STATE + data.chunks + k);
    if (state === NO_START) return null;
    if (state === START) return { chunk: k, offset: known[2 * k]!, format: formats[known[2 * k + 1]!]!.name };
    const s = await findStart(data, factory, k);
    if (s) {
      known[2 * k] = s.offset;
      known[2 * k + 1] = formats.findIndex((f) => f.name === s.format);
    }
    // The store publishes the numbers above to the other worker's load.
    Atomics.store(ctl, STATE + data.chunks + k, s ? START : NO_START);
    return s;
  };
  const nextStart = async (k: number): Promise<PartStart | null> => {
    for (; k < data.chunks; k++) {
      const s = await startOf(k);
      if (s) return s;
    }
    return null;
  };
  for (;;) {
    const k = Atomics.add(ctl, NEXT, 1);
    if (k >= data.chunks) return;
    if (Atomics.compareExchange(ctl, STATE + k, FREE, TAKEN) !== FREE) continue;
    const d = factory.create(data.decoder);
    let from = 0;
    if (k > 0) {
      const s = await startOf(k);
      // No record starts in this part: the decoder of the part before reads through it.
      if (!s) continue;
      d.takeOver(s.format);
      from = s.offset;
    }
    await decodePart(data, port, ctl, k, d, from, nextStart);
  }
}

async function decodePart(
  data: DecodeWorkerData,
  port: MessagePort,
  ctl: Int32Array,
  k: number,
  d: FormatStreamDecoder,
  from: number,
  nextStart: (k: number) => Promise<PartStart | null>,
): Promise<void> {
  const out = new BatchWriter(k, data.batch, data.records, data.hash);
  const credit = CREDITS + data.worker;
  /** Posts the batch; false when the part was dropped (stop decoding it). */
  const send = (): boolean => {
    for (;;) {
      if (Atomics.load(ctl, STATE + k) === DROPPED) return false;
      if (Atomics.sub(ctl, credit, 1) > 0) break;
      Atomics.add(ctl, credit, 1);
      Atomics.wait(ctl, credit, 0);
    }
    out.post(port);
    return true;
  };
  let next = await nextStart(k + 1);
  let lines = 0;
  let refused = 0;
  for await (const lineBatch of readLineBatches(data.path, { from })) {
    for (const line of lineBatch) {
      if (next && line.startOffset === next.offset) {
        // Nobody took the next part yet: read on through it (nobody will) rather than wait.
        // Taken: hand over if its decoder reads on as this one would, else read on through it
        // (the caller drops what was decoded of it).
        const state = Atomics.compareExchange(ctl, STATE + next.chunk, FREE, ABSORBED);
        if (state === TAKEN) {
          if (d.handsOverAt(line.text, next.format)) {
            for (const r of d.flush()) out.add(r);
            if (out.n && !send()) return;
            port.postMessage({ chunk: k, done: true, lines: line.lineNo - 1, next: next.chunk, refused, describe: d.describe(), switched: d.lastSwitch() } satisfies Done);
            return;
          }
          refused++;
        }
        next = await nextStart(next.chunk + 1);
      }
      for (const r of d.push(line)) out.add(r);
    }
    lines += lineBatch.length;
    if (out.n >= data.batch && !send()) return;
  }
  for (const r of d.flush()) out.add(r);
  if (out.n && !send()) return;
  port.postMessage({ chunk: k, done: true, lines, next: data.chunks, refused, describe: d.describe(), switched: d.lastSwitch() } satisfies Done);
}

/**
 * Where part k starts (null: no record starts in it): the first line at or after its nominal
 * offset that opens a record in the format detected on the lines from there. Any choice is
 * correct (the hand-over is checked); this one is right nearly always.
 */
async function findStart(data: DecodeWorkerData, factory: FormatDecoderFactory, k: number): Promise<PartStart | null> {
  const end = Math.min((k + 1) * data.chunkBytes, data.size);
  const first = lineStartAt(data.path, k * data.chunkBytes);
  if (first === null || first >= end) return null;
  const probe = factory.create(data.decoder);
  const d = factory.create(data.decoder);
  let format: string | null = null;
  const sample: SourceLine[] = [];
  /** Whether the line is the part's start (undefined: it may come later; null: the part ends first). */
  const opening = (line: SourceLine): PartStart | null | undefined => {
    if (line.startOffset >= end) return null;
    return d.opensRecord(line.text) ? { chunk: k, offset: line.startOffset, format: format! } : undefined;
  };
  /** Once the probe decided: the part's start among the lines it sampled (see opening). */
  const decided = (): PartStart | null | undefined => {
    const f = probe.describe().format;
    if (f === 'detecting') return undefined;
    if (f === 'generic') return null;
    format = f;
    d.takeOver(f);
    for (const l of sample) {
      const s = opening(l);
      if (s !== undefined) return s;
    }
    return undefined;
  };
  for await (const batch of readLineBatches(data.path, { from: first })) {
    for (const line of batch) {
      let s: PartStart | null | undefined;
      if (format === null) {
        probe.push(line);
        sample.push(line);
        s = decided();
        if (s === null) return null;
      } else {
        s = opening(line);
      }
      if (s !== undefined) return s;
    }
  }
  // The file ended while sampling: decide on what there is.
  if (format === null) {
    probe.flush();
    return decided() ?? null;
  }
  return null;
}

/** The offset of the first line start at or after `at` (null: none before the end of the file). */
function lineStartAt(path: string, at: number): number | null {
  if (at === 0) return 0;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 16);
    for (let pos = at - 1; ; ) {
      const got = readSync(fd, buf, 0, buf.length, pos);
      if (got === 0) return null;
      const nl = buf.subarray(0, got).indexOf(10);
      if (nl >= 0) return pos + nl + 1;
      pos += got;
    }
  } finally {
    closeSync(fd);
  }
}

/** Builds a batch: typed arrays, grown when a line gives more records than were room for. */
class BatchWriter {
  n = 0;
  private hashes: Float64Array;
  private times: Float64Array;
  private headAt: Int32Array;
  private heads: string[] = [];
  private byHash = new Map<number, number>();
  private records: DecodedRecord[] | null;

  constructor(
    private readonly chunk: number,
    private readonly size: number,
    private readonly withRecords: boolean,
    private readonly hash: boolean,
  ) {
    this.hashes = new Float64Array(size);
    this.times = new Float64Array(size);
    this.headAt = new Int32Array(size);
    this.records = withRecords ? [] : null;
  }

  add(r: DecodedRecord): void {
    const n = this.n;
    if (n === this.hashes.length) this.grow();
    const head = messageHead(r.message);
    if (this.hash) {
      const key = shapeHash(head);
      let at = this.byHash.get(key);
      if (at === undefined) {
        at = this.heads.length;
        this.heads.push(head);
        this.byHash.set(key, at);
      }
      this.hashes[n] = key;
      this.headAt[n] = at;
    } else {
      this.heads.push(head);
      this.headAt[n] = n;
    }
    this.times[n] = r.ts ?? NaN;
    this.records?.push(r);
    this.n = n + 1;
  }

  post(port: MessagePort): void {
    const b: Batch = { chunk: this.chunk, n: this.n, hashed: this.hash, hashes: this.hashes, times: this.times, headAt: this.headAt, heads: this.heads };
    if (this.records) b.records = this.records;
    // Typed arrays are handed over, not copied.
    port.postMessage(b, [this.hashes.buffer as ArrayBuffer, this.times.buffer as ArrayBuffer, this.headAt.buffer as ArrayBuffer]);
    this.n = 0;
    this.hashes = new Float64Array(this.size);
    this.times = new Float64Array(this.size);
    this.headAt = new Int32Array(this.size);
    this.heads = [];
    this.byHash.clear();
    this.records = this.withRecords ? [] : null;
  }

  private grow(): void {
    const cap = this.hashes.length * 2;
    const h = new Float64Array(cap);
    h.set(this.hashes);
    this.hashes = h;
    const t = new Float64Array(cap);
    t.set(this.times);
    this.times = t;
    const a = new Int32Array(cap);
    a.set(this.headAt);
    this.headAt = a;
  }
}

export interface WorkerDecodeOptions {
  /** The script the workers run (it must call runDecodeWorker, see isDecodeWorker). */
  script: string | URL;
  userFormats?: unknown[];
  formatsDir?: string;
  decoder?: DecoderOptions;
  /** Records per batch. */
  batch?: number;
  /** Batches a worker may post before the caller took them. */
  inFlight?: number;
  /** Size of the parts the workers share out (default: a sixteenth of the file, 1 to 8 MiB). */
  chunkBytes?: number;
  /**
   * Files smaller than this are decoded by one worker, in one part, and this thread hashes the
   * shapes, which shares the work out 2:1 (default 64 MiB). Two workers decoding cost more
   * CPU (each compiles the decoder anew, to about 0.3 s), which a smaller file does not win
   * back.
   */
  splitFrom?: number;
  /** Hand over whole records (see `each`), not only what the miner needs. */
  records?: boolean;
}

/** What `each` is given per record, in file order. */
export type RecordSink = (
  /** shapeHash() of the record's head (see messageHead). */
  key: number,
  ts: number | null,
  /** The head of a record of the same shape (this one's or another's: see DrainMiner.matchHead). */
  head: string,
  /** The record, with the options' `records`. */
  record: DecodedRecord | undefined,
) => void;

export interface WorkerDecodeResult {
  lines: number;
  records: number;
  /** Parts in the chain of hand-overs (fewer than the file's parts: a decoder read on through some). */
  parts: number;
  /** Hand-overs refused along that chain: a part's decoder guessed wrong what one thread would be doing there. */
  refused: number;
  describe: ReturnType<StreamDecoder['describe']>;
}

/**
 * Decodes `path` on worker threads and calls `each` for every record, in file order, on this
 * thread. Resolves when the file is done (or rejects with a worker's error). The decoder
 * options default to the file's modification time.
 */
export function decodeInWorkers(path: string, opts: WorkerDecodeOptions, each: RecordSink): Promise<WorkerDecodeResult> {
  let size: number;
  let mtimeMs: number;
  try {
    ({ size, mtimeMs } = statSync(path));
  } catch (e) {
    return Promise.reject(e);
  }
  // Small parts keep both workers busy to the end (the last part is decoded alone); each
  // part costs a format detection where it starts (a millisecond or two).
  const chunkBytes = Math.max(1, opts.chunkBytes ?? Math.min(8 << 20, Math.max(1 << 20, Math.ceil(size / 16))));
  // UTF-16 text is one part: parts start at line starts found as UTF-8 newlines.
  const chunks = size < (opts.splitFrom ?? 64 << 20) || encodingOfFile(path) !== 'utf8' ? 1 : Math.max(1, Math.ceil(size / chunkBytes));
  // A worker may run a whole part ahead of the caller (the part before is the other's): 64
  // batches hold a part of 8 MiB of short lines, at 80 KB a batch.
  const inFlight = opts.inFlight ?? 64;
  const ctlBuf = new SharedArrayBuffer(4 * (STATE + 2 * chunks));
  const ctl = new Int32Array(ctlBuf);
  const starts = new SharedArrayBuffer(16 * chunks);
  const workers = chunks > 1 ? 2 : 1;
  for (let w = 0; w < workers; w++) ctl[CREDITS + w] = inFlight;
  const base: Omit<DecodeWorkerData, 'worker'> = {
    [MARK]: true,
    path,
    size,
    userFormats: opts.userFormats ?? [],
    decoder: opts.decoder ?? { fileMtimeMs: mtimeMs },
    batch: opts.batch ?? 4096,
    chunkBytes,
    chunks,
    records: opts.records ?? false,
    hash: chunks > 1,
    ctl: ctlBuf,
    starts,
    ...(opts.formatsDir ? { formatsDir: opts.formatsDir } : {}),
  };

  return new Promise((resolve, reject) => {
    const threads: Worker[] = [];
    let finished = false;
    let exited = 0;
    const finish = (err: unknown, result?: WorkerDecodeResult) => {
      if (finished) return;
      finished = true;
      for (const t of threads) void t.terminate();
      if (err) reject(err);
      else resolve(result!);
    };

    // The part whose records come next, the line number its line 1 has, and what is waiting.
    let target = 0;
    let lineBase = 0;
    let records = 0;
    let parts = 0;
    let refused = 0;
    let info: WorkerDecodeResult['describe'] | null = null;
    const waiting = new Map<number, { w: number; m: Batch | Done }[]>();
    const ack = (w: number) => {
      Atomics.add(ctl, CREDITS + w, 1);
      Atomics.notify(ctl, CREDITS + w);
    };
    const deliver = (b: Batch) => {
      const { hashed, hashes, times, headAt, heads } = b;
      const recs = b.records;
      for (let i = 0; i < b.n; i++) {
        const t = times[i]!;
        let r: DecodedRecord | undefined;
        if (recs) {
          r = recs[i]!;
          r.firstLine += lineBase;
          r.lastLine += lineBase;
          // Buffers cross threads as plain Uint8Arrays.
          if (r.rawBytes) r.rawBytes = Buffer.from(r.rawBytes.buffer, r.rawBytes.byteOffset, r.rawBytes.byteLength);
        }
        const head = heads[headAt[i]!]!;
        each(hashed ? hashes[i]! : shapeHash(head), Number.isNaN(t) ? null : t, head, r);
      }
      records += b.n;
    };
    /** Takes a message of the target part; true when the file is done. */
    const take = (w: number, m: Batch | Done): boolean => {
      if (!('done' in m)) {
        deliver(m);
        ack(w);
        return false;
      }
      parts++;
      refused += m.refused;
      const d = m.describe;
      if (!info) info = d;
      else if (m.switched) info = { ...d, explanation: explainSwitch(m.switched, lineBase) };
      lineBase += m.lines;
      for (let k = target + 1; k < m.next; k++) {
        Atomics.store(ctl, STATE + k, DROPPED);
        for (const x of waiting.get(k) ?? []) if (!('done' in x.m)) ack(x.w);
        waiting.delete(k);
      }
      target = m.next;
      return target >= chunks;
    };
    const onMessage = (w: number, m: Batch | Done) => {
      if (finished) return;
      try {
        if (m.chunk < target) {
          if (!('done' in m)) ack(w);
          return;
        }
        if (m.chunk > target) {
          let q = waiting.get(m.chunk);
          if (!q) waiting.set(m.chunk, (q = []));
          q.push({ w, m });
          return;
        }
        let end = take(w, m);
        // The next part may have been decoded already.
        for (let q = waiting.get(target); !end && q; q = waiting.get(target)) {
          waiting.delete(target);
          for (const x of q) if (!end) end = take(x.w, x.m);
        }
        if (end) finish(null, { lines: lineBase, records, parts, refused, describe: info! });
      } catch (e) {
        finish(e);
      }
    };
    for (let w = 0; w < workers; w++) {
      const t = new Worker(opts.script, { workerData: { ...base, worker: w } satisfies DecodeWorkerData });
      threads.push(t);
      t.on('message', (m: Batch | Done) => onMessage(w, m));
      t.on('error', (e) => finish(e));
      t.on('exit', (code) => {
        if (++exited === workers) finish(new Error(`decode workers stopped (exit code ${code}) before the end of ${path}`));
      });
    }
  });
}
