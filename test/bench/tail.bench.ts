// File tailing, from append to stored: throughput (one file, 100 files) and latency
// (p50/p99), each printed next to `tail -F` into a pipe on the same data. Figures only:
// nothing here asserts a timing. Vigil's figures are for the engine as the app runs it
// (Engine.start on a vigil.yml), then for the file source and store alone, with a simple
// decoder and with none, to show what each part costs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GenericDecoderFactory } from '../../electron/engine/decode/generic.js';
import { createDecoderFactory, loadFormats } from '../../electron/engine/decode/index.js';
import { newRecord, type DecodedRecord, type DecoderFactory, type SourceLine, type StreamDecoder } from '../../electron/engine/decode/types.js';
import { Ingestor } from '../../electron/engine/pipeline/ingestor.js';
import type { StoredRecord } from '../../electron/engine/pipeline/types.js';
import { SourceManager } from '../../electron/engine/sources/manager.js';
import { Store } from '../../electron/engine/store/store.js';
import { Engine } from '../../electron/engine/engine.js';
import { tempDir } from '../support/tmp.js';

const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];

/** Web-server-like lines, about 100 bytes. */
/** `n` lines whose timestamps are `first`, first + `step`, ... milliseconds after 10:00. */
function makeLines(n: number, tag = '', first = 0, step = 1): string {
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const i = first + k * step;
    const ms = String(i % 1000).padStart(3, '0');
    out.push(`2026-11-21T${String(10 + Math.floor(i / 3_600_000)).padStart(2, '0')}:${String(Math.floor(i / 60000) % 60).padStart(2, '0')}:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}.${ms}Z ${LEVELS[i % 6]} [worker-${i % 8}] ${tag}request ${i} path=/api/v1/items/${i % 977} status=200 dur=${i % 300}ms`);
  }
  return out.join('\n') + '\n';
}

/** A decoder that does nothing but wrap the line: what the pipeline costs without decoding. */
export class PassThroughFactory implements DecoderFactory {
  create(): StreamDecoder {
    return {
      push: (l: SourceLine): DecodedRecord[] => [newRecord({
        firstLine: l.lineNo, lastLine: l.lineNo, startOffset: l.startOffset, endOffset: l.endOffset, ts: l.readAt, tsText: null,
        level: null, levelText: null, message: l.text, raw: l.text, rawBytes: l.bytes, flags: l.flags, format: 'raw',
      })],
      flush: () => [],
      pendingStart: () => null,
      flushDueInMs: () => null,
      describe: () => ({ format: 'raw', forced: true, explanation: 'bench pass-through' }),
    };
  }
}

/**
 * The engine as the app and `vigil serve` run it: configured from vigil.yml, format
 * detection and decoding, template mining, the detection stage, the UI feed. Toasts go
 * nowhere (a bench must not pop notifications up). `maxSize`: the store's bound (config
 * store.maxSize), for the row where retention removes as it stores.
 */
