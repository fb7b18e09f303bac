import { RECORD_FLAGS } from '../../../../shared/types.js';
import { describe, expect, it } from 'vitest';
import { MultiplexedParser, RawParser, SniffingParser, DOCKER_SPLIT_BYTES, type LogMessage, type MessageParser } from '../../../../electron/engine/sources/docker/demux.js';
import { parseLogTime } from '../../../../electron/engine/sources/docker/position.js';
import { StreamLines } from '../../../../electron/engine/sources/docker/stream-lines.js';
import { GenericDecoderFactory } from '../../../../electron/engine/decode/generic.js';
import { createDecoderFactory, loadFormats } from '../../../../electron/engine/decode/index.js';

// Byte streams shaped like Docker's `logs?timestamps=1` answers: a 40 000-byte line is
// cut into 16 KiB pieces sharing one timestamp, as dockerd 20.10 does.
const TS = (i: number) => `2026-11-21T07:39:35.${String(i).padStart(9, '0')}Z`;
const long = 'x'.repeat(40_000);
const logical: { stream: 'stdout' | 'stderr'; ts: string; text: string }[] = [
  { stream: 'stdout', ts: TS(1), text: 'first\n' },
  { stream: 'stderr', ts: TS(2), text: 'oops é\n' },
  { stream: 'stdout', ts: TS(3), text: long + '\n' },
  { stream: 'stdout', ts: TS(3), text: 'same timestamp\n' },
  { stream: 'stdout', ts: TS(4), text: 'no newline at exit' },
];

function pieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += DOCKER_SPLIT_BYTES) out.push(text.slice(i, i + DOCKER_SPLIT_BYTES));
  // A line of exactly 16 KiB * k + '\n' would end in a lone '\n' piece; not in this corpus.
  return out;
}

function multiplexed(): Buffer {
  const frames: Buffer[] = [];
  for (const m of logical) {
    for (const p of pieces(m.text)) {
      const payload = Buffer.from(`${m.ts} ${p}`);
      const h = Buffer.alloc(8);
      h[0] = m.stream === 'stdout' ? 1 : 2;
      h.writeUInt32BE(payload.length, 4);
      frames.push(h, payload);
    }
  }
  return Buffer.concat(frames);
}

function tty(): Buffer {
  return Buffer.from(logical.flatMap((m) => pieces(m.text.replace(/\n$/, '\r\n')).map((p) => `${m.ts} ${p}`)).join(''));
}

function parseInChunks(parser: MessageParser, bytes: Buffer, size: number): LogMessage[] {
  const out: LogMessage[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...parser.push(bytes.subarray(i, i + size)));
  out.push(...parser.end());
  return out;
}

function linesOf(messages: LogMessage[]): string[] {
  const streams = {
    stdout: new StreamLines('stdout', { t: '', n: 0, seq: 0 }, new GenericDecoderFactory().create({}), 1 << 20),
    stderr: new StreamLines('stderr', { t: '', n: 0, seq: 0 }, new GenericDecoderFactory().create({}), 1 << 20),
  };
  const recs = messages.flatMap((m) => streams[m.stream].push(m, 0));
  recs.push(...streams.stdout.flushEnded(0), ...streams.stderr.flushEnded(0));
  return recs.map((r) => `${r.stream}:${r.raw.length > 100 ? `${r.raw.length} x` : r.raw}`);
}

const expected = ['stdout:first', 'stderr:oops é', 'stdout:40000 x', 'stdout:same timestamp', 'stdout:no newline at exit'];

