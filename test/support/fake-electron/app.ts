// FAKE ELECTRON: the desktop app's main process (a built main.js) started under the fake
// 'electron' module (electron.mjs), in a child process, and driven as run-main.mjs allows.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HARNESS = dirname(fileURLToPath(import.meta.url));

/** What the fake recorded (see run-main.mjs). */
export interface FakeElectronState {
  handlers: number;
  windows: { visible: boolean; sent: string[]; handlersAtOpen: number }[];
  trays: { image: string | null; tooltip: string | null; destroyed: boolean }[];
  dialogs: { title: string; content: string }[];
  notifications: (string | null)[];
  userData: string;
  exitCode: number | undefined;
}

export class FakeElectronApp {
  exit: number | null = null;
  /** The error boxes shown, as told at exit. */
  dialogs: { title: string; content: string }[] = [];
  readonly exited: Promise<number>;
  private next = 1;
  private waiting = new Map<number, (m: Record<string, unknown>) => void>();

  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((r) => {
      child.on('message', (m: Record<string, unknown>) => {
        if (typeof m.exit === 'number') {
          this.dialogs = m.dialogs as { title: string; content: string }[];
          r((this.exit = m.exit));
        }
        const w = typeof m.id === 'number' ? this.waiting.get(m.id) : undefined;
        if (w) w(m);
      });
      child.on('exit', (code) => {
        r((this.exit ??= code ?? -1));
        // What it was asked is never answered now: said, not waited for.
        for (const w of this.waiting.values()) w({ error: `the app exited (${code})` });
        this.waiting.clear();
      });
    });
  }

  ask(op: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return reject(new Error(`the app exited (${this.child.exitCode ?? this.child.signalCode})`));
      this.waiting.set(id, (m) => (typeof m.error === 'string' && m.id === undefined ? reject(new Error(m.error)) : resolve(m)));
      this.child.send({ id, op, ...extra });
    });
  }

  state = () => this.ask('state') as unknown as Promise<FakeElectronState>;

  /** A contract call as the window's main frame makes it; 'no handler' when none is registered. */
  async call(name: string, req: unknown = {}): Promise<{ ok: boolean; res?: unknown; error?: { code: string } } | 'no handler'> {
    const m = await this.ask('call', { name, req });
    return m.noHandler ? 'no handler' : (m.answer as { ok: boolean });
  }

  /** Ends it if it has not exited. */
  kill(): void {
    if (this.exit === null) this.child.kill('SIGKILL');
  }
}

/** Starts `mainJs` with Vigil's own variables unset unless `env` sets them (FAKE_ELECTRON_* in `env`: see electron.mjs). */
export function launchMain(mainJs: string, env: Record<string, string>): FakeElectronApp {
  const base = { ...process.env };
  delete base.VIGIL_DATA_DIR;
  delete base.VIGIL_FORMATS_DIR;
  const child = fork(join(HARNESS, 'run-main.mjs'), [mainJs], {
    execArgv: ['--import', join(HARNESS, 'register.mjs'), '--expose-gc'],
    env: { ...base, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  return new FakeElectronApp(child);
}