async function startEngine(dir: string, path: string, maxSize?: string): Promise<Pipeline> {
  const dataDir = join(dir, `engine-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dataDir);
  const store = maxSize ? `store:\n  maxSize: ${maxSize}\n` : '';
  writeFileSync(join(dataDir, 'vigil.yml'), `${store}sources:\n  - { name: bench, type: file, path: '${path}', start: beginning }\n`);
  const engine = await Engine.start({ dataDir, host: 'cli', log: () => undefined, toaster: { kind: 'none', show: async () => undefined } });
  let n = 0;
  const listeners: ((r: StoredRecord[]) => void)[] = [];
  engine.events.on('records.stored', (rs) => {
    n += rs.length;
    for (const l of listeners) l(rs);
  });
  return { stored: () => n, onStored: (cb) => listeners.push(cb), close: () => engine.close() };
}

interface Pipeline {
  stored(): number;
  onStored(cb: (records: StoredRecord[]) => void): void;
  close(): Promise<void>;
}

/** The tail path as the engine composes it, on a fresh store. */
async function startPipeline(dir: string, path: string, decoders: DecoderFactory): Promise<Pipeline> {
  const store = new Store(join(dir, `vigil-${Math.random().toString(36).slice(2)}.db`));
  let n = 0;
  const listeners: ((r: StoredRecord[]) => void)[] = [];
  const ingestor = new Ingestor(store, null, [], {
    onDidStore: (rs) => {
      n += rs.length;
      for (const l of listeners) l(rs);
    },
  });
  const manager = new SourceManager(store, ingestor, decoders, () => undefined, { log: () => undefined });
  await manager.apply([{ name: 'bench', type: 'file', path, start: 'beginning' }]);
  return {
    stored: () => n,
    onStored: (cb) => listeners.push(cb),
    close: async () => {
      await manager.close();
      await ingestor.close();
      store.close();
    },
  };
}

async function until(fn: () => boolean, timeoutMs = 600_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error('bench: timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `tail -F` on the files into a pipe; counts lines as they arrive. */
function startTail(files: string[], onLine?: (line: string) => void): { lines(): number; cpu(): number | null; stop(): void; ready: Promise<void> } {
  const t: ChildProcess = spawn('tail', ['-n', '+1', '-q', '-F', ...files], { stdio: ['ignore', 'pipe', 'ignore'] });
  let n = 0;
  let rest = '';
  t.stdout!.on('data', (d: Buffer) => {
    if (!onLine) {
      for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) n++;
      return;
    }
    const s = rest + d.toString('utf8');
    const parts = s.split('\n');
    rest = parts.pop()!;
    for (const p of parts) {
      n++;
      onLine(p);
    }
  });
  return { lines: () => n, cpu: () => childCpu(t.pid), stop: () => t.kill(), ready: new Promise((r) => setTimeout(r, 300)) };
}

const mib = (b: number) => b / 1048576;
/**
 * Throughput, wall time and the CPU time (user + system, all threads) of the process doing
 * the work; with `written`, the bytes it wrote (SQLite's WAL and the checkpoints into the
 * database) per line stored.
 */
const fmt = (lines: number, bytes: number, ms: number, cpuMs: number | null, written: number | null = null) =>
  `${Math.round(lines / (ms / 1000)).toLocaleString('en-US').padStart(9)} lines/s ${(mib(bytes) / (ms / 1000)).toFixed(1).padStart(6)} MiB/s (${String(ms).padStart(5)} ms, CPU ${cpuMs === null ? '   -' : String(Math.round(cpuMs)).padStart(5)} ms${written === null ? '' : `, wrote ${String(Math.round(written / lines)).padStart(4)} B/line`})`;

/** This process's CPU time so far, ms. */
const ownCpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** Bytes this process (all threads) has handed to write calls so far (Linux /proc; null elsewhere). */
function ownWritten(): number | null {
  try {
    const m = /^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Another process's CPU time so far, ms (Linux /proc; null elsewhere). */
function childCpu(pid: number | undefined): number | null {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms
  } catch {
    return null;
  }
}

/**
 * Appends `pieces` (file, data file) in order from a separate process, as fast as it can.
 * One process for all, so a thousand pieces cost a thousand writes, not a thousand forks.
 */
function appendAll(dir: string, pieces: [string, string][]): Promise<void> {
  const manifest = join(dir, `pieces-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(manifest, JSON.stringify(pieces));
  const js = `const fs=require('fs');for(const [f,d] of JSON.parse(fs.readFileSync(${JSON.stringify(manifest)},'utf8')))fs.appendFileSync(f,fs.readFileSync(d));`;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['-e', js], { stdio: 'ignore' });
    c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
  });
}

/**
 * `lines` spread over `files`, written in `rounds`: one round appends a slice to every
 * file in turn, with timestamps in write order (live programs). With one round, each
 * file's whole history goes in one piece, one file after the other (catching up on
 * files written while Vigil was stopped: their timestamps interleave).
 */
