import { describe, expect, it } from 'vitest';
import type { FormatStreamDecoder } from '../../../electron/engine/decode/index.js';
import type { DecodedRecord } from '../../../electron/engine/decode/types.js';
import { decodeAll, factory, toLines } from './helpers.js';

// A file decoded in parts (worker-decode.ts): the decoder of a part hands over to the next
// part's decoder, which took over with a format, only where that one reads the rest exactly
// as it would. Checked here line by line: wherever handsOverAt() says yes, the records
// before (flushed) and the taken-over decoder's records after are those of one decoder.

const OPTS = { fileMtimeMs: Date.UTC(2024, 5, 1) };

function log4j(records: number, traceEvery: number): string {
  let s = '';
  for (let k = 0; k < records; k++) {
    s += `2024-05-01 10:${String(Math.floor(k / 60) % 60).padStart(2, '0')}:${String(k % 60).padStart(2, '0')},123 ${k % 7 ? 'INFO' : 'ERROR'} [main] com.example.Svc: order ${k} placed\n`;
    if (k % traceEvery === 0) s += `java.lang.IllegalStateException: boom ${k}\n\tat com.example.A.f(A.java:${k})\n\tat com.example.B.g(B.java:7)\nCaused by: java.io.IOException: disk full\n\t... 2 more\n`;
  }
  return s;
}

/** Hands over at every line where that is allowed; returns the lines where it was and where it was not. */
function everyHandOver(text: string, format: string, opts: object = {}) {
  const lines = toLines(text);
  const whole = decodeAll(factory.create({ ...OPTS, ...opts }), lines);
  const yes: number[] = [];
  const no: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const d = factory.create({ ...OPTS, ...opts });
    const before: DecodedRecord[] = [];
    for (const l of lines.slice(0, i)) before.push(...d.push(l));
    if (!d.handsOverAt(lines[i]!.text, format)) {
      no.push(i + 1);
      continue;
    }
    yes.push(i + 1);
    before.push(...d.flush());
    const next: FormatStreamDecoder = factory.create({ ...OPTS, ...opts });
    next.takeOver(format);
    expect(next.opensRecord(lines[i]!.text)).toBe(true);
    const after = decodeAll(next, lines.slice(i));
    expect([...before, ...after], `hand-over at line ${i + 1}`).toEqual(whole);
  }
  return { yes, no, lines };
}

describe('handing a stream over between decoders', () => {
  it('log4j with stack traces: at every record start after the sample, never inside a trace', () => {
    const { yes, no, lines } = everyHandOver(log4j(120, 9), 'log4j');
    expect(yes.length).toBeGreaterThan(80);
    // Still sampling: no hand-over before the 32nd line.
    expect(Math.min(...yes)).toBeGreaterThan(32);
    for (const n of no) if (n > 32) expect(lines[n - 1]!.text).not.toMatch(/^2024-05-01 /);
    for (const n of yes) expect(lines[n - 1]!.text).toMatch(/^2024-05-01 /);
  });

  it('a user start rule, and a format that changes: no hand-over while one decoder would still read the old format', () => {
    const start = everyHandOver(log4j(80, 5), 'log4j', { multiline: { start: '^\\d{4}-' } });
    expect(start.yes.length).toBeGreaterThan(40);
    const sys = Array.from({ length: 60 }, (_, k) => `May  1 10:00:${String(k % 60).padStart(2, '0')} web1 sshd[${k}]: Failed password for root from 10.0.0.${k} port ${k} ssh2\n`).join('');
    const acc = Array.from({ length: 60 }, (_, k) => `10.0.${k}.1 - - [01/May/2024:10:00:${String(k % 60).padStart(2, '0')} +0000] "GET /x/${k} HTTP/1.1" 200 ${k} "-" "curl/8.5.0"\n`).join('');
    const { yes } = everyHandOver(sys + acc, 'access-combined');
    // The switch happens at the 32nd access line (92): a decoder that took over with access
    // before it would read those lines otherwise.
    expect(Math.min(...yes)).toBe(93);
    expect(everyHandOver(sys + acc, 'syslog').yes.every((n) => n > 32 && n <= 60)).toBe(true);
  });

  it('docker JSON with stack traces inside: a line whose message continues a trace is no record start', () => {
    let text = '';
    for (let k = 0; k < 80; k++) {
      const time = `2024-05-01T10:00:${String(k % 60).padStart(2, '0')}.000000001Z`;
      text += JSON.stringify({ log: `2024-05-01 10:00:00 ERROR request ${k} failed\n`, stream: 'stderr', time }) + '\n';
      if (k % 4 === 0) for (const l of ['java.lang.IllegalStateException: boom', '\tat com.x.A.f(A.java:3)', '\tat com.x.B.g(B.java:9)']) text += JSON.stringify({ log: l + '\n', stream: 'stderr', time }) + '\n';
    }
    const { yes, no, lines } = everyHandOver(text, 'docker-json');
    expect(yes.length).toBeGreaterThan(40);
    for (const n of no) if (n > 32) expect(lines[n - 1]!.text).not.toMatch(/ERROR request/);
    for (const n of yes) expect(lines[n - 1]!.text).toMatch(/ERROR request/);
  });
});
