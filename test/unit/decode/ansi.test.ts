import { describe, expect, it } from 'vitest';
import { RECORD_FLAGS } from '../../../shared/types.js';
import { stripAnsi } from '../../../electron/engine/decode/ansi.js';
import { DrainMiner } from '../../../electron/engine/decode/templates/miner.js';
import { decodeText, iso } from './helpers.js';

// Programs colour their output for a terminal, and often into files too: pm2's logs, a
// service run with FORCE_COLOR=1, Spring Boot with spring.output.ansi.enabled=always, a TTY
// container. Decoding reads the text a terminal shows; raw keeps what was written.

const E = '\x1b';

describe('terminal colours in logs', () => {
  it('Spring Boot with colours on: the spring-boot format, time, level and message as without colours', () => {
    const line = (t: string, lvColour: string, lv: string, logger: string, msg: string) =>
      `${E}[2m${t}${E}[0;39m ${E}[${lvColour}m${lv}${E}[0;39m ${E}[35m12345${E}[0;39m ${E}[2m---${E}[0;39m ${E}[2m[           main]${E}[0;39m ${E}[36m${logger}${E}[0;39m ${E}[2m:${E}[0;39m ${msg}`;
    const text = [
      line('2024-05-01T10:00:00.123+02:00', '32', ' INFO', 'c.e.demo.DemoApplication                ', 'Starting DemoApplication using Java 21'),
      line('2024-05-01T10:00:02.789+02:00', '31', 'ERROR', 'o.a.c.c.C.[.[.[/].[dispatcherServlet]   ', 'Servlet.service() threw exception'),
    ].join('\n');
    const { records, decoder } = decodeText(text + '\n');
    expect(decoder.describe().format).toBe('spring-boot');
    expect(records.map((r) => [iso(r.ts), r.level, r.message])).toEqual([
      ['2024-05-01T08:00:00.123Z', 'info', 'Starting DemoApplication using Java 21'],
      ['2024-05-01T08:00:02.789Z', 'error', 'Servlet.service() threw exception'],
    ]);
    // What was written stays in raw; the flag says the message was read without it.
    expect(records[1]!.raw).toBe(text.split('\n')[1]);
    expect(records[1]!.flags & RECORD_FLAGS.ansiStripped).toBe(RECORD_FLAGS.ansiStripped);
  });

  it('a coloured level word in an otherwise plain line (chalk, pm2 logs) is found, and an ERROR is an error', () => {
    const text = [
      `${E}[90m2024-05-01T10:00:00.000Z${E}[39m ${E}[32mINFO${E}[39m listening on 3000`,
      `${E}[90m2024-05-01T10:00:01.000Z${E}[39m ${E}[31mERROR${E}[39m db connection lost: ${E}[1mECONNREFUSED${E}[22m 10.0.0.5:5432`,
    ].join('\n');
    const { records } = decodeText(text + '\n');
    expect(records.map((r) => [iso(r.ts), r.level, r.message])).toEqual([
      ['2024-05-01T10:00:00.000Z', 'info', 'listening on 3000'],
      ['2024-05-01T10:00:01.000Z', 'error', 'db connection lost: ECONNREFUSED 10.0.0.5:5432'],
    ]);
  });

  it("winston's colorize() into JSON: the level field's colours do not hide the level", () => {
    const text = [
      '{"level":"\\u001b[32minfo\\u001b[39m","message":"server started","timestamp":"2024-05-01T10:00:00.000Z"}',
      '{"level":"\\u001b[31merror\\u001b[39m","message":"\\u001b[1mdb down\\u001b[22m","timestamp":"2024-05-01T10:00:01.000Z"}',
    ].join('\n');
    const { records } = decodeText(text + '\n');
    expect(records.map((r) => [iso(r.ts), r.level, r.levelText, r.message])).toEqual([
      ['2024-05-01T10:00:00.000Z', 'info', 'info', 'server started'],
      ['2024-05-01T10:00:01.000Z', 'error', 'error', 'db down'],
    ]);
  });

  it('coloured and plain lines of one shape get one template (colours would split it)', () => {
    const { records } = decodeText(
      [
        `2024-05-01T10:00:00.000Z INFO request ${E}[36m/api/items/1${E}[0m took ${E}[33m12ms${E}[0m`,
        '2024-05-01T10:00:01.000Z INFO request /api/items/2 took 30ms',
        `2024-05-01T10:00:02.000Z INFO request ${E}[36m/api/items/3${E}[0m took ${E}[31m900ms${E}[0m`,
      ].join('\n') + '\n',
    );
    const miner = new DrainMiner();
    const ids = records.map((r) => miner.match(r.message, r.ts ?? 0).id);
    expect(new Set(ids).size).toBe(1);
  });

  it('a UTF-8 byte-order mark at the start of a file does not hide the first line', () => {
    const { records, decoder } = decodeText('\uFEFF2024-05-01T10:00:00.000Z ERROR first\n2024-05-01T10:00:01.000Z INFO second\n');
    expect(decoder.describe().format).toBe('iso-level');
    expect(records.map((r) => [iso(r.ts), r.level, r.message, r.raw])).toEqual([
      ['2024-05-01T10:00:00.000Z', 'error', 'first', '2024-05-01T10:00:00.000Z ERROR first'],
      ['2024-05-01T10:00:01.000Z', 'info', 'second', '2024-05-01T10:00:01.000Z INFO second'],
    ]);
  });

  it('stripAnsi: colours, cursor and erase sequences, OSC titles and hyperlinks, charset escapes; other text untouched', () => {
    expect(stripAnsi(`${E}[1;31mred${E}[0m`)).toBe('red');
    expect(stripAnsi(`${E}[2K${E}[1Gprogress 50%`)).toBe('progress 50%');
    expect(stripAnsi(`${E}]0;my title\x07text`)).toBe('text');
    expect(stripAnsi(`see ${E}]8;;https://example.com${E}\\the docs${E}]8;;${E}\\ now`)).toBe('see the docs now');
    expect(stripAnsi(`${E}(Bplain${E}=`)).toBe('plain');
    expect(stripAnsi(`${E}[38;5;208morange${E}[38;2;255;0;0mrgb${E}[m`)).toBe('orangergb');
    const plain = 'no escapes [31m here';
    expect(stripAnsi(plain)).toBe(plain);
    // A lone ESC at the end (a line cut mid-sequence) stays: it is not a sequence.
    expect(stripAnsi(`cut ${E}`)).toBe(`cut ${E}`);
  });
});