export async function throughput(dir: string, files: number, lines: number, label: string, decoders: DecoderFactory | 'tail' | 'engine' | 'engine-bounded', rounds = 1): Promise<string> {
  const sub = join(dir, `${label.replace(/\W+/g, '-')}-${files}-${rounds}`);
  mkdirSync(sub);
  const paths = Array.from({ length: files }, (_, i) => join(sub, `f${i}.log`));
  const per = Math.floor(lines / files / rounds);
  const total = per * files * rounds;
  const pieces: [string, string][] = [];
  let bytes = 0;
  for (let r = 0; r < rounds; r++) {
    for (let f = 0; f < files; f++) {
      // Live: timestamps follow the order of writing. Catch-up: each file spans the same hours.
      const text = rounds > 1 ? makeLines(per, `f${f} `, (r * files + f) * per) : makeLines(per, `f${f} `, f, files);
      const data = join(sub, `d${f}-${r}.txt`);
      writeFileSync(data, text);
      bytes += Buffer.byteLength(text);
      pieces.push([paths[f]!, data]);
    }
  }
  // A last line in each file, not counted: a decoder that groups multi-line records holds
  // a file's last record until the next one starts (or its timeout passes); this starts it.
  for (let f = 0; f < files; f++) {
    const end = join(sub, `end${f}.txt`);
    writeFileSync(end, `2026-11-21T23:59:59.999Z INFO end of f${f}\n`);
    pieces.push([paths[f]!, end]);
  }
  for (const p of paths) writeFileSync(p, '');
  if (decoders === 'tail') {
    const tail = startTail(paths);
    await tail.ready;
    const cpu0 = tail.cpu();
    const t0 = Date.now();
    await appendAll(sub, pieces);
    await until(() => tail.lines() >= total);
    const ms = Date.now() - t0;
    const cpu1 = tail.cpu();
    tail.stop();
    return fmt(total, bytes, ms, cpu0 === null || cpu1 === null ? null : cpu1 - cpu0);
  }
  const watched = files === 1 ? paths[0]! : join(sub, '*.log');
  const p =
    decoders === 'engine' || decoders === 'engine-bounded'
      ? await startEngine(sub, watched, decoders === 'engine-bounded' ? '32MiB' : undefined)
      : await startPipeline(sub, watched, decoders);
  const cpu0 = ownCpu();
  const w0 = ownWritten();
  const t0 = Date.now();
  await appendAll(sub, pieces);
  await until(() => p.stored() >= total);
  const ms = Date.now() - t0;
  const cpu = ownCpu() - cpu0;
  const w1 = ownWritten();
  await p.close();
  return fmt(total, bytes, ms, cpu, w0 === null || w1 === null ? null : w1 - w0);
}

/** A separate process writes one line per millisecond stamped with its wall-clock time (µs). */
function paced(path: string, count: number): ChildProcess {
  const js = `const fs=require('fs');const fd=fs.openSync(${JSON.stringify(path)},'a');let i=0;
    const t=setInterval(()=>{const now=performance.timeOrigin+performance.now();
    fs.writeSync(fd,'2026-11-21T10:00:00.000Z INFO latency probe '+(i++)+' at='+now.toFixed(3)+'\\n');
    if(i>=${count}){clearInterval(t);fs.closeSync(fd);}},1);`;
  return spawn(process.execPath, ['-e', js], { stdio: 'ignore' });
}

function percentiles(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `p50 ${q(0.5).toFixed(1).padStart(6)} ms  p99 ${q(0.99).toFixed(1).padStart(6)} ms  max ${s.at(-1)!.toFixed(1).padStart(6)} ms  (${s.length} lines)`;
}

const now = () => performance.timeOrigin + performance.now();
const stampOf = (raw: string) => Number(raw.slice(raw.lastIndexOf('at=') + 3));

async function latency(dir: string, count: number, who: 'vigil' | 'tail'): Promise<string> {
  const path = join(dir, `latency-${who}.log`);
  writeFileSync(path, '');
  const samples: number[] = [];
  if (who === 'tail') {
    const tail = startTail([path], (line) => samples.push(now() - stampOf(line)));
    await tail.ready;
    const w = paced(path, count);
    await new Promise((r) => w.once('exit', r));
    await until(() => samples.length >= count, 30_000);
    tail.stop();
  } else {
    const p = await startEngine(dir, path);
    // Steady state: a new file's first lines wait up to 300 ms while its format is
    // detected; the probes measure a file already being followed.
    writeFileSync(path, '2026-11-21T10:00:00.000Z INFO latency warm-up\n'.repeat(20), { flag: 'a' });
    await until(() => p.stored() >= 20, 30_000);
    p.onStored((rs) => {
      const t = now();
      for (const r of rs) if (r.raw.includes('latency probe')) samples.push(t - stampOf(r.raw));
    });
    const w = paced(path, count);
    await new Promise((r) => w.once('exit', r));
    await until(() => samples.length >= count, 30_000);
    await p.close();
  }
  return percentiles(samples);
}

/**
 * A watcher a person installs and forgets must cost nothing while nothing is written: the
 * CPU of following `files` idle files for `seconds`, after they were read.
 */
/** `writtenAgoMs`: the files' modification time is set that far back (logs of finished jobs, say). */
async function idle(dir: string, files: number, seconds: number, who: 'vigil' | 'tail', writtenAgoMs = 0): Promise<string> {
  const folder = join(dir, `idle-${who}-${files}-${writtenAgoMs}`);
  mkdirSync(folder);
  const paths: string[] = [];
  const then = new Date(Date.now() - writtenAgoMs);
  for (let i = 0; i < files; i++) {
    paths.push(join(folder, `f${i}.log`));
    writeFileSync(paths[i]!, makeLines(1, `file ${i} `));
    if (writtenAgoMs) utimesSync(paths[i]!, then, then);
  }
  let cpu: () => number | null;
  let stop: () => Promise<void>;
  if (who === 'tail') {
    const t = startTail(paths);
    await until(() => t.lines() >= files, 30_000);
    cpu = t.cpu;
    stop = async () => t.stop();
  } else {
    const p = await startEngine(dir, folder);
    await until(() => p.stored() >= files, 60_000);
    cpu = ownCpu;
    stop = () => p.close();
  }
  await new Promise((r) => setTimeout(r, 3000)); // past the start-up work
  const c0 = cpu();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const c1 = cpu();
  await stop();
  return c0 === null || c1 === null ? 'CPU unknown' : `${((100 * (c1 - c0)) / (seconds * 1000)).toFixed(2)}% of a core`;
}

