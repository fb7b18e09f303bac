import { assumedFlags, levelRank, RECORD_FLAGS } from '../../../shared/types.js';
import { explain, detectFormat, type Candidate } from './detect.js';
import type { BodyLine, CompiledFormat, ParsedLine } from './formats/compile.js';
import { findLevelWord, leadingTimestamp } from './formats/generic-line.js';
import { crashLevel, looksLikeContinuation } from './multiline/continuation.js';
import { stripAnsi } from './ansi.js';
import type { TimeContext } from './time/timestamp.js';
import { newRecord, type DecodedRecord, type DecoderOptions, type SourceLine, type StreamDecoder } from './types.js';

// One stream's decoder: samples the first lines to pick a format (unless one is forced),
// then reads each line with it, grouping continuation lines (stack traces, indented blocks,
// a user's start rule) into the record before them. Records are held until the next record
// starts or the timeout passes; pendingStart() tells the source where held lines begin so
// its checkpoint never skips them.

export interface StreamTuning {
  /** Lines sampled before deciding the format. */
  sampleLines: number;
  /** Decide after this long even with fewer lines, ms. */
  sampleTimeoutMs: number;
  /** A held multi-line record is emitted this long after its last line, ms (default for multiline.timeoutMs). */
  flushTimeoutMs: number;
  /** A record is cut after this many lines or characters, whatever follows. */
  maxRecordLines: number;
  maxRecordChars: number;
}

export const DEFAULT_TUNING: StreamTuning = {
  sampleLines: 32,
  sampleTimeoutMs: 300,
  flushTimeoutMs: 1000,
  maxRecordLines: 1000,
  maxRecordChars: 1 << 20,
};

/** A change of format in mid-stream (see missed()). */
export interface FormatSwitch {
  from: string;
  lineNo: number;
  why: string;
}

/** describe()'s explanation after a switch, for a decoder whose line 1 is the stream's line `lineBase + 1`. */
export function explainSwitch(s: FormatSwitch, lineBase: number): string {
  return `switched from ${s.from} at line ${s.lineNo + lineBase}: ${s.why}`;
}

/** How far the reference time for year-less timestamps may lag (see writtenBy). */
const REF_STEP_MS = 3_600_000;

const NONE: DecodedRecord[] = Object.freeze([]) as unknown as DecodedRecord[];

interface Pending {
  first: SourceLine;
  last: SourceLine;
  lines: number;
  chars: number;
  parsed: ParsedLine | null;
  format: string;
  /** Lines after the first (allocated for multi-line records only). */
  raw: string[] | null;
  /** The original bytes of each line of `raw` that was not valid UTF-8 (null: its text is its bytes); null while no line has any. */
  bin: (Buffer | null)[] | null;
  msg: string[] | null;
  bytes: boolean;
  flags: number;
  /** The last line said the record goes on (CRI partial): join without a newline. */
  partial: boolean;
}

/** See FormatStreamDecoder.run: the held record before a run of lines, and the run. */
interface RunTail {
  /** The record's first line (the holder object is reused from record to record). */
  of: SourceLine;
  count: number;
  chars: number;
  last: SourceLine;
  raw: number;
  msg: number;
  flags: number;
  bytes: boolean;
  /** The run's lines; null once it grew too long to be taken back. */
  lines: SourceLine[] | null;
}

export class FormatStreamDecoder implements StreamDecoder {
  private format: CompiledFormat | null = null;
  private readonly forced: boolean;
  private sampling: boolean;
  private sample: SourceLine[] = [];
  /** Lines seen since a provisional (timeout) decision, to decide again on a full sample. */
  private provisional: string[] | null = null;
  private pending: Pending | null = null;
  private spare: Pending | null = null;
  private readonly ctx: TimeContext;
  private readonly startRe: RegExp | null;
  private readonly timeoutMs: number;
  private readonly tune: StreamTuning;
  private explanation = '';
  /** Recent record starts the format could not read (see missed()). */
  private misses: string[] = [];
  /** Length of the current run of misses (misses holds its lines from missesNeeded - sampleLines on). */
  private missRun = 0;
  private missesNeeded: number;
  /** Said before the explanation (an unknown forced format). */
  private note = '';
  /** Lines a forced format could not read (each taken as a line of the record before, or a generic record). */
  private forcedMisses = 0;
  private candidates: Candidate[] = [];
  /** The last change of format after a run of lines it could not read (null: none since the format was decided). */
  private switched: FormatSwitch | null = null;
  /**
   * The lines appended to the held record since the first one its format could not read,
   * and the record as it was before them: when that run turns out to be another format,
   * they are taken back and decoded again (see retakeRun).
   */
  private run: RunTail | null = null;
  /** The record just cut at its size limit (see append): what the lines after the cut go on with. */
  private cut: ParsedLine | null = null;
  /**
   * Record starts the format could not read, held (not stored yet) while their run may turn
   * out to be another format: then they are read with it, else (a line the format reads
   * comes, or their timeout) as before, each a record of its own (see holdMissed).
   */
  private held: SourceLine[] = [];
  /** Held lines going out as they would have without holding (see releaseHeld). */
  private replaying = false;

