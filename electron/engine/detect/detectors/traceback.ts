import type { StoredRecord } from '../../pipeline/types.js';
import type { FindingSink } from '../types.js';
import { firstLine } from '../text.js';

// A multi-line record that is a stack trace (Java, Python, Go, Node, Ruby, .NET, PHP) is a
// finding by itself. Its fingerprint is the exception type and the top frame, so the same
// crash repeating attaches to one anomaly while a different crash opens another.

const FRAME = [
  /^\s+at [\w$.<>\[\]\/ -]+\(.*\)\s*$/, // Java, .NET, Node (with location in parens)
  /^\s+at [^\s(]+:\d+:\d+\s*$/, // Node, anonymous
  /^\s+File ".+", line \d+/, // Python
  /^\s+from .+:\d+:in /, // Ruby
  /^#\d+ .+\(\d+\): /, // PHP
  /^\s+\S+\.go:\d+/, // Go
  /^\s+in .+ at .+:\d+/, // Elixir-ish, misc
];
const HEAD = /^(?:Traceback \(most recent call last\):|goroutine \d+ \[|panic: |Exception in thread |Caused by: |Stack trace:|Unhandled exception)/m;
const TYPE = /\b((?:[A-Za-z_$][\w$]*\.)*[A-Z][\w$]*(?:Exception|Error|Panic|Fault|Throwable))\b/;
const MAX_SCAN = 64 * 1024;

export interface TracebackInfo {
  type: string;
  frames: number;
  topFrame: string;
}

/** Recognizes a stack trace in a multi-line record; null when it is not one. */
export function parseTraceback(raw: string, minLines: number): TracebackInfo | null {
  const text = raw.length > MAX_SCAN ? raw.slice(0, MAX_SCAN) : raw;
  const lines = text.split('\n');
  if (lines.length < minLines) return null;
  let frames = 0;
  let topFrame = '';
  for (const l of lines) {
    if (FRAME.some((re) => re.test(l))) {
      if (!topFrame) topFrame = l.trim();
      frames++;
    }
  }
  if (frames < 2 && !(frames >= 1 && HEAD.test(text))) return null;
  // Python names the exception on its last line; the others on the first.
  const python = /^Traceback \(most recent call last\):/m.test(text);
  const typeLine = python ? [...lines].reverse().find((l) => TYPE.test(l) || /^\w+: /.test(l)) ?? '' : lines.find((l) => TYPE.test(l)) ?? lines[0]!;
  const type = TYPE.exec(typeLine)?.[1] ?? /^(\w+):/.exec(typeLine.trim())?.[1] ?? firstLine(lines[0]!, 80);
  return { type, frames, topFrame: topFrame.replace(/\d+/g, '#') };
}

/**
 * The stack trace a structured record carries in a field: pino's and bunyan's `err.stack`,
 * `error.stack`, ECS's `error.stack_trace`, OpenTelemetry's `exception.stacktrace`, winston's
 * `stack`, Serilog's `Exception`, python-json-logger's `exc_info`. A JSON line is one line:
 * as a record it was no trace, and a Node service's crash read "New error: request
 * errored", without what failed.
 */
export function stackInFields(fields: Record<string, unknown> | undefined): string | null {
  if (!fields) return null;
  const nested = (o: unknown, k: string): unknown => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined);
  for (const v of [
    nested(fields.err, 'stack'),
    nested(fields.error, 'stack'),
    nested(fields.error, 'stack_trace'),
    fields['error.stack_trace'],
    nested(fields.exception, 'stacktrace'),
    fields['exception.stacktrace'],
    fields.stack,
    fields.Exception,
    fields.exception,
    fields.exc_info,
  ]) {
    if (typeof v === 'string' && v.includes('\n')) return v;
  }
  return null;
}

/** `stack`: the trace came from a field (see stackInFields), its first line says what failed. */
export function tracebackFinding(r: StoredRecord, info: TracebackInfo, t: number, sink: FindingSink, stack?: string): void {
  const said = stack === undefined ? '' : firstLine(stack, 300);
  sink.found({
    detector: 'traceback',
    key: `${info.type}@${info.topFrame}`.slice(0, 300),
    severity: 'high',
    category: 'crash',
    title: `${info.type} in ${r.sourceName}`,
    message: firstLine(said && !r.message.includes(said) ? `${r.message}: ${said}` : r.message, 500),
    ts: t,
    records: [{ id: r.id, ts: r.ts }],
    templateId: r.templateId,
    numbers: { frames: info.frames, lines: r.lastLine - r.firstLine + 1 },
  });
}
