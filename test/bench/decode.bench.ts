import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDecoderFactory, DrainMiner, loadFormats } from '../../electron/engine/decode/index.js';
import { readLineBatches } from '../../electron/engine/decode/read-lines.js';
import type { SourceLine } from '../../electron/engine/decode/types.js';

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
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

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

/** Writes `bytes` of runs of generated lines (streaming, with backpressure). */
export async function generateMixFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const r = rng(42);
  let written = 0;
  let t = Date.UTC(2024, 4, 1);
  let g = 0;
  while (written < bytes) {
    const gen = GENERATORS[g++ % GENERATORS.length]!.gen;
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

interface Run {
  lines: number;
  records: number;
  bytes: number;
  /** Wall time. */
  ms: number;
  /** CPU time of this process (user + system): the figure that holds on a busy machine. */
  cpuMs: number;
  templates: number;
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

function timeLnav(files: string[]): Promise<{ ms: number; out: string } | null> {
  return new Promise((resolvePromise) => {
    if (!existsSync('/usr/bin/lnav')) return resolvePromise(null);
    const home = join(tmpdir(), 'vigil-bench-lnav-home');
    mkdirSync(home, { recursive: true });
    const t0 = performance.now();
    const child = spawn('/usr/bin/lnav', ['-n', '-c', ';SELECT count(*) FROM all_logs', ...files], { env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', () => resolvePromise(null));
    child.on('close', (code) => resolvePromise(code === 0 ? { ms: performance.now() - t0, out: out.trim().split(/\s+/).pop() ?? '' } : null));
  });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const rate = (r: Run) =>
  `${fmt((r.lines / r.ms) * 1000)} lines/s, ${((r.bytes / MiB / r.ms) * 1000).toFixed(1)} MiB/s wall; ` +
  `${fmt((r.lines / r.cpuMs) * 1000)} lines/s, ${((r.bytes / MiB / r.cpuMs) * 1000).toFixed(1)} MiB/s per CPU second`;

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
    const t0 = performance.now();
    const c0 = cpuMs();
    texts.forEach((buf) => {
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
        bytes += buf.length;
      }
      for (const rec of d.flush()) miner.match(rec.message, rec.ts ?? 0);
      lines += n;
    });
    const run: Run = { lines, bytes, ms: performance.now() - t0, cpuMs: cpuMs() - c0, records: 0, templates: 0 };
    console.log(`decode+template, Loghub-2k corpus (11 systems x ${reps}): ${rate(run)}`);
  } else {
    console.log(`corpus not found at ${corpus}: skipped`);
  }

  // 2. Generated mix file, streamed from disk.
  const size = Number(process.env.VIGIL_BENCH_DECODE_BYTES ?? (opts.quick ? 32 * MiB : 1024 * MiB));
  const path = join(tmpdir(), `vigil-bench-decode-mix-v1-${size}.log`);
  if (!existsSync(path) || statSync(path).size < size) {
    const g0 = performance.now();
    await generateMixFile(path, size);
    console.log(`generated ${path} (${(statSync(path).size / MiB).toFixed(0)} MiB) in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
  }
  const miner = new DrainMiner();
  const run = await decodeFile(path, factory, miner);
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(
    `decode+template, generated mix (${(run.bytes / MiB).toFixed(0)} MiB, ${fmt(run.lines)} lines, ${fmt(run.records)} records, ${run.templates} templates): ${rate(run)}; ` +
      `${(run.ms / 1000).toFixed(2)} s; peak RSS ${rssMiB.toFixed(0)} MiB`,
  );
  const lnav = await timeLnav([path]);
  if (lnav) {
    console.log(
      `lnav -n -c ';SELECT count(*) FROM all_logs' on the same file: ${(lnav.ms / 1000).toFixed(2)} s wall (count ${lnav.out}); ` +
        `Vigil/lnav wall-time ratio ${(run.ms / lnav.ms).toFixed(2)} (lnav indexes lines and parses lazily; Vigil decodes every record and mines its template)`,
    );
  } else {
    console.log('lnav not available: no comparison');
  }
}
