// A file whose clock stepped back (an NTP step, a restored VM, a zone-less local time in the
// hour the clocks go back): its later records are stamped behind the stream clock, and as
// late records each counted at the clock's time. Ten minutes of routine lines then landed at
// one instant: a false surge of their templates, a burst of their errors. Once the step is
// confirmed (the next record of the file stamped near the first one behind), the file's
// times are counted shifted by the step, so its lines keep their own pace.
//
// Per file, not per source: a source reading a backlog of older files is not a step.

/** Back by more than this against the file's own last record: a step. */
export const STEP_BACK_MS = 60_000;
/** Files whose state is kept (one source's); past this the oldest is forgotten. */
const MAX_FILES = 10_000;

interface FileClock {
  /** The file's last record's own time (its timeline, without the shift). */
  last: number;
  /** Added to the file's times: the steps back confirmed so far. */
  shift: number;
  /** A record stamped back, not confirmed yet. */
  stepAt: number | null;
  /** A record stamped ahead (a line from 2099, or the first after a pause), not confirmed yet: `last` moves there once it is. */
  aheadAt: number | null;
}

export type ClockStepsState = [fileId: number, shift: number, last: number][];

export class ClockSteps {
  private files = new Map<number, FileClock>();

  constructor(state?: ClockStepsState) {
    for (const [id, shift, last] of state ?? []) this.files.set(id, { last, shift, stepAt: null, aheadAt: null });
  }

  /** The time to count a record of `fileId` stamped `ts` at (ts itself unless its file stepped back). */
  time(fileId: number | null, ts: number): number {
    if (fileId === null) return ts;
    const f = this.files.get(fileId);
    if (!f) {
      if (this.files.size >= MAX_FILES) this.files.delete(this.files.keys().next().value!);
      this.files.set(fileId, { last: ts, shift: 0, stepAt: null, aheadAt: null });
      return ts;
    }
    if (ts < f.last - STEP_BACK_MS) {
      if (f.stepAt !== null && Math.abs(ts - f.stepAt) <= STEP_BACK_MS) {
        // Confirmed: the file's clock went back by this much.
        f.shift += f.last - f.stepAt;
        f.last = ts;
        f.stepAt = null;
      } else {
        // One line with an old time, or the first of a step: counted late, as before.
        f.stepAt = ts;
        return ts + f.shift;
      }
    } else if (ts > f.last + STEP_BACK_MS) {
      f.stepAt = null;
      if (f.aheadAt !== null && Math.abs(ts - f.aheadAt) <= STEP_BACK_MS) {
        f.last = ts;
        f.aheadAt = null;
      } else {
        f.aheadAt = ts;
      }
    } else {
      f.stepAt = null;
      f.aheadAt = null;
      if (ts > f.last) f.last = ts;
    }
    return ts + f.shift;
  }

  /** The files with a shift (the others start afresh). */
  snapshot(): ClockStepsState {
    const out: ClockStepsState = [];
    for (const [id, f] of this.files) if (f.shift !== 0) out.push([id, f.shift, f.last]);
    return out;
  }
}
