import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { createDecoderFactory, DrainMiner, loadFormats } from '../../../electron/engine/decode/index.js';
import { readLineBatches } from '../../../electron/engine/decode/read-lines.js';
import { decodeInWorkers, type WorkerDecodeOptions } from '../../../electron/engine/decode/worker-decode.js';
import type { DecodedRecord } from '../../../electron/engine/decode/types.js';
import { generateFormatFile, generateMixFile } from '../../bench/decode.bench.js';
import { REPO_ROOT, corpusAvailable, logPath } from './corpus.js';

// Offline decoding on worker threads, the file cut into parts, gives what one thread gives:
// the same records (lines grouped, line numbers, times, levels, messages, formats), so the
// same templates with the same ids and counts, and the same account of the format.

const FORMATS = resolve(REPO_ROOT, 'resources', 'formats');

/** The worker script: a bundle of an entry that runs the decode worker. */
async function workerScript(dir: string): Promise<string> {
  const entry = join(dir, 'worker-entry.ts');
  writeFileSync(
    entry,
    `import { parentPort, workerData } from 'node:worker_threads';
import { isDecodeWorker, runDecodeWorker } from ${JSON.stringify(resolve(REPO_ROOT, 'electron/engine/decode/worker-decode.ts'))};
if (isDecodeWorker(workerData)) await runDecodeWorker(workerData, parentPort!);
`,
  );
  const out = join(dir, 'worker.mjs');
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: out, logLevel: 'error' });
  return out;
}

async function oneThread(path: string, userFormats: unknown[] = []) {
  const d = createDecoderFactory(loadFormats(userFormats, { dir: FORMATS }).formats).create({ fileMtimeMs: statSync(path).mtimeMs });
  const miner = new DrainMiner();
  const records: DecodedRecord[] = [];
  const ids: number[] = [];
  let lines = 0;
  const take = (r: DecodedRecord) => {
    records.push(r);
    ids.push(miner.match(r.message, r.ts ?? 0).id);
  };
  for await (const batch of readLineBatches(path)) {
    lines += batch.length;
    for (const line of batch) for (const r of d.push(line)) take(r);
  }
  for (const r of d.flush()) take(r);
  return { lines, records, ids, templates: miner.templates(), describe: d.describe() };
}

async function inWorkers(script: string, path: string, opts: Partial<WorkerDecodeOptions> = {}) {
  const miner = new DrainMiner();
  const records: DecodedRecord[] = [];
  const ids: number[] = [];
  const r = await decodeInWorkers(path, { script, formatsDir: FORMATS, records: true, ...opts }, (key, ts, head, record) => {
    expect(ts).toBe(record!.ts);
    records.push(record!);
    ids.push(miner.matchHead(head, key, ts ?? 0).id);
  });
  return { ...r, records, ids, templates: miner.templates() };
}

/** Decodes `path` both ways and expects the same of everything; returns the parallel run. */
async function same(script: string, path: string, opts: Partial<WorkerDecodeOptions>, userFormats: unknown[] = []) {
  const a = await oneThread(path, userFormats);
  const b = await inWorkers(script, path, { ...opts, userFormats });
  expect(b.lines, path).toBe(a.lines);
  expect(b.records.length, path).toBe(a.records.length);
  // Record by record first: a failure names the first record that differs.
  for (let i = 0; i < a.records.length; i++) if (JSON.stringify(b.records[i]) !== JSON.stringify(a.records[i])) expect(b.records[i], `${path}: record ${i}`).toEqual(a.records[i]);
  expect(b.records, path).toEqual(a.records);
  expect(b.ids, path).toEqual(a.ids);
  expect(b.templates, path).toEqual(a.templates);
  expect(b.describe, path).toEqual(a.describe);
  return b;
}

/** log4j lines; every `traceEvery`-th record carries a Java stack trace. */
function log4j(records: number, traceEvery: number): string {
  let s = '';
  for (let k = 0; k < records; k++) {
    const t = new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + k * 1000).toISOString().replace('T', ' ').replace('.', ',').slice(0, 23);
    s += `${t} ${k % 7 ? 'INFO' : 'ERROR'} [main] com.example.shop.OrderService: order ${k} placed by user ${k % 97}\n`;
    if (k % traceEvery === 0) {
      s += `java.lang.IllegalStateException: inventory missing for sku=A-${k}\n`;
      for (let f = 0; f < 6; f++) s += `\tat com.example.shop.Step${f}.run(Step${f}.java:${10 + f})\n`;
      s += `Caused by: java.io.IOException: disk ${k} full\n\t... 6 more\n`;
    }
  }
  return s;
}