  constructor(
    private readonly formats: readonly CompiledFormat[],
    opts: DecoderOptions,
    tuning: Partial<StreamTuning> = {},
  ) {
    this.tune = { ...DEFAULT_TUNING, ...tuning };
    this.missesNeeded = this.tune.sampleLines;
    this.ctx = { refMs: opts.fileMtimeMs ?? Date.now() };
    this.startRe = opts.multiline?.start ? new RegExp(opts.multiline.start) : null;
    this.timeoutMs = opts.multiline?.timeoutMs ?? this.tune.flushTimeoutMs;
    const forced = opts.format ? formats.find((f) => f.name === opts.format) : undefined;
    if (opts.format === 'generic') {
      this.forced = true;
      this.sampling = false;
      this.explanation = 'generic forced by the source configuration';
    } else if (forced) {
      this.format = forced;
      this.forced = true;
      this.sampling = false;
      this.explanation = `${forced.name} forced by the source configuration`;
    } else {
      this.forced = false;
      this.sampling = true;
      if (opts.format) this.note = `format "${opts.format}" is not known; detecting instead. `;
    }
  }

  push(line: SourceLine): DecodedRecord[] {
    cleanLine(line);
    if (this.sampling) {
      this.sample.push(line);
      const first = this.sample[0]!;
      if (this.sample.length < this.tune.sampleLines && line.readAt - first.readAt < this.tune.sampleTimeoutMs) return NONE;
      this.decideAndReplay(this.sample.length < this.tune.sampleLines);
      return this.take() ?? NONE;
    }
    if (this.provisional) this.recheck(line.text);
    this.feed(line);
    return this.take() ?? NONE;
  }

  flush(): DecodedRecord[] {
    if (this.sampling) this.decideAndReplay(true);
    if (this.held.length) this.releaseHeld();
    if (this.pending) this.put(this.emit());
    return this.take() ?? [];
  }

  flushDue(now: number): DecodedRecord[] {
    if (this.sampling) {
      const first = this.sample[0];
      // The sample's time is up: decide; the record it ends with keeps its own timeout
      // (a new file's first stack trace was cut 300 ms after its first line).
      if (first && now - first.readAt >= this.tune.sampleTimeoutMs) this.decideAndReplay(true);
    }
    if (!this.sampling && this.held.length && now - this.held[this.held.length - 1]!.readAt >= this.timeoutMs) this.releaseHeld();
    if (!this.sampling && this.pending && now - this.pending.last.readAt >= this.timeoutMs) this.put(this.emit());
    return this.take() ?? [];
  }

  writtenBy(ms: number): void {
    // Only the year and a two-day margin depend on it, and a new reference makes the time
    // parsers forget their last result: a move of an hour or more is enough.
    if (Math.abs(ms - this.ctx.refMs) >= REF_STEP_MS) this.ctx.refMs = ms;
  }

  /** The file was rotated or truncated: emit what is held and detect again on the new lines. */
  reset(opts: { fileMtimeMs?: number } = {}): DecodedRecord[] {
    const out = this.flush();
    if (opts.fileMtimeMs !== undefined) this.ctx.refMs = opts.fileMtimeMs;
    this.ctx.w3cFields = undefined;
    if (!this.forced) {
      this.sampling = true;
      this.format = null;
      this.provisional = null;
      this.misses = [];
      this.missRun = 0;
      this.missesNeeded = this.tune.sampleLines;
    }
    this.run = null;
    this.cut = null;
    this.held = [];
    return out;
  }

