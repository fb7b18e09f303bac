// One container stream (stdout or stderr) within one reading session: drops what a
// reopen repeats, rejoins lines Docker cut into pieces, decodes them, and knows which
// position is safe to checkpoint (never past a line the decoder still holds).
import type { DecodedRecord, SourceLine, StreamDecoder } from '../../decode/types.js';
import type { StreamCursor, StreamName } from './checkpoint.js';
import type { LogMessage } from './demux.js';
import { LineJoiner } from './line-joiner.js';
import { advance, ResumeFilter, type Position } from './position.js';

/** Recent message times kept to know a message sent again (see push). */
const RECENT = 2048;

export class StreamLines {
  private readonly filter: ResumeFilter;
  private readonly joiner: LineJoiner;
  /** After the last message read. */
  private reader: Position;
  /** After the last complete line (a line cut in pieces is not complete until its last piece). */
  private afterLastLine: Position;
  private lastSeq: number;
  private lastMs: number | null = null;
  /** Position after each line the decoder may still hold, by line number. */
  private readonly afterLine = new Map<number, Position>();
  /** The times of the last RECENT messages read, a ring. */
  private readonly recent: string[] = [];
  private recentAt = 0;
  private lastContent: Buffer | null = null;

  constructor(
    readonly stream: StreamName,
    private readonly from: StreamCursor,
    readonly decoder: StreamDecoder,
    maxLineBytes: number,
  ) {
    this.filter = new ResumeFilter(from);
    this.reader = { t: from.t, n: from.n };
    this.afterLastLine = this.reader;
    this.lastSeq = from.seq;
    this.joiner = new LineJoiner(from.seq, maxLineBytes);
  }

  push(m: LogMessage, readAt: number): DecodedRecord[] {
    if (!this.filter.accept(m.key)) return [];
    if (m.key) {
      // Docker 20.10's follow stream sends lines again after it rotates a json-file log
      // (max-size), with their own, older times (~40 of 8,000 lines each time). A message
      // older than the last one, at a time read a moment ago, is one of those. (Only an
      // exact time: a clock stepping back must not hide new lines.)
      // The last message itself can come again: same time, same bytes, a whole line (the
      // pieces of a line Docker cut share its time, and may be the same bytes: 'xxx…').
      if (m.key < this.reader.t ? this.recent.includes(m.key) : m.key === this.reader.t && this.lastContent !== null && this.lastContent[this.lastContent.length - 1] === 0x0a && this.lastContent.equals(m.content)) return [];
      this.recent[this.recentAt] = m.key;
      this.recentAt = (this.recentAt + 1) % RECENT;
      this.lastContent = m.content;
      this.reader = advance(this.reader, m.key);
    }
    if (m.ms !== null) {
      this.lastMs = m.ms;
      // Docker's time for the line: a year-less timestamp in it takes that year (see writtenBy).
      this.decoder.writtenBy?.(m.ms);
    }
    const lines: SourceLine[] = [];
    this.joiner.push(m.content, readAt, lines);
    return this.decode(lines, m.ms);
  }

  /** The container's run ended: a last line without its newline is complete now; flush everything held. */
  flushEnded(readAt: number): DecodedRecord[] {
    const lines: SourceLine[] = [];
    this.joiner.flushPartial(readAt, lines);
    return this.decode(lines, this.lastMs).concat(this.decoder.flush());
  }

  /** Held records whose multi-line timeout passed. */
  flushDue(now: number): DecodedRecord[] {
    const due = this.decoder.flushDueInMs(now);
    if (due === null || due > 0) return [];
    return this.decoder.flushDue ? this.decoder.flushDue(now) : this.decoder.flush();
  }

  flushDueInMs(now: number): number | null {
    return this.decoder.flushDueInMs(now);
  }

  /** True when no line or piece of one is held: everything read is accounted for. */
  get holdsNothing(): boolean {
    return this.decoder.pendingStart() === null && this.joiner.pendingBytes === 0;
  }

  /** Where a reopen must resume so that nothing not yet handed to the store is skipped. */
  checkpoint(): StreamCursor {
    const pending = this.decoder.pendingStart();
    let cursor: StreamCursor;
    if (pending) {
      const seq = pending.lineNo - 1;
      const at = this.afterLine.get(seq) ?? this.from;
      cursor = { t: at.t, n: at.n, seq };
    } else if (this.joiner.pendingBytes > 0) {
      cursor = { ...this.afterLastLine, seq: this.lastSeq };
    } else {
      cursor = { ...this.reader, seq: this.lastSeq };
    }
    for (const k of this.afterLine.keys()) if (k < cursor.seq) this.afterLine.delete(k);
    return cursor;
  }

  private decode(lines: SourceLine[], ms: number | null): DecodedRecord[] {
    const out: DecodedRecord[] = [];
    // Docker ends every message at a newline, so the lines completed by one message share
    // the position after it (a message holding several lines would resume after all of them).
    for (const l of lines) {
      l.stream = this.stream;
      if (ms !== null) l.transportTs = ms;
      this.lastSeq = l.lineNo;
      this.afterLastLine = this.reader;
      this.afterLine.set(l.lineNo, this.reader);
      for (const r of this.decoder.push(l)) out.push(r);
    }
    // Decoders copy the stream from the line; make sure, as stderr must stay marked.
    for (const r of out) r.stream ??= this.stream;
    return out;
  }
}