describe('decoding on worker threads, in parts', () => {
  it('one format, many parts or one: the same records and templates as one thread, every hand-over taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-worker-decode-'));
    const script = await workerScript(dir);
    const f = join(dir, 'access.log');
    await generateFormatFile(f, 3 << 20, 'access');
    const b = await same(script, f, { chunkBytes: 128 << 10, splitFrom: 0, batch: 97, inFlight: 2 });
    // Parts nobody had taken yet when the decoder before reached them are read through, not handed over.
    expect(b.parts).toBeGreaterThan(1);
    expect(b.refused).toBe(0);
    // Below the size to split at: one worker, shapes hashed by the caller.
    expect((await same(script, f, {})).parts).toBe(1);
  });

  it('a Java stack trace across the cut: the part after it starts at the next record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-worker-decode-'));
    const script = await workerScript(dir);
    const f = join(dir, 'trace.log');
    const text = log4j(2000, 200);
    writeFileSync(f, text);
    // Cut in the middle of the trace of record 1000 (each part is 2 frames in).
    const cut = text.indexOf('\tat com.example.shop.Step2.run', text.indexOf('order 1000 placed'));
    const b = await same(script, f, { chunkBytes: cut, splitFrom: 0 });
    // (Handed over there, or read through when the first worker got there before the second took the part.)
    expect(b.refused).toBe(0);
    const trace = b.records.find((r) => r.message.includes('order 1000 placed'))!;
    expect(trace.lastLine - trace.firstLine).toBe(9);
    // Many cuts, in traces and out of them, small batches.
    await same(script, f, { chunkBytes: 4099, splitFrom: 0, batch: 13, inFlight: 1 });
    writeFileSync(f, log4j(4000, 3));
    await same(script, f, { chunkBytes: 3001, splitFrom: 0, batch: 50 });
  });

  it('a format that changes just after a cut: the decoder before reads on through the part, records unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-worker-decode-'));
    const script = await workerScript(dir);
    const f = join(dir, 'switch.log');
    const sys = Array.from({ length: 3000 }, (_, k) => `May  1 10:${String(Math.floor(k / 60) % 60).padStart(2, '0')}:${String(k % 60).padStart(2, '0')} web1 sshd[${k}]: Failed password for root from 10.0.0.${k % 250} port ${k} ssh2\n`).join('');
    const acc = Array.from({ length: 3000 }, (_, k) => `10.0.${k % 250}.1 - - [01/May/2024:10:00:${String(k % 60).padStart(2, '0')} +0000] "GET /api/items/${k} HTTP/1.1" 200 ${k} "-" "curl/8.5.0"\n`).join('');
    writeFileSync(f, sys + acc);
    // The part after the cut detects access while one thread still reads syslog (it switches after a run of misses).
    const b = await same(script, f, { chunkBytes: sys.length + 300, splitFrom: 0 });
    // Refused once when the second worker decoded the part after the cut first: it starts as
    // access while one thread is still in syslog. Not at all when the first worker got to
    // the cut before the second took that part: it reads on through it on its own.
    expect([0, 1]).toContain(b.refused);
    // Either way the first decoder reads on through that part and switches to access. The
    // part after it was either read through by the second worker before its work was dropped
    // (a chain of one part) or taken by it afterwards and handed over to (two): a race
    // between the workers, with the same records every way (same() checks them).
    expect([1, 2]).toContain(b.parts);
    // The 32nd access line in a row makes one thread switch, and read the run again from its first line.
    expect(b.describe.explanation).toMatch(/^switched from syslog at line 3001:/);
    // A generated mix of eight formats, cut in many places.
    const mix = join(dir, 'mix.log');
    await generateMixFile(mix, 6 << 20);
    const m = await same(script, mix, { chunkBytes: 96 << 10, splitFrom: 0 });
    expect(m.parts).toBeGreaterThan(1);
  });

  it('corpus files, bytes that are not UTF-8, a last line without a newline, a small file on one worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-worker-decode-'));
    const script = await workerScript(dir);
    const odd = join(dir, 'odd.log');
    writeFileSync(
      odd,
      Buffer.concat([
        Buffer.from(log4j(300, 7)),
        Buffer.from('2024-05-01 10:00:00,123 ERROR [main] com.x.Y: failed\njava.lang.IllegalStateException: boom\n\tat com.x.Y.f(Y.java:3)\n'),
        Buffer.from([0x6f, 0x6b, 0xff, 0x0a]),
        Buffer.from(log4j(300, 5)),
        Buffer.from('2024-05-01 10:00:01,000 INFO [main] com.x.Y: done\nlast line without newline'),
      ]),
    );
    await same(script, odd, { chunkBytes: 2000, splitFrom: 0 });
    expect((await same(script, odd, {})).parts).toBe(1);
    if (corpusAvailable()) for (const s of ['Linux', 'HDFS', 'Hadoop', 'Spark'] as const) await same(script, logPath(s), { chunkBytes: 16 << 10, splitFrom: 0 });
  });

  it("uses the config's formats, and reports a worker that fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-worker-decode-'));
    const script = await workerScript(dir);
    const f = join(dir, 'mine.log');
    writeFileSync(f, Array.from({ length: 5000 }, (_, k) => `T${k} | svc-${k % 3} | job ${k} done`).join('\n') + '\n');
    const mine = { name: 'mine', kind: 'regex', regex: '^T(?<seq>\\d+) \\| (?<svc>[\\w-]+) \\| (?<message>.*)$', priority: 9 };
    const b = await same(script, f, { chunkBytes: 8 << 10, splitFrom: 0 }, [mine]);
    expect(b.describe.format).toBe('mine');
    await expect(inWorkers(script, join(dir, 'missing.log'))).rejects.toThrow();
  });
});