  pendingStart(): { offset: number; lineNo: number } | null {
    const l = this.sampling ? this.sample[0] : (this.held[0] ?? this.pending?.first);
    return l ? { offset: l.startOffset, lineNo: l.lineNo } : null;
  }

  flushDueInMs(now: number): number | null {
    if (this.sampling) {
      const first = this.sample[0];
      return first ? Math.max(0, first.readAt + this.tune.sampleTimeoutMs - now) : null;
    }
    const last = this.held.length ? this.held[this.held.length - 1]! : this.pending?.last;
    if (!last) return null;
    return Math.max(0, last.readAt + this.timeoutMs - now);
  }

  describe(): { format: string; forced: boolean; explanation: string; candidates?: Candidate[]; missed?: number } {
    const format = this.format?.name ?? (this.sampling && !this.forced ? 'detecting' : 'generic');
    const explanation = this.note + (this.sampling && !this.forced ? `sampling: ${this.sample.length} of ${this.tune.sampleLines} lines read` : this.explanation);
    return { format, forced: this.forced, explanation, candidates: this.candidates, ...(this.forced ? { missed: this.forcedMisses } : {}) };
  }

  /** The last change of format after a run of unreadable lines, with its line number as this decoder counted it. */
  lastSwitch(): FormatSwitch | null {
    return this.switched;
  }

  /**
   * Reads on as a decoder that detected `format` would: for a file decoded in parts (see
   * worker-decode.ts), where this part starts at a record start (see opensRecord) and the
   * part before decides what the format is there. handsOverAt() tells whether the decoder of
   * the part before reads the rest as this one does.
   */
  takeOver(format: string): void {
    const f = this.formats.find((x) => x.name === format);
    if (!f) throw new Error(`cannot take over with format "${format}": no such format`);
    this.format = f;
    this.sampling = false;
    this.sample = [];
    this.provisional = null;
    this.misses = [];
    this.missRun = 0;
    this.run = null;
    this.missesNeeded = this.tune.sampleLines;
    this.candidates = [];
    this.switched = null;
    this.explanation = `${f.name}, as read before this part of the stream`;
  }

  /** Whether this line starts a record under the current format, whatever record is held before it. */
  opensRecord(raw: string): boolean {
    const text = stripAnsi(raw);
    if (this.startRe) return this.startRe.test(startText(text));
    const f = this.format;
    if (!f) return false;
    const parsed = f.parse(text, this.ctx);
    return !!parsed && !(f.multiline === 'heuristic' && f.def.nested && looksLikeContinuation(parsed.message));
  }

  /**
   * Whether a decoder that takes over with `format` at this line (see takeOver) reads it and
   * every line after it exactly as this one would: same format, a fresh count of unreadable
   * lines (the line opens a record its format reads, which clears it), and the line starts a
   * record here too. Then this decoder's flush() gives the records before the line.
   */
  handsOverAt(text: string, format: string): boolean {
    if (this.sampling || this.provisional || this.format?.name !== format || this.missesNeeded !== this.tune.sampleLines) return false;
    if (this.pending?.partial || this.held.length) return false;
    // Columns named by a W3C directive earlier in the stream: a part read without them reads otherwise.
    if (this.ctx.w3cFields) return false;
    return this.opensRecord(text);
  }

  private decide(lines: string[]): void {
    const d = detectFormat(lines, this.formats, this.ctx);
    this.format = d.format;
    this.candidates = d.candidates;
    this.switched = null;
    this.explanation = explain(d, d.format?.name ?? 'generic');
  }

  private decideAndReplay(early: boolean): void {
    const lines = this.sample;
    this.sample = [];
    this.sampling = false;
    const texts = lines.map((l) => l.text);
    this.decide(texts);
    this.provisional = early ? texts : null;
    for (const l of lines) this.feed(l);
  }

  /** Decided on a short sample (timeout): decide again once a full sample was seen; later lines follow the new choice. */
  private recheck(text: string): void {
    const p = this.provisional!;
    p.push(text);
    if (p.length < this.tune.sampleLines) return;
    this.provisional = null;
    this.decide(p);
  }

