// Rejoins the pieces of lines Docker cut (16 KiB each; only the last piece ends in a
// newline) into whole lines, bounded: past `maxLineBytes` the rest of a line is counted,
// not kept, and the line is flagged truncated.
import { RECORD_FLAGS } from '../../../../shared/types.js';
import type { SourceLine } from '../../decode/types.js';
import { utf8Boundary } from '../../util/utf8.js';
import { DOCKER_SPLIT_BYTES } from './demux.js';

const NL = 0x0a;
const CR = 0x0d;
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export class LineJoiner {
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Bytes of the current line past maxLineBytes (dropped). */
  private overflow = 0;

  constructor(
    private lineNo: number,
    private readonly maxLineBytes: number,
  ) {}

  /** Bytes of a line begun and not finished. */
  get pendingBytes(): number {
    return this.heldBytes + this.overflow;
  }

  /**
   * One Docker message's content. A message without a newline is a piece of a longer line
   * when Docker cut it (exactly 16 KiB); shorter, it is the last of a run that ended without
   * its newline (a crash message), complete now: held, it would be glued to the first line
   * of the container's next run (a restart policy, `docker restart`).
   */
  push(content: Buffer, readAt: number, out: SourceLine[]): void {
    let pos = 0;
    while (pos < content.length) {
      const nl = content.indexOf(NL, pos);
      const end = nl === -1 ? content.length : nl;
      this.hold(content, pos, end);
      if (nl === -1) {
        if (content.length < DOCKER_SPLIT_BYTES) out.push(this.take(readAt, RECORD_FLAGS.partialFlushed, false));
        return;
      }
      out.push(this.take(readAt, 0, true));
      pos = nl + 1;
    }
  }

  /** The container's run ended: a line it left without a newline is complete now. */
  flushPartial(readAt: number, out: SourceLine[]): void {
    if (this.pendingBytes > 0) out.push(this.take(readAt, RECORD_FLAGS.partialFlushed, false));
  }

  private hold(buf: Buffer, from: number, to: number): void {
    const take = Math.max(0, Math.min(this.maxLineBytes - this.heldBytes, to - from));
    if (take > 0) {
      this.held.push(buf.subarray(from, from + take));
      this.heldBytes += take;
    }
    this.overflow += to - from - take;
  }

  private take(readAt: number, flags: number, stripCr: boolean): SourceLine {
    let bytes = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    if (this.overflow > 0) {
      flags |= RECORD_FLAGS.truncated;
      bytes = bytes.subarray(0, utf8Boundary(bytes, 0, bytes.length));
    } else if (stripCr && bytes.length && bytes[bytes.length - 1] === CR) {
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    this.held = [];
    this.heldBytes = 0;
    this.overflow = 0;
    const text = bytes.toString('utf8');
    let raw: Buffer | null = null;
    // U+FFFD may be real text; keep the bytes only when they really are not UTF-8.
    if (text.includes('\uFFFD')) {
      try {
        utf8Strict.decode(bytes);
      } catch {
        raw = Buffer.from(bytes);
        flags |= RECORD_FLAGS.invalidUtf8;
      }
    }
    this.lineNo++;
    return { text, bytes: raw, flags, lineNo: this.lineNo, startOffset: this.lineNo, endOffset: this.lineNo + 1, readAt };
  }
}