/** Decoding alone, in memory, for the share it takes of the tail path. */
function decodeOnly(lines: number, decoders: DecoderFactory): string {
  const text = makeLines(lines);
  const parts = text.split('\n');
  parts.pop();
  const d = decoders.create({});
  let off = 0;
  const t0 = performance.now();
  for (let i = 0; i < parts.length; i++) {
    const l = parts[i]!;
    d.push({ text: l, bytes: null, flags: 0, lineNo: i + 1, startOffset: off, endOffset: (off += l.length + 1), readAt: 0 });
  }
  d.flush();
  const ms = performance.now() - t0;
  return `${Math.round(lines / (ms / 1000)).toLocaleString('en-US')} lines/s`;
}

export async function benchTail(opts: { quick?: boolean } = {}): Promise<void> {
  const lines = opts.quick ? 200_000 : 1_000_000;
  const probes = opts.quick ? 1500 : 4000;
  const { dir, cleanup } = tempDir('vigil-bench-tail-');
  try {
    const generic = new GenericDecoderFactory();
    console.log(
      `tail throughput, ${lines.toLocaleString('en-US')} lines of ~110 bytes appended by another process as fast as it can, until the last is stored (Vigil) / out of the pipe (tail -F); CPU: the process doing it (all its threads; the writer's not counted); wrote: what it wrote per line stored (SQLite's WAL, and the checkpoints copying it into the database).\n` +
        '  engine: Vigil as the app runs it (format detection and decoding, template mining, detection, UI feed); the rows under it take parts away to show what they cost.',
    );
    const cases: [string, number, number][] = [
      ['  1 file              ', 1, 1],
      ['100 files, live       ', 100, 10],
      ['100 files, catching up', 100, 1],
    ];
    for (const [name, files, rounds] of cases) {
      console.log(`  ${name}  vigil engine                              ${await throughput(dir, files, lines, 'engine', 'engine', rounds)}`);
      if (files === 1) console.log(`  ${name}    the same, store at its bound (32 MiB) ${await throughput(dir, files, lines, 'bounded', 'engine-bounded', rounds)}`);
      console.log(`  ${name}    file source + store, generic decoder  ${await throughput(dir, files, lines, 'vigil', generic, rounds)}`);
      console.log(`  ${name}    file source + store, no decoding      ${await throughput(dir, files, lines, 'raw', new PassThroughFactory(), rounds)}`);
      console.log(`  ${name}  tail -F | pipe                            ${await throughput(dir, files, lines, 'tail', 'tail', rounds)}`);
    }
    const formats = createDecoderFactory(loadFormats().formats);
    console.log(`  decode stage alone, in memory: generic ${decodeOnly(Math.min(lines, 300_000), generic)}, format decoder (the engine's) ${decodeOnly(Math.min(lines, 300_000), formats)}`);
    console.log(`append-to-stored latency, one line per ms from another process (${probes} lines):`);
    console.log(`  vigil          ${await latency(dir, probes, 'vigil')}`);
    console.log(`  tail -F | pipe ${await latency(dir, probes, 'tail')}`);
    const seconds = opts.quick ? 5 : 10;
    console.log(`idle: 500 files followed (a folder source), nothing written for ${seconds} s, CPU of the process:`);
    console.log(`  vigil engine   ${await idle(dir, 500, seconds, 'vigil')}`);
    console.log(`  tail -F        ${await idle(dir, 500, seconds, 'tail')}`);
    const many = opts.quick ? 2000 : 5000;
    console.log(`idle: ${many.toLocaleString('en-US')} files last written a day ago (a folder of finished jobs' logs), nothing written for ${seconds} s, CPU of the process:`);
    console.log(`  vigil engine   ${await idle(dir, many, seconds, 'vigil', 86_400_000)}`);
    console.log(`  tail -F        ${await idle(dir, many, seconds, 'tail', 86_400_000)}`);
  } finally {
    cleanup();
  }
}