  /** Records ready to go out, in order (allocated when the first one is: most lines give one or none). */
  private ready: DecodedRecord[] | null = null;

  private put(rec: DecodedRecord): void {
    if (this.ready) this.ready.push(rec);
    else this.ready = [rec];
  }

  private take(): DecodedRecord[] | null {
    const out = this.ready;
    this.ready = null;
    return out;
  }

  private feed(line: SourceLine): void {
    const text = line.text;
    if (this.held.length && !this.replaying) {
      if (this.format?.parse(text, this.ctx)) {
        // The run ended without being another format: its lines go out as they were.
        this.releaseHeld();
      } else {
        this.held.push(line);
        if (!looksLikeContinuation(text)) this.heldMissed(text, line.lineNo);
        else if (this.held.length >= this.tune.sampleLines * 2) this.releaseHeld();
        return;
      }
    }
    const p = this.pending;
    if (this.cut) {
      const cut = this.cut;
      this.cut = null;
      if (!p && this.goesOn(text)) {
        this.start(line, { ...cut, message: text });
        return;
      }
    }
    if (this.startRe) {
      if (p && !this.startRe.test(startText(text))) return this.append(line, text);
      this.start(line, this.format?.parse(text, this.ctx) ?? null);
      return;
    }
    if (p && p.partial) {
      const parsed = this.format?.parse(text, this.ctx);
      // The rest of a line cut short comes from the same stream; a line of the other one
      // (stderr between two pieces of a stdout line) is a record of its own.
      if (!parsed || sameOrigin(p.parsed, parsed)) {
        p.partial = !!parsed?.partial;
        return this.append(line, parsed ? parsed.message : text, true);
      }
      p.partial = false;
    }
    const f = this.format;
    if (f) {
      // The line under a first line without a message may hold it (see FormatDefinition.body).
      if (p && p.lines === 1 && f.body && p.parsed && p.parsed.message === '' && p.format === f.name) {
        const b = f.body(text);
        if (b) return this.appendBody(line, p, b);
      }
      const parsed = f.parse(text, this.ctx);
      if (parsed) {
        if (this.missRun) {
          this.misses = [];
          this.missRun = 0;
          this.run = null;
        }
        if (p && f.multiline === 'heuristic' && f.def.nested && sameOrigin(p.parsed, parsed) && closeInTime(p.parsed, parsed) && looksLikeContinuation(parsed.message)) {
          // The record is as severe as its worst line (journald: each entry its own priority).
          if (parsed.level !== null && p.parsed && levelRank(parsed.level) > levelRank(p.parsed.level)) {
            p.parsed.level = parsed.level;
            p.parsed.levelText = parsed.levelText;
          }
          return this.append(line, parsed.message);
        }
        this.start(line, parsed);
        return;
      }
      if (f.strict) {
        if (p) this.put(this.emit());
        this.put(this.parseError(line, f));
        return;
      }
      if (p && f.multiline === 'header' && text.length > 0 && this.underHeader(text)) {
        // Lines between headers belong to the record above (stack traces, dumps), but for a
        // crash the runtime printed; those that do not look like it still count toward
        // noticing that the format changed.
        const miss = !looksLikeContinuation(text) && !this.replaying;
        if (miss || (this.run && !this.replaying)) this.keepRun(p, line);
        // The run was another format: its lines, this one included, were decoded again.
        if (miss && this.missed(text, line.lineNo) && this.retakeRun()) return;
        return this.append(line, text);
      }
      if (p && f.multiline === 'header' && text.length === 0) {
        if (this.run && !this.replaying) this.keepRun(p, line);
        return this.append(line, text);
      }
      if (p && f.multiline === 'heuristic' && looksLikeContinuation(text)) return this.append(line, text);
      if (this.holdMissed(p, line)) return;
      this.start(line, null);
      if (!this.replaying) this.missed(text, line.lineNo);
      return;
    }
    if (p && looksLikeContinuation(text)) return this.append(line, text);
    this.start(line, null);
    this.missed(text, line.lineNo);
  }

