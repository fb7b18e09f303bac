import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { createDecoderFactory, DrainMiner, loadFormats } from '../../electron/engine/decode/index.js';
import { readLineBatches } from '../../electron/engine/decode/read-lines.js';
import { decodeInWorkers, isDecodeWorker, runDecodeWorker } from '../../electron/engine/decode/worker-decode.js';
import type { SourceLine } from '../../electron/engine/decode/types.js';
import { xorshift32 } from '../support/prng.js';

// Decode + template throughput, on the Loghub-2k corpus and on a generated file that
// concatenates runs of common formats (as `cat app/*.log` would), with peak RSS and the
// same file counted by lnav for scale. Figures only: nothing here asserts a timing.

const MiB = 1024 * 1024;

function repoRoot(): string {
  if (process.env.VIGIL_REPO_ROOT) return process.env.VIGIL_REPO_ROOT;
  if (existsSync(join(process.cwd(), 'resources', 'formats'))) return process.cwd();
  let d = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 6; k++) {
    if (existsSync(join(d, 'resources', 'formats'))) return d;
    d = resolve(d, '..');
  }
  return process.cwd();
}

// xorshift32: the same file for the same size, every run.
const rng = xorshift32;

type Gen = (r: () => number, t: number) => string;
const pick = <T>(r: () => number, a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
const ip = (r: () => number) => `${10 + Math.floor(r() * 200)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`;
const int = (r: () => number, n: number) => Math.floor(r() * n);
const USERS = ['root', 'admin', 'deploy', 'alice', 'bob', 'oracle', 'test', 'git', 'ubuntu', 'postgres'];
const PATHS = ['/', '/index.html', '/api/orders', '/api/users/42', '/static/app.js', '/login', '/health', '/images/logo.png'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');
const iso = (t: number) => new Date(t).toISOString();
const sysTs = (t: number) => {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
};
const log4jTs = (t: number) => iso(t).replace('T', ' ').replace('.', ',').slice(0, 23);

const GENERATORS: { name: string; gen: Gen }[] = [
  {
    name: 'syslog',
    gen: (r, t) =>
      pick(r, [
        () => `${sysTs(t)} web1 sshd[${int(r, 30000)}]: Failed password for ${pick(r, USERS)} from ${ip(r)} port ${int(r, 65535)} ssh2`,
        () => `${sysTs(t)} web1 sshd[${int(r, 30000)}]: Accepted publickey for ${pick(r, USERS)} from ${ip(r)} port ${int(r, 65535)} ssh2`,
        () => `${sysTs(t)} web1 CRON[${int(r, 30000)}]: (root) CMD (run-parts /etc/cron.hourly)`,
        () => `${sysTs(t)} web1 kernel: [${int(r, 99999)}.${int(r, 999999)}] eth0: link up, 1000 Mbps, full duplex`,
        () => `${sysTs(t)} web1 systemd[1]: Started Session ${int(r, 9999)} of user ${pick(r, USERS)}.`,
      ])(),
  },
  {
    name: 'access',
    gen: (r, t) => {
      const d = new Date(t);
      const ts = `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
      return `${ip(r)} - ${r() < 0.1 ? pick(r, USERS) : '-'} [${ts}] "${pick(r, ['GET', 'GET', 'POST', 'PUT'])} ${pick(r, PATHS)}?id=${int(r, 1e6)} HTTP/1.1" ${pick(r, [200, 200, 200, 304, 404, 500, 502])} ${int(r, 50000)} "-" "${pick(r, ['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.5.0', 'Googlebot/2.1'])}"`;
    },
  },
  {
    name: 'log4j',
    gen: (r, t) => {
      const head = `${log4jTs(t)} ${pick(r, ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'])} [${pick(r, ['main', 'http-nio-8080-exec-' + int(r, 20), 'scheduler-1'])}] ${pick(r, ['com.example.shop.OrderService', 'org.hibernate.SQL', 'com.example.shop.Cache'])}: `;
      const msg = pick(r, [
        () => `Order ${int(r, 1e6)} placed by user ${int(r, 1e5)} total ${int(r, 1000)}.${int(r, 99)} EUR`,
        () => `Cache hit ratio ${int(r, 100)}% after ${int(r, 1e6)} lookups`,
        () => `Query took ${int(r, 5000)} ms: select * from orders where id = ${int(r, 1e6)}`,
        () => `Payment gateway timeout after ${int(r, 30)} s, retrying (attempt ${int(r, 5)})`,
      ])();
      if (r() < 0.02) {
        return `${head}Failed to process order ${int(r, 1e6)}\njava.lang.IllegalStateException: inventory missing for sku=A-${int(r, 999)}\n\tat com.example.shop.OrderService.place(OrderService.java:${int(r, 300)})\n\tat com.example.shop.OrderController.post(OrderController.java:31)\n\tat java.base/java.lang.Thread.run(Thread.java:833)`;
      }
      return head + msg;
    },
  },
  {
    name: 'pino',
    gen: (r, t) =>
      JSON.stringify({ level: pick(r, [30, 30, 30, 40, 50]), time: t, pid: 4242, hostname: 'api-1', reqId: `req-${int(r, 1e6)}`, msg: pick(r, ['request completed', 'request errored', 'db pool exhausted', 'cache miss']), responseTime: int(r, 2000) }),
  },
  {
    name: 'logfmt',
    gen: (r, t) => `time=${iso(t)} level=${pick(r, ['info', 'info', 'warn', 'error'])} msg="${pick(r, ['job finished', 'job failed', 'lease renewed'])}" job=${int(r, 1e5)} duration=${int(r, 9999)}ms worker=w${int(r, 16)}`,
  },
  {
    name: 'python',
    gen: (r, t) => {
      const line = `${log4jTs(t)} - ${pick(r, ['app.web', 'app.db', 'app.tasks'])} - ${pick(r, ['INFO', 'INFO', 'WARNING', 'ERROR'])} - ${pick(r, [`GET /api/items/${int(r, 1e4)} ${pick(r, [200, 404, 500])} in ${int(r, 900)}ms`, `task ${int(r, 1e6)} retried ${int(r, 5)} times`, `connection pool size ${int(r, 64)}`])}`;
      return r() < 0.01 ? `${line}\nTraceback (most recent call last):\n  File "/srv/app/db.py", line ${int(r, 300)}, in run\n    cur.execute(sql)\npsycopg2.OperationalError: server closed the connection unexpectedly` : line;
    },
  },
  {
    name: 'nginx-error',
    gen: (r, t) => `${iso(t).slice(0, 19).replace('T', ' ').replace(/-/g, '/')} [${pick(r, ['error', 'warn', 'notice'])}] ${int(r, 9999)}#0: *${int(r, 1e6)} connect() failed (111: Connection refused) while connecting to upstream, client: ${ip(r)}, server: shop, request: "GET ${pick(r, PATHS)} HTTP/1.1", upstream: "http://127.0.0.1:${8000 + int(r, 10)}/"`,
  },
  {
    name: 'glog',
    gen: (r, t) => {
      const d = new Date(t);
      return `${pick(r, ['I', 'I', 'W', 'E'])}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(int(r, 1e6)).padStart(6, '0')}    ${int(r, 9999)} ${pick(r, ['reflector.go', 'controller.go', 'server.go'])}:${int(r, 500)}] ${pick(r, [`Successfully synced ${pick(r, ['pod', 'node', 'service'])} "default/web-${int(r, 99)}"`, `Watch close - *v1.Pod total ${int(r, 500)} items received`, `failed to list *v1.Endpoints: connection refused`])}`;
    },
  },
];

// One-format files for the lnav comparison: formats both tools know out of the box, so lnav
// reads every line too (lnav 0.11 has no pino/bunyan format; journald JSON is its JSON one).
const SINGLE: { name: string; gen: Gen }[] = [
  GENERATORS[0]!,
  GENERATORS[1]!,
  {
    name: 'journald-json',
    gen: (r, t) =>
      JSON.stringify({
        __REALTIME_TIMESTAMP: String(t * 1000 + int(r, 1000)),
        __MONOTONIC_TIMESTAMP: String(t * 10 + int(r, 10)),
        PRIORITY: pick(r, ['6', '6', '6', '5', '4', '3']),
        _HOSTNAME: 'web1',
        _SYSTEMD_UNIT: pick(r, ['nginx.service', 'sshd.service', 'cron.service']),
        SYSLOG_IDENTIFIER: pick(r, ['nginx', 'sshd', 'CRON']),
        _PID: String(int(r, 30000)),
        MESSAGE: pick(r, [
          () => `Failed password for ${pick(r, USERS)} from ${ip(r)} port ${int(r, 65535)} ssh2`,
          () => `worker process ${int(r, 30000)} exited with code ${int(r, 3)}`,
          () => `pam_unix(cron:session): session opened for user ${pick(r, USERS)} by (uid=0)`,
        ])(),
      }),
  },
];

/** Names accepted by generateFile besides 'mix'. */
export const SINGLE_FORMATS = SINGLE.map((g) => g.name);

/** Writes `bytes` of runs of generated lines (streaming, with backpressure). */
export async function generateMixFile(path: string, bytes: number): Promise<void> {
  return generateFile(path, bytes, GENERATORS);
}

async function generateFile(path: string, bytes: number, generators: readonly { gen: Gen }[]): Promise<void> {
  const out = createWriteStream(path);
  const r = rng(42);
  let written = 0;
  let t = Date.UTC(2024, 4, 1);
  let g = 0;
  while (written < bytes) {
    const gen = generators[g++ % generators.length]!.gen;
    const run = 2000 + int(r, 8000);
    let chunk = '';
    for (let i = 0; i < run && written + chunk.length < bytes; i++) {
      t += int(r, 50);
      chunk += gen(r, t) + '\n';
      if (chunk.length > 1 << 16) {
        written += chunk.length;
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    written += chunk.length;
    if (chunk && !out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Writes `bytes` of one format's generated lines (see SINGLE_FORMATS). */
export function generateFormatFile(path: string, bytes: number, name: string): Promise<void> {
  const g = SINGLE.find((x) => x.name === name);
  if (!g) throw new Error(`no generator for ${name} (have: ${SINGLE_FORMATS.join(', ')})`);
  return generateFile(path, bytes, [g]);
}

interface Run {
  lines: number;
  records: number;
  bytes: number;
  /** Wall time of the decode loop. */
  ms: number;
  /** CPU time of the decode loop (user + system): the figure that holds on a busy machine. */
  cpuMs: number;
  templates: number;
}

/** One tool's run over one file, as a whole process (start-up and all). */
interface ProcessRun {
  /** Wall time from spawn to exit. */
  ms: number;
  /** User + system CPU of the process. */
  cpuMs: number;
  /** Peak resident set, MiB. */
  rssMiB: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Decodes and mines one file, streaming. */
async function decodeFile(path: string, factory: ReturnType<typeof createDecoderFactory>, miner: DrainMiner): Promise<Run> {
  const size = statSync(path).size;
  const d = factory.create({ fileMtimeMs: statSync(path).mtimeMs });
  let lines = 0;
  let records = 0;
  const t0 = performance.now();
  const c0 = cpuMs();
  for await (const batch of readLineBatches(path)) {
    lines += batch.length;
    for (const line of batch) {
      for (const rec of d.push(line)) {
        miner.match(rec.message, rec.ts ?? 0);
        records++;
      }
    }
  }
  for (const rec of d.flush()) {
    miner.match(rec.message, rec.ts ?? 0);
    records++;
  }
  return { lines, records, bytes: size, ms: performance.now() - t0, cpuMs: cpuMs() - c0, templates: miner.templates().length };
}

/** Decodes on worker threads and mines here (the offline path, see worker-decode.ts). */
async function decodeFileTwoThreads(path: string, formatsDir: string): Promise<Run> {
  const miner = new DrainMiner();
  const t0 = performance.now();
  const c0 = cpuMs(); // the process's CPU: all threads
  const r = await decodeInWorkers(path, { script: new URL(import.meta.url), formatsDir }, (key, ts, head) => {
    miner.matchHead(head, key, ts ?? 0);
  });
  return { lines: r.lines, records: r.records, bytes: statSync(path).size, ms: performance.now() - t0, cpuMs: cpuMs() - c0, templates: miner.templates().length };
}

// Each file is decoded by a child process running this same script with the variables below
// set: its figures are its own (peak RSS, JIT warm-up, start-up included in the process
// time), like lnav's. With two threads, the child's decode workers run this script too.
const CHILD_ENV = 'VIGIL_BENCH_DECODE_FILE';
const THREADS_ENV = 'VIGIL_BENCH_DECODE_THREADS';

if (isDecodeWorker(workerData)) {
  await runDecodeWorker(workerData, parentPort!);
} else if (process.env[CHILD_ENV]) {
  const path = process.env[CHILD_ENV]!;
  const dir = join(repoRoot(), 'resources', 'formats');
  const run =
    process.env[THREADS_ENV] === '2' ? await decodeFileTwoThreads(path, dir) : await decodeFile(path, createDecoderFactory(loadFormats([], { dir }).formats), new DrainMiner());
  const u = process.cpuUsage();
  process.stdout.write(JSON.stringify({ run, cpuMs: (u.user + u.system) / 1000, rssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
  process.exit(0);
}

function spawnTimed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; out: string; code: number | null }> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ ms: performance.now() - t0, out: out + err, code }));
  });
}

/**
 * The script the children run: this file bundled on its own, so that a child's start-up and
 * RSS are the decode engine's (the whole bench script loads SQLite, Docker clients, ...).
 */
async function childScript(root: string): Promise<string | null> {
  const out = join(tmpdir(), 'vigil-bench-decode-child.mjs');
  try {
    const { build } = await import('esbuild');
    await build({ absWorkingDir: root, entryPoints: ['test/bench/decode.bench.ts'], bundle: true, platform: 'node', target: 'node22', format: 'esm', packages: 'external', outfile: out, logLevel: 'error' });
    return out;
  } catch (e) {
    console.log(`could not bundle the decode child (${(e as Error).message.split('\n')[0]}): no per-file runs`);
    return null;
  }
}

async function vigilProcess(script: string, path: string, threads: 1 | 2): Promise<{ run: Run; proc: ProcessRun }> {
  const r = await spawnTimed(process.execPath, [script], { ...process.env, [CHILD_ENV]: path, [THREADS_ENV]: String(threads), VIGIL_REPO_ROOT: repoRoot() });
  const line = r.out.split('\n').find((l) => l.startsWith('{"run"'));
  if (r.code !== 0 || !line) throw new Error(`decode child failed (${r.code}): ${r.out.slice(-2000)}`);
  const o = JSON.parse(line) as { run: Run; cpuMs: number; rssMiB: number };
  return { run: o.run, proc: { ms: r.ms, cpuMs: o.cpuMs, rssMiB: o.rssMiB } };
}

const LNAV = '/usr/bin/lnav';
const TIME = '/usr/bin/time';

/** lnav -n -c ';SELECT count(*) FROM all_logs' FILE, timed by GNU time when there is one. */
async function lnavProcess(path: string): Promise<{ count: number; proc: ProcessRun } | null> {
  if (!existsSync(LNAV)) return null;
  const home = join(tmpdir(), 'vigil-bench-lnav-home');
  mkdirSync(home, { recursive: true });
  const env = { ...process.env, HOME: home };
  const args = ['-n', '-c', ';SELECT count(*) FROM all_logs', path];
  const timed = existsSync(TIME);
  const r = timed ? await spawnTimed(TIME, ['-f', 'vigil-bench-time %e %U %S %M', LNAV, ...args], env) : await spawnTimed(LNAV, args, env);
  if (r.code !== 0) return null;
  const t = /vigil-bench-time (\S+) (\S+) (\S+) (\d+)/.exec(r.out);
  const count = Number(/count\(\*\)\s+(\d+)/.exec(r.out)?.[1] ?? NaN);
  return {
    count,
    proc: t ? { ms: Number(t[1]) * 1000, cpuMs: (Number(t[2]) + Number(t[3])) * 1000, rssMiB: Number(t[4]) / 1024 } : { ms: r.ms, cpuMs: NaN, rssMiB: NaN },
  };
}

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '?');
const perS = (n: number, ms: number) => fmt((n / ms) * 1000);
const mib = (bytes: number) => bytes / MiB;

/** The same file every run: generated once into the temp folder, named by content version and size. */
async function benchFile(kind: string, bytes: number): Promise<string> {
  const path = join(tmpdir(), kind === 'mix' ? `vigil-bench-decode-mix-v1-${bytes}.log` : `vigil-bench-decode-${kind}-v1-${bytes}.log`);
  if (!existsSync(path) || statSync(path).size < bytes) {
    const g0 = performance.now();
    if (kind === 'mix') await generateMixFile(path, bytes);
    else await generateFormatFile(path, bytes, kind);
    console.log(`generated ${path} (${mib(statSync(path).size).toFixed(0)} MiB) in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
  }
  return path;
}

export async function benchDecode(opts: { quick?: boolean } = {}): Promise<void> {
  const root = repoRoot();
  const { formats, errors } = loadFormats([], { dir: join(root, 'resources', 'formats') });
  if (errors.length) console.log('format errors:', errors);
  const factory = createDecoderFactory(formats);

  // 1. Corpus: each system decoded in memory, repeated to get past JIT warm-up.
  const corpus = resolve(root, '..', 'shared', 'corpus', 'loghub-2k');
  if (existsSync(corpus)) {
    const systems = ['Apache', 'BGL', 'HDFS', 'HPC', 'Hadoop', 'HealthApp', 'Linux', 'OpenSSH', 'Proxifier', 'Spark', 'Zookeeper'];
    const texts = systems.map((s) => readFileSync(join(corpus, s, `${s}_2k.log`)));
    const reps = opts.quick ? 5 : 50;
    // Each system's file fed `reps` times to one decoder and one miner: the steady state of a
    // long file (detection once, templates known after the first round).
    let lines = 0;
    let bytes = 0;
    const perSystem: string[][] = [['system', 'lines', 'lines/s', 'per CPU-s', 'MiB/s']];
    const t0 = performance.now();
    const c0 = cpuMs();
    texts.forEach((buf, s) => {
      const ts0 = performance.now();
      const cs0 = cpuMs();
      const d = factory.create({ fileMtimeMs: Date.UTC(2025, 0, 1) });
      const miner = new DrainMiner();
      const text = buf.toString('utf8');
      let n = 0;
      for (let k = 0; k < reps; k++) {
        let start = 0;
        while (start < text.length) {
          let end = text.indexOf('\n', start);
          if (end < 0) end = text.length;
          const l = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
          const line: SourceLine = { text: l, bytes: null, flags: 0, lineNo: ++n, startOffset: start, endOffset: end + 1, readAt: 0 };
          for (const rec of d.push(line)) miner.match(rec.message, rec.ts ?? 0);
          start = end + 1;
        }
      }
      for (const rec of d.flush()) miner.match(rec.message, rec.ts ?? 0);
      lines += n;
      bytes += buf.length * reps;
      const ms = performance.now() - ts0;
      perSystem.push([systems[s]!, fmt(n), perS(n, ms), perS(n, cpuMs() - cs0), ((mib(buf.length * reps) / ms) * 1000).toFixed(1)]);
    });
    const ms = performance.now() - t0;
    const cpu = cpuMs() - c0;
    console.log(
      `decode+template, Loghub-2k corpus in memory (11 systems x ${reps}, ${fmt(lines)} lines): ` +
        `${perS(lines, ms)} lines/s wall, ${perS(lines, cpu)} lines per CPU-second, ${((mib(bytes) / ms) * 1000).toFixed(1)} MiB/s wall ` +
        `(2,000-line files: no lnav run, its start-up would be the figure; the first systems include JIT warm-up)`,
    );
    printTable(perSystem);
  } else {
    console.log(`corpus not found at ${corpus}: skipped`);
  }

  // 2. Generated files, streamed from disk by a child process each, and the same file counted by lnav.
  const mixBytes = Number(process.env.VIGIL_BENCH_DECODE_BYTES ?? (opts.quick ? 32 * MiB : 1024 * MiB));
  const singleBytes = Number(process.env.VIGIL_BENCH_DECODE_SINGLE_BYTES ?? (opts.quick ? 32 * MiB : 256 * MiB));
  const files = [{ kind: 'mix', bytes: mixBytes }, ...SINGLE_FORMATS.map((kind) => ({ kind, bytes: singleBytes }))];
  const paths = [];
  for (const f of files) paths.push(await benchFile(f.kind, f.bytes));
  const script = await childScript(root);
  if (!script) return;
  // Start-up on a one-line file; lnav also writes its configuration on its first start.
  const tiny = join(tmpdir(), 'vigil-bench-decode-one-line.log');
  writeFileSync(tiny, 'May  1 00:00:00 web1 sshd[1]: one line\n');
  const vStart = await vigilProcess(script, tiny, 1);
  const lStart = existsSync(LNAV) ? (await lnavProcess(tiny), await lnavProcess(tiny)) : null;
  console.log(
    `start-up on a one-line file: Vigil ${(vStart.proc.ms / 1000).toFixed(2)} s, ${vStart.proc.rssMiB.toFixed(0)} MiB` +
      (lStart ? `; lnav ${(lStart.proc.ms / 1000).toFixed(2)} s, ${lStart.proc.rssMiB.toFixed(0)} MiB` : ''),
  );

  const runs = [];
  for (let k = 0; k < files.length; k++) {
    const path = paths[k]!;
    runs.push({ kind: files[k]!.kind, one: await vigilProcess(script, path, 1), two: await vigilProcess(script, path, 2), lnav: await lnavProcess(path) });
  }
  const name = (kind: string) => (kind === 'mix' ? 'mix (8 formats)' : kind);

  console.log(
    '\nVigil: decode + template mining of every line, one process per file. lines/s: over the decode loop (wall, and per CPU-second\n' +
      'of the process, all threads counted); process: spawn to exit. 2 threads: the offline path (same records and templates as\n' +
      '1 thread): from 64 MiB two workers decode parts of the file while the main thread mines; below, one worker decodes and the\n' +
      'main thread hashes and mines. Figures depend on the machine being otherwise idle.',
  );
  printTable([
    ['file', 'MiB', 'lines', 'threads', 'lines/s', 'per CPU-s', 'MiB/s', 'process s', 'CPU s', 'peak RSS', 'templates'],
    ...runs.flatMap((x) =>
      ([1, 2] as const).map((t) => {
        const v = t === 1 ? x.one : x.two;
        const r = v.run;
        return [t === 1 ? name(x.kind) : '', t === 1 ? mib(r.bytes).toFixed(0) : '', t === 1 ? fmt(r.lines) : '', String(t), perS(r.lines, r.ms), perS(r.lines, r.cpuMs), ((mib(r.bytes) / r.ms) * 1000).toFixed(1), (v.proc.ms / 1000).toFixed(2), (v.proc.cpuMs / 1000).toFixed(2), `${v.proc.rssMiB.toFixed(0)} MiB`, String(r.templates)];
      }),
    ),
  ]);
  if (!existsSync(LNAV)) {
    console.log('lnav not available: no comparison');
    return;
  }
  console.log(
    "\nlnav -n -c ';SELECT count(*) FROM all_logs' on the same files (indexes every message: its time and level; fields parsed lazily).\n" +
      'speed: lnav process time / Vigil process time (above 1: Vigil is faster end to end); CPU: lnav CPU time / Vigil CPU time,\n' +
      'one thread (the figure that holds when other work shares the machine).',
  );
  printTable([
    ['file', 'lines counted', 'lines/s', 'process s', 'CPU s', 'peak RSS', 'speed, 1 thread', 'speed, 2 threads', 'CPU, 1 thread'],
    ...runs.map((x) => {
      const l = x.lnav;
      if (!l) return [name(x.kind), 'failed', '', '', '', '', '', '', ''];
      return [
        name(x.kind),
        fmt(l.count),
        perS(l.count, l.proc.ms),
        (l.proc.ms / 1000).toFixed(2),
        (l.proc.cpuMs / 1000).toFixed(2),
        `${l.proc.rssMiB.toFixed(0)} MiB`,
        `${(l.proc.ms / x.one.proc.ms).toFixed(2)}x`,
        `${(l.proc.ms / x.two.proc.ms).toFixed(2)}x`,
        `${(l.proc.cpuMs / x.one.proc.cpuMs).toFixed(2)}x`,
      ];
    }),
  ]);
  for (const x of runs) {
    if (x.lnav && x.lnav.count < x.one.run.lines * 0.9) {
      console.log(`${name(x.kind)}: lnav counted ${fmt(x.lnav.count)} of ${fmt(x.one.run.lines)} lines: it reads a file with one format and takes the lines that format does not read as part of the message before them`);
    }
  }
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
}
