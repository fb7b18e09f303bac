// Runs test/support/engine-child.ts in a separate Node process: bundled with esbuild into
// node_modules/.cache (so its bare imports resolve to the repo's node_modules), then
// spawned directly (no npx, so a kill reaches the engine itself), optionally as another
// user (setpriv) or inside a user namespace with a lower inotify watch limit (unshare).
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceView } from '../../shared/types.js';
import type { FileSourceOptions } from '../../electron/engine/sources/file/file-source.js';
import type { IngestorOptions } from '../../electron/engine/pipeline/ingestor.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let bundled: Promise<string> | null = null;

/** The child bundled once per test process; removed at exit. */
export function engineChildScript(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(repo, 'node_modules', '.cache', 'vigil-test');
    mkdirSync(dir, { recursive: true });
    // Test workers are often ended without an 'exit' event: sweep bundles of dead processes.
    for (const name of readdirSync(dir)) {
      const pid = Number(/^engine-child-(\d+)-/.exec(name)?.[1]);
      if (pid && !alive(pid)) rmSync(join(dir, name), { force: true });
    }
    const out = join(dir, `engine-child-${process.pid}-${Date.now()}.mjs`);
    await build({
      entryPoints: [join(repo, 'test', 'support', 'engine-child.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      target: 'node22',
      outfile: out,
      logLevel: 'error',
    });
    process.once('exit', () => rmSync(out, { force: true }));
    return out;
  })();
  return bundled;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface EngineProcessOptions {
  dataDir: string;
  fileOptions?: FileSourceOptions;
  ingestor?: IngestorOptions;
  reportMs?: number;
  /** Run as this user (via setpriv; the test must run as root). */
  user?: { uid: number; gid: number };
  /** Run in a new user namespace whose inotify watch limit is this (a real kernel limit). */
  inotifyWatchLimit?: number;
}

export class EngineProcess {
  views: SourceView[] = [];
  stderr = '';
  private exited: Promise<number | null>;
  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((r) => child.once('exit', (code, signal) => r(signal ? null : code)));
  }

  static async start(opts: EngineProcessOptions): Promise<EngineProcess> {
    const script = await engineChildScript();
    const env = { ...process.env, VIGIL_CHILD: JSON.stringify({ dataDir: opts.dataDir, fileOptions: opts.fileOptions, ingestor: opts.ingestor, reportMs: opts.reportMs }) };
    let cmd = process.execPath;
    let args = [script];
    if (opts.user) {
      args = [`--reuid=${opts.user.uid}`, `--regid=${opts.user.gid}`, '--clear-groups', '--inh-caps=-all', cmd, ...args];
      cmd = 'setpriv';
    }
    if (opts.inotifyWatchLimit !== undefined) {
      args = ['-U', '-r', 'sh', '-c', `echo ${opts.inotifyWatchLimit} > /proc/sys/user/max_inotify_watches && exec "$0" "$@"`, cmd, ...args];
      cmd = 'unshare';
    }
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const p = new EngineProcess(child);
    child.stderr!.on('data', (d) => {
      p.stderr += d;
      // For debugging a run: VIGIL_CHILD_STDERR=/some/file collects every child's stderr.
      if (process.env.VIGIL_CHILD_STDERR) appendFileSync(process.env.VIGIL_CHILD_STDERR, d);
    });
    let buf = '';
    let ready: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    child.stdout!.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const msg = JSON.parse(line) as { type: string; views?: SourceView[] };
          if (msg.type === 'ready') ready();
          if (msg.type === 'sources' && msg.views) p.views = msg.views;
        } catch {
          /* not ours */
        }
      }
    });
    await Promise.race([
      isReady,
      p.exited.then((code) => {
        throw new Error(`engine child exited (${code}) before it was ready; stderr:\n${p.stderr}`);
      }),
      new Promise((_, rej) => setTimeout(() => rej(new Error(`engine child not ready in time; stderr:\n${p.stderr}`)), 30_000)),
    ]);
    return p;
  }

  /** The status of a source as last reported. */
  status(name: string): SourceView['status'] | undefined {
    return this.views.find((v) => v.config.name === name)?.status;
  }

  /** SIGKILL: no cleanup, no flush, as a crash or the OOM killer. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM and wait for a clean exit. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** Raw lines stored for `source`, in id order, read through a separate read-only connection. */
export function storedLines(dbPath: string, source: string): string[] {
  let db: Database.Database;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  try {
    db.pragma('busy_timeout = 2000');
    return db.prepare('SELECT r.raw FROM records r JOIN sources s ON s.id = r.source_id WHERE s.name = ? ORDER BY r.id').pluck().all(source) as string[];
  } catch {
    return []; // schema not there yet
  } finally {
    db.close();
  }
}