  /**
   * A record start the chosen format could not read. A run of them means the stream
   * changed format (logs concatenated, a container running another program): detect again
   * on that run. After a detection that changes nothing, wait for a run twice as long, so a
   * stream no format reads costs next to nothing.
   */
  private missed(text: string, lineNo: number): boolean {
    // A forced format is the user's word: lines it cannot read stay unparsed records.
    if (this.forced) {
      this.forcedMisses++;
      return false;
    }
    // Only the run's last sampleLines lines are looked at: only they are kept (a stream no
    // format reads waits for runs of up to 65,536 lines, which held 5-9 MB per file).
    if (++this.missRun > this.missesNeeded - this.tune.sampleLines) this.misses.push(text);
    if (this.missRun < this.missesNeeded) return false;
    const lines = this.misses;
    this.misses = [];
    this.missRun = 0;
    const d = detectFormat(lines, this.formats, this.ctx);
    if (d.format && d.format !== this.format) {
      const from = this.format?.name ?? 'generic';
      this.format = d.format;
      this.candidates = d.candidates;
      this.switched = { from, lineNo, why: explain(d, d.format.name) };
      this.explanation = explainSwitch(this.switched, 0);
      this.missesNeeded = this.tune.sampleLines;
      return true;
    }
    this.missesNeeded = Math.min(this.missesNeeded * 2, 1 << 16);
    return false;
  }

  /**
   * Whether a line a header format does not read belongs under the record above: not one
   * that starts a record of its own (a time, a JSON object, a crash the runtime printed).
   */
  private underHeader(text: string): boolean {
    return text.charCodeAt(0) !== 123 && !leadingTimestamp(text, this.ctx) && !crashLevel(text);
  }

  /** Whether a line after a record cut at its size limit goes on with it: one its format would have appended. */
  private goesOn(text: string): boolean {
    if (this.startRe) return !this.startRe.test(startText(text));
    const f = this.format;
    if (!f || f.parse(text, this.ctx)) return false;
    if (f.multiline === 'header') return text.length === 0 || this.underHeader(text);
    return f.multiline === 'heuristic' && looksLikeContinuation(text);
  }

  /**
   * A record start the chosen format cannot read: held, with the lines after it, while the
   * run may be another format (two logs in one file: the first 32 lines of the second went
   * out as records without their level or time before the switch). Not once a detection
   * found nothing (the stream is one no format reads there: no holding up every line).
   */
  private holdMissed(p: Pending | null, line: SourceLine): boolean {
    if (this.replaying || this.forced || this.missesNeeded !== this.tune.sampleLines) return false;
    const r = this.run;
    if (p) {
      // Lines of the run already appended to the record before it come back into the run.
      if (r && r.lines && p.first === r.of) {
        this.rollBack(p, r);
        this.held.push(...r.lines);
      }
      this.put(this.emit());
    }
    this.run = null;
    this.held.push(line);
    this.heldMissed(line.text, line.lineNo);
    return true;
  }

  /** A held line the format could not read: counted; the run read again when it is another format, or let go when it is not. */
  private heldMissed(text: string, lineNo: number): void {
    if (this.missed(text, lineNo)) {
      const lines = this.held;
      this.held = [];
      if (this.switched) {
        this.switched = { ...this.switched, lineNo: lines[0]!.lineNo };
        this.explanation = explainSwitch(this.switched, 0);
      }
      for (const l of lines) this.feed(l);
    } else if (this.missRun === 0 || this.held.length >= this.tune.sampleLines * 2) {
      // A detection found no other format (or the run outgrew the hold): as before.
      this.releaseHeld();
    }
  }

  /** The held lines go out as they would have without holding (their misses were counted). */
  private releaseHeld(): void {
    const lines = this.held;
    this.held = [];
    this.replaying = true;
    try {
      for (const l of lines) this.feed(l);
    } finally {
      this.replaying = false;
    }
  }

  /** The held record as it was before the run `r` was appended to it. */
  private rollBack(p: Pending, r: RunTail): void {
    p.lines = r.count;
    p.chars = r.chars;
    p.last = r.last;
    p.flags = r.flags;
    p.bytes = r.bytes;
    if (p.raw) {
      if (r.raw === 0) p.raw = null;
      else p.raw.length = r.raw;
    }
    if (p.bin) {
      if (r.raw === 0) p.bin = null;
      else p.bin.length = r.raw;
    }
    if (p.msg) {
      if (r.msg === 0) p.msg = null;
      else p.msg.length = r.msg;
    }
  }

