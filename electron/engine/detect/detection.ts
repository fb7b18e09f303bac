import type Database from 'better-sqlite3';
import { RECORD_FLAGS, type Anomaly, type AnomalyChange, type Snooze, type SnoozeScope, type VigilConfig } from '../../../shared/types.js';
import type { StoredRecord } from '../pipeline/types.js';
import { AnomalyRepo } from './anomaly-repo.js';
import { compileRules, ruleFinding, ruleMatches, type CompiledRule, type RuleProblem } from './detectors/rules.js';
import { Lifecycle, type SourceRef } from './lifecycle.js';
import { resolveSettings, type DetectorSettingsInput, type Settings } from './settings.js';
import { SourceDetection } from './source-detection.js';
import type { FindingSink } from './types.js';

// Detection over stored records: per source detectors, user rules, and the lifecycle that
// turns findings into anomalies. `process` runs inside the transaction that stored the
// records, so anomalies, evidence and detector state commit (or roll back) with them.

export interface DetectionOptions {
  /** Laid over every source's settings last (scan: keep all evidence). */
  overrides?: DetectorSettingsInput;
  log?: (msg: string) => void;
}

interface SourceEntry {
  det: SourceDetection;
  ref: SourceRef;
  sink: FindingSink;
}

export class Detection {
  readonly repo: AnomalyRepo;
  private readonly life: Lifecycle;
  private readonly sources = new Map<number, SourceEntry>();
  private rules: CompiledRule[] = [];
  private config: VigilConfig | null = null;
  private snoozes: Snooze[] = [];
  private readonly log: (msg: string) => void;

  constructor(
    db: Database.Database,
    private readonly opts: DetectionOptions = {},
  ) {
    this.repo = new AnomalyRepo(db);
    this.life = new Lifecycle(this.repo);
    this.log = opts.log ?? ((m) => console.error(`vigil: ${m}`));
    this.reload();
  }

  /** Forgets in-memory state and rebuilds it from the database (start; after a rollback). */
  reload(): void {
    this.sources.clear();
    this.life.load((id, name) => this.settingsFor(name));
    this.snoozes = this.repo.activeSnoozes(Date.now());
  }

  /** New config: settings per source and rules. Returns rules that could not be used. */
  configure(config: VigilConfig): RuleProblem[] {
    this.config = config;
    const { rules, problems } = compileRules(config.rules ?? []);
    this.rules = rules;
    for (const p of problems) this.log(`rule ${p.rule} is not used: ${p.reason}`);
    // A rule scoped to a source that is not in the config never fires there: said, not
    // refused (refused, a config with a source removed from the UI stopped Vigil starting).
    // With no sources (a config for `vigil scan`) a rule may name the files scanned.
    if (config.sources.length) {
      const names = new Set(config.sources.map((s) => s.name));
      for (const r of config.rules ?? []) {
        for (const n of Array.isArray(r.sources) ? (r.sources as string[]) : []) {
          if (!names.has(n)) this.log(`rule ${r.name}: it names no source "${n}" (a typo, or a source removed?): it never fires there`);
        }
      }
    }
    // A source no longer configured, with nothing open, is let go (its state is stored: it
    // is loaded again if the source comes back). Kept, 3,000 sources added and removed
    // held 130 MB, and the timer walked them all each second.
    const named = new Set(config.sources.map((s) => s.name));
    const live = this.life.liveSources();
    for (const [id, e] of this.sources) if (!named.has(e.ref.name) && !live.has(id)) this.sources.delete(id);
    for (const e of this.sources.values()) {
      const s = this.settingsFor(e.ref.name);
      e.ref.settings = s;
      e.det.reconfigure(s);
    }
    this.life.settingsChanged((id) => this.sources.get(id)?.ref.settings ?? this.settingsFor(''));
    return problems;
  }

  /** Still a source of the config, and enabled. */
  private configured(source: string): boolean {
    return this.config?.sources.some((s) => s.name === source && s.enabled !== false) ?? false;
  }

  settingsFor(source: string): Settings {
    const src = this.config?.sources.find((s) => s.name === source) as { detectors?: DetectorSettingsInput } | undefined;
    return resolveSettings(this.config?.detection as DetectorSettingsInput | undefined, src?.detectors, this.opts.overrides);
  }

  get ruleSet(): readonly CompiledRule[] {
    return this.rules;
  }

  private entry(sourceId: number, name: string): SourceEntry {
    let e = this.sources.get(sourceId);
    if (e?.ref.name === name) return e;
    // Renamed while it had something open (kept by configure): it goes on under its new
    // name, from the state stored under its id. Under the old one, what it found next was
    // filed under the old name, which the notify rules for the new name do not match.
    if (e) {
      this.repo.saveState(sourceId, e.det.snapshot(), Date.now());
      for (const { key, stats } of e.det.book.takeDirty()) this.repo.saveTemplate(sourceId, key, stats);
    }
    const settings = this.settingsFor(name);
    const state = this.repo.loadState(sourceId);
    const det = new SourceDetection(sourceId, name, settings, state);
    // Restored (a restart): the stream clock last moved no later than the state was saved.
    // The timer goes on from there, so an anomaly resolves after its quiet period, neither
    // at once (from wall time 0) nor never.
    if (state && Number.isFinite(det.clock)) det.wallAtClock = this.repo.stateSavedAt(sourceId) ?? Date.now();
    det.book.load(this.repo.loadTemplates(sourceId));
    det.book.stored = (key) => this.repo.loadTemplate(sourceId, key);
    const ref: SourceRef = { id: sourceId, name, settings };
    const sink: FindingSink = {
      found: (f) => this.life.apply(f, ref),
      cleared: (c) => this.life.clear(c, ref),
    };
    e = { det, ref, sink };
    this.sources.set(sourceId, e);
    return e;
  }

