import type { Level } from '../../../shared/types.js';
import type { TsAssumed } from './time/timestamp.js';

/** One line as a source read it: no terminator, CR stripped. */
export interface SourceLine {
  /** The line as text; invalid UTF-8 sequences become U+FFFD. */
  text: string;
  /** The original bytes, kept only when they were not valid UTF-8. */
  bytes: Buffer | null;
  /** The text as written, set by the decoder when it reads `text` without terminal sequences (the record's raw). */
  written?: string;
  /** RECORD_FLAGS bits known at read time (truncated, invalidUtf8, partialFlushed). */
  flags: number;
  /** 1-based line number in the file (or sequence number in a container stream). */
  lineNo: number;
  /** Byte offset where this line starts in the file (stream sources: a sequence number). */
  startOffset: number;
  /** Byte offset just past this line's terminator. */
  endOffset: number;
  stream?: 'stdout' | 'stderr';
  /** A timestamp the transport knows (Docker's), epoch ms. */
  transportTs?: number;
  /** When the line was read, epoch ms. */
  readAt: number;
}

/** A decoded record: one or more lines (multi-line records) with their meaning. */
export interface DecodedRecord {
  firstLine: number;
  lastLine: number;
  /** startOffset of the first line, endOffset of the last line. */
  startOffset: number;
  endOffset: number;
  /** UTC epoch ms, or null when the record has no timestamp of its own. */
  ts: number | null;
  /** The timestamp text as written. */
  tsText: string | null;
  /**
   * What the timestamp did not say and was assumed: the year (taken from the file's
   * modification time), the whole date (a time of day alone: the day it was read by), the
   * zone (local time), or a date part and the zone. Absent when the text said it all.
   */
  tsAssumed?: TsAssumed;
  level: Level | null;
  /** The source's own level word. */
  levelText: string | null;
  /** The message part (header removed; for multi-line records, the whole text after the header). */
  message: string;
  /** The original text of all lines, joined with \n. */
  raw: string;
  rawBytes: Buffer | null;
  flags: number;
  /** Name of the format that decoded it. */
  format: string;
  stream?: 'stdout' | 'stderr';
  /** Structured fields (JSON / logfmt keys, named captures). */
  fields?: Record<string, unknown>;
  /** For alert-jsonl entries with type "anomaly": the severity and details given. */
  alert?: { type: string; severity: string | null; details: unknown; parseError?: string };
}

/** What a decoder says of a record; `newRecord` makes the record. */
export type RecordInit = Omit<DecodedRecord, 'tsAssumed' | 'stream' | 'fields' | 'alert'> & Partial<Pick<DecodedRecord, 'tsAssumed' | 'stream' | 'fields' | 'alert'>>;

/**
 * Every record is made here, with all its fields (the optional ones undefined) and room for
 * what the pipeline sets when it stores it (pipeline/types.ts: StoredRecord). So every record
 * has one object shape from decoding to storage, each field in the object itself. Fields
 * added later would grow a property store per record: about 200 bytes each, and 5-7% of the
 * time from append to stored (tail bench, one file).
 */
export function newRecord(r: RecordInit): DecodedRecord {
  const rec = {
    firstLine: r.firstLine,
    lastLine: r.lastLine,
    startOffset: r.startOffset,
    endOffset: r.endOffset,
    ts: r.ts,
    tsText: r.tsText,
    tsAssumed: r.tsAssumed,
    level: r.level,
    levelText: r.levelText,
    message: r.message,
    raw: r.raw,
    rawBytes: r.rawBytes,
    flags: r.flags,
    format: r.format,
    stream: r.stream,
    fields: r.fields,
    alert: r.alert,
    // Set by the pipeline when it stores the record.
    id: 0,
    sourceName: '',
    sourceId: 0,
    fileId: null,
    path: null,
    levelRank: 0,
    templateId: null,
    template: null,
  };
  return rec;
}

/**
 * Stateful decoder for one stream (one file, or one container's stdout/stderr). Lines go
 * in, records come out, possibly later (multi-line grouping). `pendingStart` tells the
 * source which offset is safe to checkpoint: lines held here are not stored yet.
 */
export interface StreamDecoder {
  push(line: SourceLine): DecodedRecord[];
  /** Emit whatever is held (end of file rotated away, timeout, shutdown). */
  flush(): DecodedRecord[];
  /** startOffset/lineNo of the oldest held line, or null when nothing is held. */
  pendingStart(): { offset: number; lineNo: number } | null;
  /** Milliseconds until held lines should be flushed by timeout, or null. */
  flushDueInMs(now: number): number | null;
  /**
   * What is due by `now` (a timer's flush): the detection of a new stream's format once its
   * sample time passed, records complete meanwhile, and the held record once its own
   * multi-line timeout passed; a record still in its timeout stays held. Without it, a
   * timer flushes everything (flush()).
   */
  flushDue?(now: number): DecodedRecord[];
  /**
   * Reads on as `format` did before this point (a file resumed after a restart), instead of
   * deciding again from the lines that come; another format still takes over when they are not it.
   */
  takeOver?(format: string): void;
  /** Which format is in use and why (for the UI and `vigil parse`). */
  describe(): {
    format: string;
    forced: boolean;
    explanation: string;
    /** Formats that read sample lines, best first: how many lines, with time, with level. */
    candidates?: { format: string; matched: number; withTime: number; withLevel: number }[];
    /** A forced format: lines so far it could not read (not counting those that look like continuations). */
    missed?: number;
  };
  /**
   * The stream starts over (file rotated or truncated): returns what was held, then detects
   * the format again on the next lines (unless forced). Optional for trivial decoders.
   */
  reset?(opts?: { fileMtimeMs?: number }): DecodedRecord[];
  /**
   * The lines read next were written by `ms` at the latest (a file's mtime as it is read, a
   * container line's Docker time): a timestamp without a year takes its year from it. A
   * file tailed across New Year would otherwise keep the year it was opened in.
   */
  writtenBy?(ms: number): void;
}

export interface DecoderOptions {
  /** Force a format by name. */
  format?: string;
  multiline?: { start?: string; timeoutMs?: number };
  /** File modification time, for formats without a year (see StreamDecoder.writtenBy). */
  fileMtimeMs?: number;
}

/** Builds stream decoders; owns the loaded format definitions. */
export interface DecoderFactory {
  create(opts: DecoderOptions): StreamDecoder;
}

/** Online template mining: message -> stable template id + text. */
export interface TemplateMiner {
  /** `now`: the record's time (epoch ms) for first/last seen; defaults to the wall clock. */
  match(message: string, now?: number): { id: number; template: string };
}