  /** Notes `line`, about to be appended to `p`, as part of a run of lines its format does not read. */
  private keepRun(p: Pending, line: SourceLine): void {
    const r = this.run;
    if (r && r.of === p.first) {
      if (r.lines && r.lines.length < this.tune.sampleLines * 4) r.lines.push(line);
      else r.lines = null;
      return;
    }
    this.run = {
      of: p.first,
      count: p.lines,
      chars: p.chars,
      last: p.last,
      raw: p.raw ? p.raw.length : 0,
      msg: p.msg ? p.msg.length : 0,
      flags: p.flags,
      bytes: p.bytes,
      lines: [line],
    };
  }

  /**
   * A run of lines appended to the held record was another format (two logs in one file):
   * the record goes out as it was before the run, and the run's lines are read again with
   * the new format, each a record of its own as that format reads them, instead of staying
   * the tail of a record of the old one (32 error lines inside an INFO record).
   */
  private retakeRun(): boolean {
    const r = this.run;
    const p = this.pending;
    this.run = null;
    if (!r || !r.lines || !p || p.first !== r.of) return false;
    // The record the run hangs from is itself the new format's first line, alone (the
    // record before it went out on its timeout, live): it is read again with the run.
    if (r.count === 1 && p.parsed === null && this.format?.parse(p.first.text, this.ctx)) {
      const first = p.first;
      this.pending = null;
      this.spare = p;
      if (this.switched) {
        this.switched = { ...this.switched, lineNo: first.lineNo };
        this.explanation = explainSwitch(this.switched, 0);
      }
      this.feed(first);
      for (const l of r.lines) this.feed(l);
      return true;
    }
    this.rollBack(p, r);
    this.put(this.emit());
    // The new format starts where the run did.
    if (this.switched) {
      this.switched = { ...this.switched, lineNo: r.lines[0]!.lineNo };
      this.explanation = explainSwitch(this.switched, 0);
    }
    for (const l of r.lines) this.feed(l);
    return true;
  }

  private start(line: SourceLine, parsed: ParsedLine | null): void {
    if (this.pending) this.put(this.emit());
    this.run = null;
    const format = parsed ? this.format!.name : 'generic';
    // One record is held at a time: its holder object is reused (one allocation less per record).
    const q = this.spare;
    if (q) {
      this.spare = null;
      q.first = q.last = line;
      q.lines = 1;
      q.chars = line.text.length;
      q.parsed = parsed;
      q.format = format;
      q.raw = q.msg = q.bin = null;
      q.bytes = line.bytes !== null;
      q.flags = line.flags;
      q.partial = !!parsed?.partial;
      this.pending = q;
    } else {
      this.pending = {
        first: line,
        last: line,
        lines: 1,
        chars: line.text.length,
        parsed,
        format,
        raw: null,
        msg: null,
        bin: null,
        bytes: line.bytes !== null,
        flags: line.flags,
        partial: !!parsed?.partial,
      };
    }
    // Formats whose records never span lines go out at once: nothing is held.
    if (parsed && this.format!.multiline === 'none' && !this.startRe) this.put(this.emit());
  }

  /** The record's body line: its message, and the level and fields its first line lacked. */
  private appendBody(line: SourceLine, p: Pending, b: BodyLine): void {
    const h = p.parsed!;
    const level = h.level ?? b.level;
    p.parsed = {
      ...h,
      level,
      levelText: h.level !== null ? h.levelText : b.levelText,
      message: b.message,
      fields: h.fields ? { ...b.fields, ...withoutEmpty(h.fields) } : b.fields,
    };
    this.append(line, null);
  }

