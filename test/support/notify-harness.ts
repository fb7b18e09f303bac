// Builds a NotificationService the way Engine.start does, on a real SQLite file, with
// the config given as vigil.yml text (validated by the real schema).
import { join } from 'node:path';
import type { Anomaly, AnomalyChange } from '../../shared/types.js';
import { parseConfig } from '../../electron/engine/config/config-file.js';
import type { EngineEvents } from '../../electron/engine/engine.js';
import { PlainSecretBox } from '../../electron/engine/notify/secret-box.js';
import { SecretStore } from '../../electron/engine/notify/secret-store.js';
import { NotificationService } from '../../electron/engine/notify/service.js';
import type { SendContext, Toast, Toaster } from '../../electron/engine/notify/types.js';
import { Store } from '../../electron/engine/store/store.js';
import { Emitter } from '../../electron/engine/util/emitter.js';

export function config(yamlText: string) {
  const r = parseConfig(yamlText);
  if (!r.ok) throw new Error(`bad test config: ${JSON.stringify(r.errors)}`);
  return r.config;
}

export interface Harness {
  store: Store;
  events: Emitter<EngineEvents>;
  secrets: SecretStore;
  service: NotificationService;
  logs: string[];
  /** Stops the service (letting requests out finish) and closes the store. */
  close(): Promise<void>;
}

export function startNotify(
  dir: string,
  yamlText: string,
  opts: { toaster?: Toaster; now?: () => number; reports?: SendContext['report']; snoozedUntil?: (a: Anomaly, now: number) => number | null; openAnomalies?: Anomaly[] } = {},
): Harness {
  const store = new Store(join(dir, 'vigil.db'));
  const events = new Emitter<EngineEvents>();
  const secrets = new SecretStore(join(dir, 'secrets.json'), new PlainSecretBox());
  const logs: string[] = [];
  const service = NotificationService.start({
    db: store.db,
    config: config(yamlText),
    events,
    secrets,
    toaster: opts.toaster ?? new RecordingToaster(),
    log: (m) => logs.push(m),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.reports ? { reports: opts.reports } : {}),
    ...(opts.snoozedUntil ? { snoozedUntil: opts.snoozedUntil } : {}),
    ...(opts.openAnomalies ? { openAnomalies: opts.openAnomalies } : {}),
  });
  return {
    store,
    events,
    secrets,
    service,
    logs,
    async close() {
      await service.close();
      store.close();
    },
  };
}

/** A toaster that records toasts (for routing tests that are not about the OS path). */
export class RecordingToaster implements Toaster {
  readonly kind = 'recording';
  readonly shown: Toast[] = [];
  private clicks: (() => void)[] = [];
  async show(toast: Toast, onClick: () => void): Promise<void> {
    this.shown.push(toast);
    this.clicks.push(onClick);
  }
  click(i: number): void {
    this.clicks[i]!();
  }
}

let nextId = 1;
export function anomaly(over: Partial<Anomaly> = {}): Anomaly {
  const id = over.id ?? nextId++;
  const t = Date.parse('2026-11-21T10:00:00Z');
  return {
    id,
    fingerprint: `fp-${id}`,
    detector: 'error-burst',
    source: 'api',
    severity: 'high',
    category: 'errors',
    title: `Error burst #${id} in api`,
    message: 'ERROR upstream timed out',
    state: 'open',
    count: 1,
    firstTs: t,
    lastTs: t,
    openedAt: t,
    details: { evidence: ['2026-11-21T10:00:00Z ERROR upstream timed out'] },
    ...over,
  };
}

export function opened(a: Anomaly): AnomalyChange {
  return { kind: 'opened', anomaly: a };
}
