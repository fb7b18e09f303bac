import { statSync } from 'node:fs';
import { Worker, type MessagePort } from 'node:worker_threads';
import { createDecoderFactory } from './factory.js';
import { loadFormats } from './formats/load.js';
import { readLineBatches } from './read-lines.js';
import type { DecoderOptions, StreamDecoder } from './types.js';

// Offline decoding on two threads: a worker reads and decodes the file (the same stream
// decoder, over the same lines, as one thread would) and hands the records' messages and
// times over in order, in batches; the calling thread does the rest (template mining,
// which must see records in file order and stays on one thread). For `vigil parse`-style
// work on whole files: it needs a second core, and gives the same records as decoding and
// mining on one thread.
//
// The worker runs a script the caller names (its own bundle, usually): that script calls
// runDecodeWorker() when isDecodeWorker() says it is the worker.

const MARK = 'vigilDecodeWorker';

/** What the worker is told. Plain data: it crosses threads by structured clone. */
export interface DecodeWorkerData {
  [MARK]: true;
  path: string;
  /** The config's `formats:` (built-in formats are loaded by the worker). */
  userFormats: unknown[];
  decoder: DecoderOptions;
  /** Folder of the built-in formats (found next to the code when absent). */
  formatsDir?: string;
  /** Records per batch. */
  batch: number;
  /** Batches in flight: the worker waits when the caller is this far behind (memory stays flat). */
  credits: SharedArrayBuffer;
}

/** One batch: messages and times (null: no time) of consecutive records. */
type Batch = { messages: string[]; times: (number | null)[] };
type Done = { done: true; lines: number; records: number; describe: ReturnType<StreamDecoder['describe']> };

/** Whether this thread is a decode worker started by decodeInWorker (check it first thing in the worker script). */
export function isDecodeWorker(data: unknown): data is DecodeWorkerData {
  return typeof data === 'object' && data !== null && (data as Record<string, unknown>)[MARK] === true;
}

/** The worker's side: read, decode, post batches; wait while the caller is `credits` batches behind. */
export async function runDecodeWorker(data: DecodeWorkerData, port: MessagePort): Promise<void> {
  const { formats } = loadFormats(data.userFormats, data.formatsDir ? { dir: data.formatsDir } : {});
  const d = createDecoderFactory(formats).create(data.decoder);
  const credits = new Int32Array(data.credits);
  let batch: Batch = { messages: [], times: [] };
  const send = () => {
    while (Atomics.sub(credits, 0, 1) <= 0) {
      Atomics.add(credits, 0, 1);
      Atomics.wait(credits, 0, 0);
    }
    port.postMessage(batch);
    batch = { messages: [], times: [] };
  };
  let lines = 0;
  let records = 0;
  for await (const lineBatch of readLineBatches(data.path)) {
    lines += lineBatch.length;
    for (const line of lineBatch) {
      for (const r of d.push(line)) {
        batch.messages.push(r.message);
        batch.times.push(r.ts);
      }
    }
    if (batch.messages.length >= data.batch) {
      records += batch.messages.length;
      send();
    }
  }
  for (const r of d.flush()) {
    batch.messages.push(r.message);
    batch.times.push(r.ts);
  }
  records += batch.messages.length;
  if (batch.messages.length) send();
  port.postMessage({ done: true, lines, records, describe: d.describe() } satisfies Done);
}

export interface WorkerDecodeOptions {
  /** The script the worker runs (it must call runDecodeWorker, see isDecodeWorker). */
  script: string | URL;
  userFormats?: unknown[];
  formatsDir?: string;
  decoder?: DecoderOptions;
  batch?: number;
  inFlight?: number;
}

/**
 * Decodes `path` on a worker thread and calls `each` with every record's message and time,
 * in file order, on this thread. Resolves when the file is done (or rejects with the
 * worker's error). The decoder options default to the file's modification time.
 */
export function decodeInWorker(
  path: string,
  opts: WorkerDecodeOptions,
  each: (message: string, ts: number | null) => void,
): Promise<Omit<Done, 'done'>> {
  const credits = new SharedArrayBuffer(4);
  const count = new Int32Array(credits);
  count[0] = opts.inFlight ?? 4;
  const data: DecodeWorkerData = {
    [MARK]: true,
    path,
    userFormats: opts.userFormats ?? [],
    decoder: opts.decoder ?? { fileMtimeMs: statSync(path).mtimeMs },
    batch: opts.batch ?? 4096,
    credits,
    ...(opts.formatsDir ? { formatsDir: opts.formatsDir } : {}),
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(opts.script, { workerData: data });
    let result: Omit<Done, 'done'> | null = null;
    worker.on('message', (m: Batch | Done) => {
      if ('done' in m) {
        result = { lines: m.lines, records: m.records, describe: m.describe };
        return;
      }
      try {
        for (let i = 0; i < m.messages.length; i++) each(m.messages[i]!, m.times[i]!);
      } catch (e) {
        void worker.terminate();
        reject(e);
        return;
      }
      Atomics.add(count, 0, 1);
      Atomics.notify(count, 0);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`decode worker stopped (exit code ${code}) before the end of ${path}`));
    });
  });
}
