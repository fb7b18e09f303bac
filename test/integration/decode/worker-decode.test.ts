import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { createDecoderFactory, DrainMiner, loadFormats } from '../../../electron/engine/decode/index.js';
import { readLineBatches } from '../../../electron/engine/decode/read-lines.js';
import { decodeInWorker } from '../../../electron/engine/decode/worker-decode.js';
import { generateFormatFile, generateMixFile } from '../../bench/decode.bench.js';
import { REPO_ROOT, corpusAvailable, logPath } from './corpus.js';

// Offline decoding on two threads gives what one thread gives: the same records (messages
// and times, in order), so the same templates with the same ids and counts.

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
  const seen: [string, number | null, number][] = [];
  let lines = 0;
  for await (const batch of readLineBatches(path)) {
    lines += batch.length;
    for (const line of batch) for (const r of d.push(line)) seen.push([r.message, r.ts, miner.match(r.message, r.ts ?? 0).id]);
  }
  for (const r of d.flush()) seen.push([r.message, r.ts, miner.match(r.message, r.ts ?? 0).id]);
  return { lines, seen, templates: miner.templates(), format: d.describe().format };
}

async function twoThreads(script: string, path: string, opts: { userFormats?: unknown[]; batch?: number; inFlight?: number } = {}) {
  const miner = new DrainMiner();
  const seen: [string, number | null, number][] = [];
  const r = await decodeInWorker(path, { script, formatsDir: FORMATS, ...opts }, (message, ts) => {
    seen.push([message, ts, miner.match(message, ts ?? 0).id]);
  });
  return { lines: r.lines, seen, templates: miner.templates(), format: r.describe.format, records: r.records };
}

describe('decoding on a worker thread', () => {
  it('gives the records and templates one thread gives: a mix of formats, one format, multi-line records, bytes that are not UTF-8', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-worker-decode-'));
    const script = await workerScript(dir);
    const files = [join(dir, 'mix.log'), join(dir, 'access.log'), join(dir, 'odd.log')];
    await generateMixFile(files[0]!, 6 << 20);
    await generateFormatFile(files[1]!, 2 << 20, 'access');
    writeFileSync(
      files[2]!,
      Buffer.concat([
        Buffer.from('2024-05-01 10:00:00,123 ERROR [main] com.x.Y: failed\njava.lang.IllegalStateException: boom\n\tat com.x.Y.f(Y.java:3)\n'),
        Buffer.from([0x6f, 0x6b, 0xff, 0x0a]),
        Buffer.from('2024-05-01 10:00:01,000 INFO [main] com.x.Y: done\nlast line without newline'),
      ]),
    );
    if (corpusAvailable()) files.push(logPath('Linux'), logPath('HDFS'));
    for (const f of files) {
      const a = await oneThread(f);
      // Small batches and one batch in flight: the worker waits on the caller often.
      const b = await twoThreads(script, f, { batch: 97, inFlight: 1 });
      expect(b.lines, f).toBe(a.lines);
      expect(b.records, f).toBe(a.seen.length);
      expect(b.format, f).toBe(a.format);
      expect(b.seen, f).toEqual(a.seen);
      expect(b.templates, f).toEqual(a.templates);
    }
  });

  it("uses the config's formats, and reports a worker that fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-worker-decode-'));
    const script = await workerScript(dir);
    const f = join(dir, 'mine.log');
    writeFileSync(f, Array.from({ length: 50 }, (_, k) => `T${k} | svc-${k % 3} | job ${k} done`).join('\n') + '\n');
    const mine = { name: 'mine', kind: 'regex', regex: '^T(?<seq>\\d+) \\| (?<svc>[\\w-]+) \\| (?<message>.*)$', priority: 9 };
    const a = await oneThread(f, [mine]);
    const b = await twoThreads(script, f, { userFormats: [mine] });
    expect(a.format).toBe('mine');
    expect(b.seen).toEqual(a.seen);
    await expect(twoThreads(script, join(dir, 'missing.log'))).rejects.toThrow();
  });
});
