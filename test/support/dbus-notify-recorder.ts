// A stand-in desktop notification service for tests: a private D-Bus session bus
// (dbus-daemon, started and stopped here) and a small dbus-next service on it that owns
// org.freedesktop.Notifications and records every Notify call. Pointing
// DBUS_SESSION_BUS_ADDRESS at it exercises the real node-notifier -> notify-send -> D-Bus
// path without a desktop.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import dbus from 'dbus-next';

export interface RecordedNotify {
  appName: string;
  replacesId: number;
  appIcon: string;
  summary: string;
  body: string;
  actions: string[];
  /** Hint values unwrapped from their variants (urgency is a byte: 0 low, 1 normal, 2 critical). */
  hints: Record<string, unknown>;
  expireTimeout: number;
}

export interface NotifyRecorder {
  /** unix:path=... of the private session bus. */
  address: string;
  calls: RecordedNotify[];
  close(): Promise<void>;
}

const NAME = 'org.freedesktop.Notifications';
const PATH = '/org/freedesktop/Notifications';

class NotificationsInterface extends dbus.interface.Interface {
  private nextId = 1;
  constructor(private readonly record: (n: RecordedNotify) => void) {
    super(NAME);
  }
  Notify(appName: string, replacesId: number, appIcon: string, summary: string, body: string, actions: string[], hints: Record<string, dbus.Variant>, expireTimeout: number): number {
    const plain: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(hints)) plain[k] = typeof v.value === 'bigint' ? Number(v.value) : v.value;
    this.record({ appName, replacesId, appIcon, summary, body, actions, hints: plain, expireTimeout });
    return this.nextId++;
  }
  GetCapabilities(): string[] {
    return ['body', 'actions'];
  }
  GetServerInformation(): string[] {
    return ['vigil-test-recorder', 'vigil', '1.0', '1.2'];
  }
  CloseNotification(_id: number): void {}
}

NotificationsInterface.configureMembers({
  methods: {
    Notify: { inSignature: 'susssasa{sv}i', outSignature: 'u' },
    GetCapabilities: { outSignature: 'as' },
    GetServerInformation: { outSignature: 'ssss' },
    CloseNotification: { inSignature: 'u' },
  },
  signals: {
    NotificationClosed: { signature: 'uu' },
    ActionInvoked: { signature: 'us' },
  },
});

/** Starts a private session bus plus the recording service; `close()` stops both. */
export async function startNotifyRecorder(): Promise<NotifyRecorder> {
  const daemon: ChildProcess = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1'], {
    // stderr only carries a harmless fd-limit warning when not run as a user session.
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('dbus-daemon did not print its address within 10 s')), 10_000);
    daemon.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    createInterface({ input: daemon.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
  });
  const calls: RecordedNotify[] = [];
  const bus = dbus.sessionBus({ busAddress: address });
  try {
    await bus.requestName(NAME, 0);
    bus.export(PATH, new NotificationsInterface((n) => calls.push(n)));
  } catch (err) {
    bus.disconnect();
    daemon.kill();
    throw err;
  }
  return {
    address,
    calls,
    async close() {
      bus.disconnect();
      if (daemon.exitCode === null) {
        const exited = new Promise((r) => daemon.once('exit', r));
        daemon.kill();
        await exited;
      }
    },
  };
}
