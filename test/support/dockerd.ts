// A real Docker engine for tests: dockerd on a private socket under a temporary RUN folder,
// with a busybox image imported from the host's /bin/busybox (nothing is pulled). It can
// be stopped and started again mid-test (same data root: containers and image survive).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';

export const BUSYBOX_IMAGE = 'vigil-test/busybox:1';

/** Why a real dockerd cannot run here, or null when it can. */
export function dockerdProblem(): string | null {
  const missing = ['dockerd', 'containerd', 'runc', 'tar', 'openssl'].filter((b) => spawnSync('which', [b]).status !== 0);
  if (missing.length) return `${missing.join(', ')} not installed (apt-get install docker.io busybox-static)`;
  if (!existsSync('/bin/busybox')) return '/bin/busybox not installed (apt-get install busybox-static)';
  if (process.getuid?.() !== 0) return 'dockerd needs root';
  return null;
}

/**
 * Call at the top of a test file: outside CI a missing dockerd skips (saying why); in CI
 * (CI is set) it is an error, so a broken CI image cannot pass the docker tests by skipping them.
 */
export function dockerdAvailable(): boolean {
  const problem = dockerdProblem();
  if (!problem) return true;
  if (process.env.CI) throw new Error(`the docker tests need a real dockerd in CI: ${problem}`);
  console.warn(`skipping docker tests: ${problem}`);
  return false;
}

export interface DockerdOptions {
  /** Also listen on 127.0.0.1 over TCP with mutual TLS (certificates made here with openssl). */
  tls?: boolean;
}

/** Client-side TLS material of a TLS-enabled engine: file paths, as a source's `tls` takes them. */
export interface TlsClient {
  host: string;
  ca: string;
  cert: string;
  key: string;
}

export class Dockerd {
  readonly socket: string;
  readonly host: string;
  readonly api: Docker;
  tls: TlsClient | null = null;
  private proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private tlsArgs: string[] = [];

  private constructor(readonly dir: string) {
    this.socket = join(dir, 'docker.sock');
    this.host = `unix://${this.socket}`;
    this.api = new Docker({ socketPath: this.socket });
  }

  /** Starts a fresh engine and imports the busybox image. */
  static async create(opts: DockerdOptions = {}): Promise<Dockerd> {
    const d = new Dockerd(mkdtempSync(join(tmpdir(), 'vigil-dockerd-')));
    try {
      if (opts.tls) await d.makeTls();
      await d.start();
      await d.importBusybox();
    } catch (err) {
      await d.close();
      throw err;
    }
    return d;
  }

  get pid(): number | null {
    return this.proc?.pid ?? null;
  }

  async start(): Promise<void> {
    if (this.proc) return;
    const log = openSync(join(this.dir, 'dockerd.log'), 'a');
    const proc = spawn(
      'dockerd',
      [
        '--host', this.host,
        '--data-root', join(this.dir, 'data'),
        '--exec-root', join(this.dir, 'exec'),
        '--pidfile', join(this.dir, 'dockerd.pid'),
        '--iptables=false', '--ip6tables=false', '--bridge=none',
        // busybox sh as PID 1 ignores SIGTERM: do not wait the default 15 s per container on stop.
        '--shutdown-timeout', '1',
        ...this.tlsArgs,
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const end = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        this.proc = null;
        throw new Error(`dockerd exited at start:\n${this.logTail()}`);
      }
      try {
        await this.api.ping();
        return;
      } catch {
        if (Date.now() > end) throw new Error(`dockerd did not answer on ${this.socket} within 30 s:\n${this.logTail()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Stops the engine (its containers stop with it); `start` brings it back with the same data. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      await this.exited;
      clearTimeout(killer);
    }
    spawnSync('umount', [join(this.dir, 'exec', 'netns', 'default')], { stdio: 'ignore' });
  }

  async close(): Promise<void> {
    try {
      const all = this.proc ? await this.api.listContainers({ all: true }) : [];
      await Promise.all(all.map((c) => this.api.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    } catch {
      /* the engine is going away anyway */
    }
    await this.stop();
    // Container mounts went away with dockerd, so the data root can be removed.
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(join(this.dir, 'dockerd.log'), 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no dockerd log)';
    }
  }

  /**
   * Creates and starts a busybox container running `sh -c script`. `sh` as PID 1 ignores
   * SIGTERM, so stopping (also by dockerd's own shutdown) would wait 10 s: SIGKILL instead.
   */
  async run(name: string, script: string, opts: Partial<Docker.ContainerCreateOptions> = {}): Promise<Docker.Container> {
    const c = await this.api.createContainer({ name, Image: BUSYBOX_IMAGE, Cmd: ['sh', '-c', script], StopSignal: 'SIGKILL', ...opts });
    await c.start();
    return c;
  }

  /** A CA, a server certificate for 127.0.0.1 and a client certificate, all EC P-256. */
  private async makeTls(): Promise<void> {
    const dir = join(this.dir, 'tls');
    mkdirSync(dir);
    const f = (name: string) => join(dir, name);
    const ssl = (...args: string[]) => {
      const r = spawnSync('openssl', args, { cwd: dir });
      if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
    };
    const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl('req', '-x509', ...key, '-keyout', f('ca-key.pem'), '-out', f('ca.pem'), '-subj', '/CN=vigil-test-ca', '-days', '2');
    for (const [who, usage] of [['server', 'serverAuth'], ['client', 'clientAuth']] as const) {
      writeFileSync(f(`${who}.ext`), `subjectAltName=IP:127.0.0.1\nextendedKeyUsage=${usage}\n`);
      ssl('req', ...key, '-keyout', f(`${who}-key.pem`), '-out', f(`${who}.csr`), '-subj', `/CN=vigil-test-${who}`);
      ssl('x509', '-req', '-in', f(`${who}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'), '-CAcreateserial',
        '-out', f(`${who}-cert.pem`), '-days', '2', '-extfile', f(`${who}.ext`));
    }
    const port = await freePort();
    this.tlsArgs = ['--host', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', f('ca.pem'), '--tlscert', f('server-cert.pem'), '--tlskey', f('server-key.pem')];
    this.tls = { host: `tcp://127.0.0.1:${port}`, ca: f('ca.pem'), cert: f('client-cert.pem'), key: f('client-key.pem') };
  }

  private async importBusybox(): Promise<void> {
    const root = join(this.dir, 'image');
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
    symlinkSync('busybox', join(root, 'bin', 'sh'));
    const tar = join(this.dir, 'busybox.tar');
    const r = spawnSync('tar', ['-C', root, '-cf', tar, '.']);
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
    const [repo, tag] = BUSYBOX_IMAGE.split(':') as [string, string];
    const progress = await this.api.importImage(tar, { repo, tag });
    await new Promise<void>((resolve, reject) => this.api.modem.followProgress(progress, (err) => (err ? reject(err) : resolve())));
    rmSync(root, { recursive: true, force: true });
    rmSync(tar, { force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