describe('docker log stream parsing', () => {
  it('demultiplexes frames cut at any point and rejoins lines Docker split', () => {
    const bytes = multiplexed();
    for (const size of [1, 7, 8, 9, 4096, 16_500, bytes.length]) {
      expect(linesOf(parseInChunks(new MultiplexedParser(), bytes, size)), `chunks of ${size}`).toEqual(expected);
    }
  });

  it('splits a TTY stream into messages (no frames), CR LF handled, long lines rejoined', () => {
    const bytes = tty();
    for (const size of [1, 31, 4096, 16_415, bytes.length]) {
      expect(linesOf(parseInChunks(new RawParser(), bytes, size)), `chunks of ${size}`).toEqual(expected.map((e) => e.replace('stderr:', 'stdout:')));
    }
  });

  it("a TTY run's last output without its newline, then the next run's first line: two messages, not one with Docker's timestamp inside", () => {
    const later = ['token expires 2026-11-30T12:00:00.000Z (refresh scheduled)', 'cert valid until 2026-12-31T00:00:00Z renew then', 'job next run 2026-11-22T23:59:59+01:00 queued'];
    const bytes = Buffer.from(`${TS(1)} app starting\r\n${TS(2)} fatal error: out of cheese${TS(3)} app starting\r\n${TS(4)} at ${TS(0)} took 3 s\r\n${later.map((l, i) => `${TS(5 + i)} ${l}\r\n`).join('')}`);
    for (const size of [1, 13, bytes.length]) {
      expect(linesOf(parseInChunks(new RawParser(), bytes, size)), `chunks of ${size}`).toEqual([
        'stdout:app starting',
        'stdout:fatal error: out of cheese',
        'stdout:app starting',
        // A time in the app's own text (earlier than Docker's stamp) is text.
        `stdout:at ${TS(0)} took 3 s`,
        // So is a later one not in Docker's exact form (nine digits, Z).
        ...later.map((l) => `stdout:${l}`),
      ]);
    }
  });

  it('without knowing whether the container has a TTY (removed before Docker described it), tells the two streams apart by their first byte', () => {
    for (const size of [1, 4096]) {
      expect(linesOf(parseInChunks(new SniffingParser(), multiplexed(), size)), `frames, chunks of ${size}`).toEqual(expected);
      expect(linesOf(parseInChunks(new SniffingParser(), tty(), size)), `TTY, chunks of ${size}`).toEqual(expected.map((e) => e.replace('stderr:', 'stdout:')));
    }
    expect(parseInChunks(new SniffingParser(), Buffer.alloc(0), 1)).toEqual([]);
  });

  it('on resume skips exactly what was consumed, also among messages sharing a timestamp', () => {
    const msgs = new MultiplexedParser().push(multiplexed());
    const first = new StreamLines('stdout', { t: '', n: 0, seq: 0 }, new GenericDecoderFactory().create({}), 1 << 20);
    // Read up to and including the long line (3 pieces at TS(3)), then stop.
    const upTo = msgs.findIndex((m) => m.content.toString().startsWith('same'));
    for (const m of msgs.slice(0, upTo)) if (m.stream === 'stdout') first.push(m, 0);
    const cp = first.checkpoint();
    expect(cp).toMatchObject({ t: TS(3).replace('Z', 'Z'), n: 3, seq: 2 });
    const again = new StreamLines('stdout', cp, new GenericDecoderFactory().create({}), 1 << 20);
    const recs = msgs.filter((m) => m.stream === 'stdout').flatMap((m) => again.push(m, 0));
    // The last message has no newline and is shorter than Docker's 16 KiB pieces: the run's last line, whole.
    expect(recs.map((r) => [r.firstLine, r.raw])).toEqual([[3, 'same timestamp'], [4, 'no newline at exit']]);
  });

  it('messages Docker sends again (after rotating a json-file log: older times, read a moment ago) are dropped; a clock stepping back is not', () => {
    const at = (i: number, text: string) => ({ stream: 'stdout' as const, key: parseLogTime(TS(i))!.key, ms: 0, content: Buffer.from(`${text}\n`) });
    const s = new StreamLines('stdout', { t: '', n: 0, seq: 0 }, new GenericDecoderFactory().create({}), 1 << 20);
    const sent = [at(10, 'a'), at(11, 'b'), at(12, 'c'), at(11, 'b'), at(12, 'c'), at(12, 'c'), at(13, 'd'), at(5, 'clock stepped back'), at(14, 'e')];
    const recs = sent.flatMap((m) => s.push(m, 0));
    expect(recs.map((r) => r.raw)).toEqual(['a', 'b', 'c', 'd', 'clock stepped back', 'e']);
  });

  it('a message without a newline shorter than 16 KiB is a line of its own (a crash message before a restart), not glued to the next', () => {
    const at = (i: number, text: string) => ({ stream: 'stdout' as const, key: parseLogTime(TS(i))!.key, ms: 0, content: Buffer.from(text) });
    const s = new StreamLines('stdout', { t: '', n: 0, seq: 0 }, new GenericDecoderFactory().create({}), 1 << 20);
    const recs = [at(1, 'run 1 a\n'), at(2, 'run 1 crash'), at(3, 'run 2 a\n'), at(4, 'x'.repeat(16_384)), at(4, 'tail of a long line\n')].flatMap((m) => s.push(m, 0));
    recs.push(...s.flushEnded(0));
    expect(recs.map((r) => [r.raw.length > 100 ? `${r.raw.length} x…` : r.raw, (r.flags & RECORD_FLAGS.partialFlushed) !== 0])).toEqual([
      ['run 1 a', false],
      ['run 1 crash', true],
      ['run 2 a', false],
      [`${16_384 + 'tail of a long line'.length} x…`, false],
    ]);
  });

  it('never checkpoints past a line still in pieces', () => {
    const msgs = new MultiplexedParser().push(multiplexed()).filter((m) => m.stream === 'stdout');
    const s = new StreamLines('stdout', { t: '', n: 0, seq: 0 }, new GenericDecoderFactory().create({}), 1 << 20);
    s.push(msgs[0]!, 0);
    s.push(msgs[1]!, 0); // first piece of the long line
    expect(s.checkpoint()).toMatchObject({ t: TS(1), n: 1, seq: 1 });
  });
});