  private append(line: SourceLine, msgText: string | null, glue = false): void {
    const p = this.pending!;
    p.last = line;
    p.lines++;
    p.chars += line.text.length + 1;
    const raw = (p.raw ??= [p.first.written ?? p.first.text]);
    raw.push(line.written ?? line.text);
    if (p.bin || line.bytes !== null || p.first.bytes !== null) {
      if (!p.bin) {
        p.bin = new Array<Buffer | null>(raw.length - 1).fill(null);
        p.bin[0] = p.first.bytes;
      }
      p.bin.push(line.bytes);
    }
    if (msgText !== null) (p.msg ??= []).push(glue ? '\u0000' + msgText : msgText);
    if (line.bytes !== null) p.bytes = true;
    p.flags |= line.flags;
    if (p.lines >= this.tune.maxRecordLines || p.chars >= this.tune.maxRecordChars) {
      // Cut so that a never-ending trace cannot hold memory; the lines after the cut go on
      // as a record of the same time and level (a JVM StackOverflowError's 1,024 frames
      // were two records, the second without a level).
      const parsed = p.parsed && this.format && p.format === this.format.name ? p.parsed : null;
      const rec = this.emit();
      // A crash the runtime printed (no format's line) goes on with the level it was given.
      this.cut = parsed ?? (rec.level && this.format ? { ts: rec.ts, tsText: rec.tsText, tsAssumed: rec.tsAssumed ?? null, level: rec.level, levelText: rec.levelText, message: '' } : null);
      this.put(rec);
    }
  }

  private anyJsonFormat: CompiledFormat | null | undefined;
  /** The JSON format that takes any field names (resources/formats/json.json), if loaded. */
  private anyJson(): CompiledFormat | null {
    if (this.anyJsonFormat === undefined) this.anyJsonFormat = this.formats.find((f) => f.name === 'json') ?? null;
    return this.anyJsonFormat;
  }

  private emit(): DecodedRecord {
    const p = this.pending!;
    this.pending = null;
    const first = p.first;
    let ts: number | null;
    let tsText: string | null;
    let tsAssumed = null;
    let level = null;
    let levelText = null;
    let message: string;
    let fields: Record<string, unknown> | undefined;
    let json: ParsedLine | null = null;
    if (p.parsed) {
      ts = p.parsed.ts;
      tsText = p.parsed.tsText;
      tsAssumed = p.parsed.tsAssumed;
      level = p.parsed.level;
      levelText = p.parsed.levelText;
      message = p.parsed.message;
      fields = p.parsed.fields;
    } else if (first.text.charCodeAt(0) === 123 && (json = this.anyJson()?.parse(first.text, this.ctx) ?? null)) {
      // A JSON line the stream's format could not read (a logrus line without its `time`):
      // read with any field names, not as text (its level and message were lost).
      ts = json.ts;
      tsText = json.tsText;
      tsAssumed = json.tsAssumed;
      level = json.level;
      levelText = json.levelText;
      message = json.message;
      fields = json.fields;
    } else {
      const text = first.text;
      const lead = leadingTimestamp(text, this.ctx);
      ts = lead ? lead.ms : null;
      tsText = lead ? lead.text : null;
      tsAssumed = lead ? lead.assumed : null;
      message = lead ? text.slice(lead.end) : text;
      const w = findLevelWord(text);
      if (w) {
        level = w.level;
        levelText = w.word;
      }
      const crash = crashLevel(text);
      if (crash && levelRank(crash) > levelRank(level)) level = crash;
    }
    if (p.msg) for (const m of p.msg) message += m.charCodeAt(0) === 0 ? m.slice(1) : '\n' + m;
    // Trailing blanks carry no meaning and would split templates ("error = " vs "error =");
    // they stay in raw.
    const cN = message.charCodeAt(message.length - 1);
    if (cN === 32 || cN === 9) message = message.trimEnd();
    const raw = p.raw ? p.raw.join('\n') : (first.written ?? first.text);
    let rawBytes: Buffer | null = null;
    // The original bytes, each line's own (a line of valid UTF-8 is its text): raw_bytes of
    // a multi-line record held U+FFFD where the file had C3 28.
    if (p.bytes) rawBytes = p.lines === 1 ? first.bytes : joinBytes(p.raw!, p.bin);
    // newRecord's object, written out: this is the hot path, and an argument object per
    // record costs what newRecord saves. Same fields in the same order (a test checks).
    const rec = {
      firstLine: first.lineNo,
      lastLine: p.last.lineNo,
      startOffset: first.startOffset,
      endOffset: p.last.endOffset,
      ts: ts ?? first.transportTs ?? null,
      tsText,
      tsAssumed: tsAssumed ?? undefined,
      level,
      levelText,
      message,
      raw,
      rawBytes,
      // What the time was taken to be, in the stored flags (the store has no column for it).
      flags: tsAssumed === null ? p.flags : p.flags | assumedFlags(tsAssumed),
      format: p.format,
      stream: first.stream,
      fields,
      alert: p.parsed?.alert,
      id: 0,
      sourceName: '',
      sourceId: 0,
      fileId: null,
      path: null,
      levelRank: 0,
      templateId: null,
      template: null,
    };
    this.spare = p;
    return rec;
  }

