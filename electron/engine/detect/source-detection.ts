import { levelRank } from '../../../shared/types.js';
import type { StoredRecord } from '../pipeline/types.js';
import { alertFinding } from './detectors/alert.js';
import { BurstDetector, type BurstState } from './detectors/burst.js';
import { criticalFinding } from './detectors/critical.js';
import { ErrorRateDetector, type ErrorRateState } from './detectors/error-rate.js';
import { newTemplateFinding, newTemplateRepeat } from './detectors/new-template.js';
import { SilenceDetector, type SilenceState } from './detectors/silence.js';
import { TemplateSurgeDetector } from './detectors/template-surge.js';
import { parseTraceback, stackInFields, tracebackFinding } from './detectors/traceback.js';
import { isDumpLine } from './dump-line.js';
import type { Settings } from './settings.js';
import { keyToText, TemplateBook, type TemplateKey } from './template-book.js';
import { templateKey } from './template-key.js';
import type { FindingSink } from './types.js';

// All detectors of one source, on the source's stream clock (the largest record time seen:
// a late record counts as now, so windows never run backwards; a record far in the future
// moves it only once the next one confirms the leap, see observe). Statistical detectors
// (burst, rates, new template, surge, silence) learn during the learning period and report
// after it; record-level ones (critical, traceback, alert) report from the first record.

export interface SourceDetectionState {
  clock: number;
  firstTs: number | null;
  /** Stream time of the learning period so far (see LEARN_STEP_MS); older states: clock - firstTs. */
  learnedMs?: number;
  /** A record that leapt ahead, not confirmed yet (see observe). */
  leapTs?: number | null;
  records: number;
  learning: boolean;
  burst?: BurstState;
  rates?: Partial<Record<'error' | 'warn', ErrorRateState>>;
  silence?: SilenceState;
}

/**
 * A record stamped more than this ahead of both the stream clock and the wall clock is a
 * leap: a line from a host whose clock is wrong, a year typed 2099.
 */
const LEAP_MS = 10 * 60_000;
/** The most one step of the clock counts toward the learning period (a first line stamped 1970 is not 56 years of learning). */
const LEARN_STEP_MS = 60_000;

const MUTE: FindingSink = { found: () => undefined, cleared: () => undefined };
const WARN = levelRank('warn');
const ERROR = levelRank('error');

export class SourceDetection {
  clock = Number.NEGATIVE_INFINITY;
  /** Wall time when the clock last moved (the timer extrapolates from it). */
  wallAtClock = 0;
  private firstTs: number | null = null;
  private learnedMs = 0;
  private leapTs: number | null = null;
  private records = 0;
  private learning = true;
  readonly book = new TemplateBook();
  private burst: BurstDetector | null = null;
  private errorRate: ErrorRateDetector | null = null;
  private warnRate: ErrorRateDetector | null = null;
  private silence: SilenceDetector | null = null;
  private surge: TemplateSurgeDetector | null = null;
  private criticalRank = 0;
  private newTemplateRank = 0;
  private surgeRank = 0;
  /** Below this level a record only feeds the template book. */
  private minRank = 0;

  constructor(
    readonly sourceId: number,
    readonly name: string,
    public settings: Settings,
    state?: SourceDetectionState,
  ) {
    this.build(settings, state);
  }

  get isLearning(): boolean {
    return this.learning;
  }

  /** New settings: detectors are rebuilt from the current state (windows resized as needed). */
  reconfigure(settings: Settings): void {
    const state = this.snapshot();
    this.settings = settings;
    this.build(settings, state);
  }

  private build(s: Settings, state?: SourceDetectionState): void {
    if (state) {
      this.clock = state.clock;
      this.firstTs = state.firstTs;
      this.learnedMs = state.learnedMs ?? (state.firstTs === null ? 0 : Math.max(0, state.clock - state.firstTs));
      this.leapTs = state.leapTs ?? null;
      this.records = state.records;
      this.learning = state.learning;
    }
    this.burst = s.burst.enabled ? new BurstDetector(s.burst, this.name, state?.burst) : null;
    this.errorRate = s.errorRate.enabled && s.errorRate.levels.includes('error') ? new ErrorRateDetector('error', s, this.name, state?.rates?.error) : null;
    this.warnRate = s.errorRate.enabled && s.errorRate.levels.includes('warn') ? new ErrorRateDetector('warn', s, this.name, state?.rates?.warn) : null;
    this.silence = s.silence.enabled ? new SilenceDetector(s.silence, this.name, state?.silence) : null;
    this.surge = s.templateSurge.enabled ? new TemplateSurgeDetector(s.templateSurge, this.name) : null;
    this.criticalRank = levelRank(s.critical.minLevel);
    this.newTemplateRank = s.newTemplate.minLevel === 'any' ? 0 : levelRank(s.newTemplate.minLevel);
    this.surgeRank = s.templateSurge.minLevel === 'any' ? 0 : levelRank(s.templateSurge.minLevel);
    const ranks = [ERROR];
    if (s.critical.enabled) ranks.push(this.criticalRank);
    if (s.newTemplate.enabled) ranks.push(this.newTemplateRank);
    if (this.surge) ranks.push(this.surgeRank);
    if (this.burst) ranks.push(this.burst.minRank);
    if (this.warnRate) ranks.push(WARN);
    this.minRank = Math.min(...ranks);
  }