describe('docker stream checkpoints with a multi-line decoder', () => {
  it('stay before the first line of a record still held, so a resume rereads the whole record', async () => {
    const { createDecoderFactory, loadFormats } = await import('../../../../electron/engine/decode/index.js');
    const decoders = createDecoderFactory(loadFormats().formats);
    const msg = (i: number, text: string): LogMessage => ({ stream: 'stdout', key: TS(i), ms: 0, content: Buffer.from(text + '\n') });
    const msgs = [msg(1, 'START one'), msg(2, '  at a'), msg(3, 'START two'), msg(4, '  at b')];
    const s = new StreamLines('stdout', { t: '', n: 0, seq: 0 }, decoders.create({ format: 'generic', multiline: { start: '^START' } }), 1 << 20);
    const first = msgs.flatMap((m) => s.push(m, 0));
    expect(first.map((r) => r.raw)).toEqual(['START one\n  at a']);
    // "START two" (line 3) is held: resume right after line 2.
    const cp = s.checkpoint();
    expect(cp).toMatchObject({ t: TS(2), n: 1, seq: 2 });
    const again = new StreamLines('stdout', cp, decoders.create({ format: 'generic', multiline: { start: '^START' } }), 1 << 20);
    const reread = msgs.flatMap((m) => again.push(m, 0)).concat(again.flushEnded(0));
    expect(reread.map((r) => [r.firstLine, r.raw])).toEqual([[3, 'START two\n  at b']]);
  });
});

describe('docker log times', () => {
  it("read Docker's own form and every other RFC 3339 form to the same key and ms", () => {
    const base = Date.UTC(2026, 10, 21, 13, 0, 0);
    for (let i = 0; i < 3000; i++) {
      const ms = base + i * 337;
      const iso = new Date(ms).toISOString();
      const nanos = String((i * 7919) % 1_000_000).padStart(6, '0');
      const canonical = `${iso.slice(0, 23)}${nanos}Z`;
      const want = { key: canonical, ms };
      expect(parseLogTime(canonical)).toEqual(want);
      // The same instant with a zone offset goes the general way, to the same result.
      const d = new Date(ms + 2 * 3600_000).toISOString();
      expect(parseLogTime(`${d.slice(0, 23)}${nanos}+02:00`)).toEqual(want);
    }
    expect(parseLogTime('2026-11-21T13:00:00.5Z')).toEqual({ key: '2026-11-21T13:00:00.500000000Z', ms: base + 500 });
    expect(parseLogTime('2026-13-01T00:00:00.000000000Z')).toBeNull();
    expect(parseLogTime('2026-11-21T13:00:00.00000000xZ')).toBeNull();
  });
});

describe('docker frames', () => {
  it("keep their bytes when the caller reuses its chunk", () => {
    const payload = Buffer.from(`${TS(9)} a piece of a long line`);
    const frame = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, payload.length]), payload]);
    const chunk = Buffer.concat([frame, frame.subarray(0, 5)]);
    const parser = new MultiplexedParser();
    const [m] = parser.push(chunk);
    chunk.fill(0);
    expect(m!.content.toString()).toBe('a piece of a long line');
    expect(parser.push(frame.subarray(5)).map((x) => x.content.toString())).toEqual(['a piece of a long line']);
  });

  it('a line without a year takes the year of Docker\'s time for it, not of when the container was attached', () => {
    // Attached 340 days ago (the decoder's reference then), the container writes now.
    const attached = Date.now() - 340 * 86_400_000;
    const decoder = createDecoderFactory(loadFormats().formats).create({ fileMtimeMs: attached });
    const lines = new StreamLines('stdout', { t: '', n: 0, seq: 0 }, decoder, 1 << 20);
    const M = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const p2 = (n: number) => String(n).padStart(2, '0');
    // One "now" for the whole test: read at each call, a second boundary crossed between two calls failed it.
    const base = Math.floor(Date.now() / 1000) * 1000;
    const at = (k: number) => new Date(base - (3 - k) * 1000);
    const text = (d: Date, k: number) =>
      `${M[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} api cron[7]: job ${k}\n`;
    const recs = [0, 1, 2].flatMap((k) => lines.push({ stream: 'stdout', key: String(k), ms: at(k).getTime() + 5, content: Buffer.from(text(at(k), k)) }, Date.now()));
    recs.push(...lines.flushEnded(Date.now()));
    expect(recs.map((r) => r.message)).toEqual(['job 0', 'job 1', 'job 2']);
    expect(recs.map((r) => r.ts)).toEqual([0, 1, 2].map((k) => at(k).getTime()));
  });
});