  private parseError(line: SourceLine, f: CompiledFormat): DecodedRecord {
    const reason = f.mismatchReason(line.text);
    return newRecord({
      firstLine: line.lineNo,
      lastLine: line.lineNo,
      startOffset: line.startOffset,
      endOffset: line.endOffset,
      ts: line.transportTs ?? null,
      tsText: null,
      level: null,
      levelText: null,
      message: line.text,
      raw: line.written ?? line.text,
      rawBytes: line.bytes,
      flags: line.flags | RECORD_FLAGS.parseError,
      format: f.name,
      stream: line.stream,
      alert: { type: 'unknown', severity: null, details: null, parseError: reason },
    });
  }
}

/**
 * The text as decoding sees it: without a UTF-8 byte-order mark where the file starts (a
 * Windows editor's, or .NET's default encoding; it hid the first line's timestamp), and
 * without terminal control sequences (see ansi.ts), which stay in the record's raw text.
 */
function cleanLine(line: SourceLine): void {
  const text = line.text;
  if (line.startOffset === 0 && text.charCodeAt(0) === 0xfeff) line.text = text.slice(1);
  if (line.text.indexOf('\x1b') !== -1) {
    const visible = stripAnsi(line.text);
    if (visible !== line.text) {
      line.written = line.text;
      line.text = visible;
      line.flags |= RECORD_FLAGS.ansiStripped;
    }
  }
}

/** Fields with a value: a first line's empty capture (its message) must not hide the body's. */
function withoutEmpty(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in fields) if (fields[k] !== undefined && fields[k] !== '') out[k] = fields[k];
  return out;
}

/**
 * Whether two lines of a wrapper format (a container runtime's, docker compose's, the
 * journal's) come from the same place (see ORIGIN_FIELDS). Lines of other formats do
 * (they have none of those fields).
 */
function sameOrigin(a: ParsedLine | null, b: ParsedLine): boolean {
  const fa = a?.fields;
  const fb = b.fields;
  if (!fa || !fb) return true;
  for (const k of ORIGIN_FIELDS) if (fa[k] !== fb[k]) return false;
  return true;
}

/**
 * Whether a wrapper's line is near enough in time to be the held record's continuation: a
 * trace is written at once, and an indented entry half an hour later is not part of the
 * record before it (read live, the multi-line timeout parts them; read from a backlog,
 * nothing else would).
 */
function closeInTime(a: ParsedLine | null, b: ParsedLine): boolean {
  return a?.ts == null || b.ts === null || Math.abs(b.ts - a.ts) <= JOIN_GAP_MS;
}

const JOIN_GAP_MS = 5000;

/**
 * What tells apart the writers whose lines share a stream: a container's stdout and
 * stderr, a compose service, and in the journal the process and unit (a service's trace
 * comes one entry per line, between other services' entries).
 */
const ORIGIN_FIELDS = ['_PID', 'stream', 'service', '_SYSTEMD_UNIT', 'SYSLOG_IDENTIFIER'];

/** The bytes of a record's lines, joined by newlines: each line's original bytes where it had them, else its text. */
function joinBytes(raw: string[], bin: (Buffer | null)[] | null): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (i > 0) parts.push(NEWLINE);
    parts.push(bin?.[i] ?? Buffer.from(raw[i]!, 'utf8'));
  }
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');

/**
 * What a multi-line rule's start pattern is tested on: a line's first 4096 characters. A
 * record's start shows at its beginning, and a pattern that backtracks (`\d+-\d+ ` on a
 * 400,000-digit line took a minute, the engine stalled) stays bounded.
 */
const START_TEXT_LIMIT = 4096;
function startText(text: string): string {
  return text.length > START_TEXT_LIMIT ? text.slice(0, START_TEXT_LIMIT) : text;
}