  observe(r: StoredRecord, wallNow: number, sink: FindingSink): void {
    const s = this.settings;
    let t = r.ts;
    // A leap is counted at the stream's time, as a late record is: moved to, the clock would
    // hold every later record there (the next hour's errors all at one instant, a burst; the
    // silence detector's gaps an hour long). The next record stamped near it confirms it
    // (the log did move: its zone changed, its host's clock was set).
    const leap = t > Math.max(this.clock, wallNow) + LEAP_MS;
    if (leap && (this.leapTs === null || Math.abs(t - this.leapTs) > LEAP_MS)) {
      this.leapTs = t;
      t = this.clock === Number.NEGATIVE_INFINITY ? wallNow : this.clock;
    } else {
      if (!leap) this.leapTs = null;
      if (t > this.clock) {
        if (this.clock !== Number.NEGATIVE_INFINITY) this.learnedMs += Math.min(t - this.clock, LEARN_STEP_MS);
        this.clock = t;
        this.wallAtClock = wallNow;
      } else {
        t = this.clock;
      }
    }
    if (this.learning) {
      this.firstTs ??= t;
      this.records++;
      if (this.learnedMs >= s.learningMs && this.records >= s.learningRecords) this.learning = false;
    }
    // While learning, statistical detectors keep their books but say nothing.
    const stat = this.learning ? MUTE : sink;
    if (this.errorRate) {
      this.errorRate.advance(t, stat);
      this.errorRate.total++;
    }
    if (this.warnRate) {
      this.warnRate.advance(t, stat);
      this.warnRate.total++;
    }
    // On the stream's time: a late record's own would make the gap after it look long.
    this.silence?.observe({ id: r.id, ts: t }, t, this.learning, sink);

    const rank = r.levelRank;
    const key: TemplateKey = r.templateId ?? templateKey(r);
    const stats = this.book.see(key, t, rank);
    const isNew = stats.count === 1;

    if (r.alert) {
      // An alert stream (alert-jsonl) was judged upstream: its entries of type anomaly are
      // the findings; their severity-as-level is not a log level to judge again.
      if (s.alerts.enabled && r.alert.type === 'anomaly') alertFinding(r, keyToText(key), t, sink);
      return;
    }
    if (s.traceback.enabled) {
      if (r.lastLine - r.firstLine + 1 >= s.traceback.minLines) {
        // The message, not raw: a wrapper's raw lines (journald's and Docker's JSON, CRI's prefix) hide the frames.
        // Whatever its level: a text record's is often not the program's word on the stack
        // (systemd stores a service's stderr at info; an uncaught traceback joins the INFO line before it).
        const info = parseTraceback(r.message, s.traceback.minLines);
        if (info) tracebackFinding(r, info, t, sink);
      } else if (r.fields && (rank === 0 || rank >= WARN)) {
        // A JSON record's level is its logger's, given with the stack: below warn
        // (`logger.info({ err }, 'retrying')`) it is an exception the program handled and said so.
        const stack = stackInFields(r.fields);
        const info = stack === null ? null : parseTraceback(stack, s.traceback.minLines);
        if (info) tracebackFinding(r, info, t, sink, stack!);
      }
    }
    if (rank < this.minRank) return; // the common case: an info line, nothing more to judge
    // Dumps (register lines after a crash) are context for the finding that explains them.
    // Decided once per template: the shape is the template's.
    if (s.dumpLinesAreContext && (stats.dump ??= isDumpLine(r.message))) return;
    const ref = { id: r.id, ts: r.ts };

    if (s.critical.enabled && rank >= this.criticalRank) criticalFinding(r, keyToText(key), t, sink);
    if (s.newTemplate.enabled && rank >= this.newTemplateRank) (isNew ? newTemplateFinding : newTemplateRepeat)(r, keyToText(key), t, stat);
    if (this.surge && rank >= this.surgeRank) this.surge.observe(key, stats, ref, t, r.template, r.templateId, stat);
    if (rank >= ERROR) this.errorRate?.observe(ref, t, stat);
    else if (rank === WARN) this.warnRate?.observe(ref, t, stat);
    if (this.burst && rank >= this.burst.minRank) this.burst.observe(ref, t, this.errorRate?.expectedIn(s.burst.windowMs, t) ?? null, stat);
  }

  /** Stream time passes without records (the timer): check for silence. */
  tick(now: number, sink: FindingSink): void {
    if (now <= this.clock) return;
    this.silence?.check(now, this.learning, sink);
  }

  snapshot(): SourceDetectionState {
    const rates: SourceDetectionState['rates'] = {};
    if (this.errorRate) rates.error = this.errorRate.snapshot();
    if (this.warnRate) rates.warn = this.warnRate.snapshot();
    return {
      clock: this.clock,
      firstTs: this.firstTs,
      learnedMs: this.learnedMs,
      leapTs: this.leapTs,
      records: this.records,
      learning: this.learning,
      ...(this.burst ? { burst: this.burst.snapshot() } : {}),
      rates,
      ...(this.silence ? { silence: this.silence.snapshot() } : {}),
    };
  }
}