  /** Runs detection over a batch of stored records (inside their transaction). */
  process(records: StoredRecord[], wallNow = Date.now()): AnomalyChange[] {
    const touched = new Set<SourceEntry>();
    let last: SourceEntry | null = null;
    const rules = this.rules;
    for (const r of records) {
      let e = last;
      if (!e || e.ref.id !== r.sourceId || e.ref.name !== r.sourceName) {
        e = last = this.entry(r.sourceId, r.sourceName);
        touched.add(e);
      }
      if (!e.ref.settings.enabled) continue;
      e.det.observe(r, wallNow, e.sink);
      for (let i = 0; i < rules.length; i++) if (ruleMatches(rules[i]!, r)) ruleFinding(rules[i]!, r, e.det.clock, e.sink);
    }
    // Repeats are flagged in the store; flag the records in hand too (the UI's live tail).
    const dups = this.life.duplicates;
    if (dups.length) {
      const ids = new Set(dups);
      for (const r of records) if (ids.has(r.id)) r.flags |= RECORD_FLAGS.duplicate;
    }
    for (const e of touched) {
      this.life.sweep(e.ref.id, e.det.clock);
      this.repo.saveState(e.ref.id, e.det.snapshot(), wallNow);
      for (const { key, stats } of e.det.book.takeDirty()) this.repo.saveTemplate(e.ref.id, key, stats);
    }
    return this.life.flush(wallNow, (a) => this.snoozedUntil(a, wallNow));
  }

  /**
   * Time passes without records (the engine's timer): each source's stream clock moves on
   * with the wall clock from its last record. Silence is checked and quiet anomalies resolve.
   */
  tick(wallNow = Date.now()): AnomalyChange[] {
    return this.repo.transaction(() => {
      const live = this.life.liveSources();
      // A source with open anomalies and no record since a restart is swept too.
      for (const [id, name] of live) if (!this.sources.has(id)) this.entry(id, name);
      for (const e of this.sources.values()) {
        if (!Number.isFinite(e.det.clock)) continue;
        const now = e.det.clock + Math.max(0, wallNow - e.det.wallAtClock);
        if (e.ref.settings.enabled) e.det.tick(now, e.sink);
        // A source removed from the config (or detection turned off for it) writes no more:
        // its silence ends with its quiet period, not when it writes again.
        if (live.has(e.ref.id)) this.life.sweep(e.ref.id, now, !e.ref.settings.enabled || !this.configured(e.ref.name));
      }
      return this.life.flush(wallNow, (a) => this.snoozedUntil(a, wallNow));
    });
  }

  // ---- user actions --------------------------------------------------------------------

  acknowledge(id: number, now = Date.now()): AnomalyChange[] {
    return this.repo.transaction(() => (this.life.acknowledge(id, now) ? this.life.flush(now, (a) => this.snoozedUntil(a, now)) : []));
  }

  resolve(id: number, now = Date.now()): AnomalyChange[] {
    return this.repo.transaction(() => (this.life.resolveByUser(id, now) ? this.life.flush(now, (a) => this.snoozedUntil(a, now)) : []));
  }

  snooze(scope: SnoozeScope, value: string, durationMs: number, note: string | null, now = Date.now()): Snooze {
    const s = this.repo.addSnooze(scope, value, now + durationMs, now, note);
    this.snoozes = this.repo.activeSnoozes(now);
    return s;
  }

  unsnooze(id: number, now = Date.now()): boolean {
    const ok = this.repo.removeSnooze(id);
    this.snoozes = this.repo.activeSnoozes(now);
    return ok;
  }

  activeSnoozes(now = Date.now()): Snooze[] {
    return this.snoozes.filter((s) => s.until > now);
  }

  /** Until when a snooze covers this anomaly (wall clock), or null. */
  snoozedUntil(a: Anomaly, now = Date.now()): number | null {
    let until: number | null = null;
    for (const s of this.snoozes) {
      if (s.until <= now) continue;
      const fps = a.fingerprints ?? [a.fingerprint];
      const hit =
        (s.scope === 'fingerprint' && fps.includes(s.value)) ||
        (s.scope === 'source' && a.source === s.value) ||
        (s.scope === 'rule' && (a.rule === s.value || fps.some((f) => f.startsWith('rule/') && f.endsWith(`/${s.value}`)))) ||
        (s.scope === 'detector' && (a.detector === s.value || fps.some((f) => f.startsWith(`${s.value}/`))));
      if (hit && (until === null || s.until > until)) until = s.until;
    }
    return until;
  }

  /** The stream clock of a source (its latest record time), or null when unseen. */
  clockOf(sourceId: number): number | null {
    const e = this.sources.get(sourceId);
    return e && Number.isFinite(e.det.clock) ? e.det.clock : null;
  }
}
