// Turns the bytes of a `logs?timestamps=1` response into Docker log messages. Docker logs
// a line per message, and cuts lines longer than 16 KiB into several messages of which
// only the last ends in a newline; each message carries its own timestamp.
import type { StreamName } from './checkpoint.js';
import { parseLogTime } from './position.js';

export interface LogMessage {
  stream: StreamName;
  /** Position key of the message's timestamp (see position.ts); '' when it had none. */
  key: string;
  /** Epoch ms of the timestamp, or null. */
  ms: number | null;
  /** The message text; a complete line ends in '\n'. */
  content: Buffer;
}

export interface MessageParser {
  push(chunk: Buffer): LogMessage[];
  /** The stream ended: whatever is left. */
  end(): LogMessage[];
}

/** Docker cuts a line into messages of this many bytes (its copier's buffer). */
export const DOCKER_SPLIT_BYTES = 16 * 1024;
const HEADER = 8;
const MAX_TS_TEXT = 40;
const SP = 0x20;
const NL = 0x0a;

/** Splits `TIMESTAMP SP content`; a payload without a readable timestamp is kept whole. */
function message(stream: StreamName, payload: Buffer): LogMessage {
  const sp = payload.indexOf(SP);
  if (sp > 0 && sp <= MAX_TS_TEXT) {
    const t = parseLogTime(payload.toString('latin1', 0, sp));
    if (t) return { stream, key: t.key, ms: t.ms, content: payload.subarray(sp + 1) };
  }
  return { stream, key: '', ms: null, content: payload };
}

/**
 * A non-TTY container's stream: frames of an 8-byte header (stream id, 3 zero bytes,
 * big-endian length) and a payload, one frame per message. Frames arrive cut anywhere.
 */
export class MultiplexedParser implements MessageParser {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onSystemError: (text: string) => void = () => undefined) {}

  push(chunk: Buffer): LogMessage[] {
    // Our own copy, once per chunk (the caller's is not ours to keep, and pieces of a long
    // line are held across chunks): messages are slices of it, not a copy each.
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    const out: LogMessage[] = [];
    let pos = 0;
    while (buf.length - pos >= HEADER) {
      const size = buf.readUInt32BE(pos + 4);
      if (buf.length - pos - HEADER < size) break;
      const kind = buf[pos]!;
      const payload = buf.subarray(pos + HEADER, pos + HEADER + size);
      pos += HEADER + size;
      if (kind === 1 || kind === 2) out.push(message(kind === 1 ? 'stdout' : 'stderr', payload));
      else if (kind === 3) this.onSystemError(payload.toString('utf8').trim());
      // 0 (stdin) never carries log output.
    }
    this.pending = pos === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(pos));
    return out;
  }

  end(): LogMessage[] {
    // A frame cut short by the end of the stream is not a message Docker finished sending.
    this.pending = Buffer.alloc(0);
    return [];
  }
}

const LOOKS_LIKE_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d) /;
/** Docker's own stamp, as its logs API writes it (RFC3339NanoFixed, UTC): nine digits, then Z. */
const DOCKER_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /;

/**
 * A TTY container's stream: no frames, messages simply follow one another, all on stdout.
 * A complete message ends at its newline. A message without one is a piece of a long
 * line that Docker cut at exactly 16 KiB, recognised by the next timestamp right there.
 */
export class RawParser implements MessageParser {
  private buf: Buffer = Buffer.alloc(0);
  /** Start of the unread part of `buf` (an offset, so many small messages cost no copies). */
  private pos = 0;

  push(chunk: Buffer): LogMessage[] {
    const rest = this.buf.subarray(this.pos);
    this.buf = rest.length ? Buffer.concat([rest, chunk]) : Buffer.from(chunk);
    this.pos = 0;
    return this.drain(false);
  }

  end(): LogMessage[] {
    const out = this.drain(true);
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    return out;
  }

  private drain(ended: boolean): LogMessage[] {
    const out: LogMessage[] = [];
    for (let m = this.next(ended); m; m = this.next(ended)) out.push(m);
    return out;
  }

  private next(ended: boolean): LogMessage | null {
    const buf = this.buf;
    const from = this.pos;
    const left = buf.length - from;
    if (!left) return null;
    const sp = buf.indexOf(SP, from);
    if ((sp === -1 || sp - from > MAX_TS_TEXT) && left < MAX_TS_TEXT && !ended) return null;
    const hasTs = sp > from && sp - from <= MAX_TS_TEXT && parseLogTime(buf.toString('latin1', from, sp)) !== null;
    const start = hasTs ? sp + 1 : from;
    const nl = buf.indexOf(NL, start);
    let end: number;
    if (nl !== -1 && nl - start < DOCKER_SPLIT_BYTES) {
      end = nl + 1;
      // A run's last output without its newline (a crash under a restart policy), then the
      // next run's first line: Docker's next timestamp is inside, and ends this message.
      if (hasTs) {
        const next = laterStampIn(buf, from, sp, start, nl);
        if (next !== -1) end = next;
      }
    } else if (buf.length - start >= DOCKER_SPLIT_BYTES + MAX_TS_TEXT || (ended && buf.length - start > DOCKER_SPLIT_BYTES)) {
      const cut = start + DOCKER_SPLIT_BYTES;
      end = LOOKS_LIKE_TS.test(buf.toString('latin1', cut, cut + MAX_TS_TEXT)) ? cut : nl !== -1 ? nl + 1 : buf.length;
    } else if (nl !== -1 || ended) {
      end = nl !== -1 ? nl + 1 : buf.length;
    } else {
      return null;
    }
    this.pos = end;
    // No copy: `buf` is never written to, only replaced.
    return message('stdout', buf.subarray(from, end));
  }
}

/**
 * Where a Docker timestamp later than the message's own (`buf[from, sp)`) starts between
 * `start` and `nl`, or -1. Looked for by the year the message's own starts with, in Docker's
 * exact form (nine digits, Z: "expires 2026-11-30T12:00:00.000Z" in an app's text is text),
 * and later than the message's own (an app stamping its lines stamps before Docker does).
 */
function laterStampIn(buf: Buffer, from: number, sp: number, start: number, nl: number): number {
  const year = buf.subarray(from, from + 5);
  // The message's own time is read only once a stamp is seen inside (nearly never): this runs for every TTY message.
  let own: string | undefined;
  for (let p = buf.indexOf(year, start + 1); p !== -1 && p < nl; p = buf.indexOf(year, p + 1)) {
    const text = buf.toString('latin1', p, Math.min(p + MAX_TS_TEXT + 1, buf.length));
    if (!DOCKER_TS.test(text)) continue;
    own ??= parseLogTime(buf.toString('latin1', from, sp))?.key ?? '';
    const t = parseLogTime(text.slice(0, text.indexOf(' ')));
    if (own && t && t.key > own) return p;
  }
  return -1;
}

/**
 * For a stream whose container Docker could not describe (it was removed while its log was
 * being sent): frames start with a stream id (0 to 3), a TTY stream with its first
 * timestamp (a digit), since the log is asked for with `timestamps`. The first byte decides.
 */
export class SniffingParser implements MessageParser {
  private inner: MessageParser | null = null;

  constructor(private readonly onSystemError: (text: string) => void = () => undefined) {}

  push(chunk: Buffer): LogMessage[] {
    if (!chunk.length) return [];
    this.inner ??= chunk[0]! <= 3 ? new MultiplexedParser(this.onSystemError) : new RawParser();
    return this.inner.push(chunk);
  }

  end(): LogMessage[] {
    return this.inner ? this.inner.end() : [];
  }
}
