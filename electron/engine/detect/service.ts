import type { z } from 'zod';
import type * as S from '../../../shared/schema.js';
import type { Anomaly, AnomalyChange, AnomalyDetail, BandSeries, DetectionSettingsView, Snooze, VigilConfig } from '../../../shared/types.js';
import type { Store } from '../store/store.js';
import { rowToAnomaly } from './anomaly-repo.js';
import { computeBandSeries } from './band.js';
import { Detection, type DetectionOptions } from './detection.js';
import { DetectionStage } from './stage.js';
import type { Settings } from './settings.js';

/** Where detection's changes go: everything to the UI, the unsnoozed ones (and every resolution) to notifications. */
export interface AnomalyOutlet {
  changed(all: AnomalyChange[], notify: AnomalyChange[]): void;
}

export interface DetectionServiceOptions extends DetectionOptions {
  /** Run the timer that checks silence and resolves quiet anomalies (live engines). */
  live?: boolean;
  tickMs?: number;
}

/**
 * Detection for the engine: the pipeline stage, the timer, and what the contract's
 * anomaly calls do. Built before the store exists (the stage goes into the engine's
 * constructor); `attach` connects it once the store is open. `close` stops the timer.
 */
export class DetectionService {
  readonly stage: DetectionStage;
  private detection: Detection | null = null;
  private store: Store | null = null;
  private outlet: AnomalyOutlet | null = null;
  private timer: NodeJS.Timeout | null = null;
  private config: VigilConfig | null = null;

  constructor(private readonly opts: DetectionServiceOptions = {}) {
    this.stage = new DetectionStage(
      () => this.detection,
      (changes) => this.emit(changes),
    );
  }

  attach(store: Store, outlet: AnomalyOutlet): void {
    this.store = store;
    this.outlet = outlet;
    this.detection = new Detection(store.db, this.opts);
    if (this.config) this.detection.configure(this.config);
    if (this.opts.live) {
      this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 1000);
      this.timer.unref();
    }
  }

  configure(config: VigilConfig): void {
    this.config = config;
    this.detection?.configure(config);
  }

  get core(): Detection {
    if (!this.detection) throw new Error('detection is not attached to a store');
    return this.detection;
  }

  private tick(): void {
    try {
      const changes = this.detection?.tick(Date.now()) ?? [];
      if (changes.length) this.emit(changes);
    } catch (err) {
      this.opts.log?.(`detection timer: ${(err as Error).message}`);
    }
  }

  private emit(changes: AnomalyChange[]): void {
    const now = Date.now();
    this.outlet?.changed(
      changes,
      // A snooze holds what would page (opened, repeated), not the "resolved" owed to the
      // channels already told: a chat must not show an alert open for ever.
      changes.filter((c) => c.kind === 'resolved' || !(c.anomaly.snoozedUntil && c.anomaly.snoozedUntil > now)),
    );
  }

  // ---- the contract's calls ------------------------------------------------------------

  list(req: z.output<typeof S.AnomalyListRequest>): Anomaly[] {
    const d = this.core;
    const now = Date.now();
    const out: Anomaly[] = [];
    for (const r of d.repo.list(req)) {
      const a = rowToAnomaly(r);
      a.snoozedUntil = d.snoozedUntil(a, now);
      if (!req.includeSnoozed && a.snoozedUntil) continue;
      out.push(a);
    }
    return out;
  }

  get(req: z.output<typeof S.AnomalyGetRequest>): AnomalyDetail | null {
    const d = this.core;
    const row = d.repo.get(req.id);
    if (!row) return null;
    const anomaly = rowToAnomaly(row);
    anomaly.snoozedUntil = d.snoozedUntil(anomaly);
    return { anomaly, lines: d.repo.lines(req.id, req.maxEvidence), evidenceStored: d.repo.evidenceCount(req.id) };
  }

  acknowledge(id: number): Anomaly | null {
    return this.act(id, (d) => d.acknowledge(id));
  }

  resolve(id: number): Anomaly | null {
    return this.act(id, (d) => d.resolve(id));
  }

  private act(id: number, fn: (d: Detection) => AnomalyChange[]): Anomaly | null {
    const d = this.core;
    const changes = fn(d);
    if (changes.length) this.emit(changes);
    const row = d.repo.get(id);
    if (!row) return null;
    const a = rowToAnomaly(row);
    a.snoozedUntil = d.snoozedUntil(a);
    return a;
  }

  /** A snooze changes what the anomaly lists show ("snoozed"): every window is told, with no anomaly change. */
  snooze(req: z.output<typeof S.SnoozeRequest>): Snooze {
    const s = this.core.snooze(req.scope, req.value, req.durationMs, req.note ?? null);
    this.outlet?.changed([], []);
    return s;
  }

  snoozes(): Snooze[] {
    return this.core.activeSnoozes();
  }

  unsnooze(id: number): { ok: boolean } {
    const ok = this.core.unsnooze(id);
    if (ok) this.outlet?.changed([], []);
    return { ok };
  }

  band(req: z.output<typeof S.BandRequest>): BandSeries {
    const d = this.core;
    const src = this.store!.db.prepare('SELECT id FROM sources WHERE name = ?').get(req.source) as { id: number } | undefined;
    const settings = d.settingsFor(req.source);
    if (!src) return { source: req.source, level: req.level, method: req.method ?? settings.errorRate.method, bucketMs: req.bucketMs ?? settings.errorRate.bucketMs, points: [] };
    return computeBandSeries(
      this.store!.counts,
      { sourceId: src.id, source: req.source, level: req.level, spanMs: req.spanMs, bucketMs: req.bucketMs, method: req.method, end: d.clockOf(src.id) },
      settings,
    );
  }

  /** Detection settings in force for a source (the defaults for one not configured). */
  settingsFor(source: string): Settings {
    return this.core.settingsFor(source);
  }

  settings(source: string | undefined): DetectionSettingsView {
    const d = this.core;
    return { source: source ?? null, settings: d.settingsFor(source ?? '') as unknown as Record<string, unknown>, rules: this.config?.rules ?? [] };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.outlet = null;
  }
}
