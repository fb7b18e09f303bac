import { LEVELS, type Level } from '../../../shared/types.js';
import { newRecord, type DecodedRecord, type DecoderFactory, type DecoderOptions, type SourceLine, type StreamDecoder } from './types.js';

// The generic fallback: a leading ISO-8601-ish timestamp and a level word anywhere near
// the start. Format-specific decoding lives beside this file; this one always works.

const ISO_TS = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)\]?\s*/;
const LEVEL_WORD = /\b(TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERR(?:OR)?|CRIT(?:ICAL)?|FATAL|SEVERE|PANIC|EMERG(?:ENCY)?|ALERT)\b/i;

const LEVEL_MAP: Record<string, Level> = {
  trace: 'trace', debug: 'debug', info: 'info', notice: 'notice', warn: 'warn', warning: 'warn',
  err: 'error', error: 'error', crit: 'critical', critical: 'critical', severe: 'critical',
  alert: 'critical', fatal: 'fatal', panic: 'fatal', emerg: 'fatal', emergency: 'fatal',
};

export function normalizeLevel(word: string | null | undefined): Level | null {
  if (!word) return null;
  const w = word.toLowerCase();
  return LEVEL_MAP[w] ?? ((LEVELS as readonly string[]).includes(w) ? (w as Level) : null);
}

export function parseIsoLike(text: string): number | null {
  const t = text.replace(' ', 'T').replace(',', '.');
  const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(t) ? t : t); // no zone: local time, as Date.parse does
  return Number.isFinite(ms) ? ms : null;
}

export function decodeGenericLine(line: SourceLine): DecodedRecord {
  let ts: number | null = null;
  let tsText: string | null = null;
  let message = line.text;
  const m = ISO_TS.exec(line.text);
  if (m) {
    ts = parseIsoLike(m[1]!);
    if (ts !== null) {
      tsText = m[1]!;
      message = line.text.slice(m[0].length);
    }
  }
  const lv = LEVEL_WORD.exec(line.text.slice(0, 200));
  return newRecord({
    firstLine: line.lineNo,
    lastLine: line.lineNo,
    startOffset: line.startOffset,
    endOffset: line.endOffset,
    ts: ts ?? line.transportTs ?? null,
    tsText,
    level: normalizeLevel(lv?.[1]),
    levelText: lv?.[1] ?? null,
    message,
    raw: line.text,
    rawBytes: line.bytes,
    flags: line.flags,
    format: 'generic',
    stream: line.stream,
  });
}

class GenericDecoder implements StreamDecoder {
  push(line: SourceLine): DecodedRecord[] {
    return [decodeGenericLine(line)];
  }
  flush(): DecodedRecord[] {
    return [];
  }
  pendingStart() {
    return null;
  }
  flushDueInMs() {
    return null;
  }
  describe() {
    return { format: 'generic', forced: false, explanation: 'generic: leading timestamp and level word' };
  }
}

export class GenericDecoderFactory implements DecoderFactory {
  create(_opts: DecoderOptions): StreamDecoder {
    return new GenericDecoder();
  }
}
