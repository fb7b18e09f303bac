// Every record is made with the same fields in the same order (decode/types.ts newRecord),
// including the ones the pipeline sets when it stores it: one object shape from decoding
// to storage. A maker that adds or reorders a field fails here.
import { describe, expect, it } from 'vitest';
import { GenericDecoderFactory } from '../../../electron/engine/decode/generic.js';
import { newRecord } from '../../../electron/engine/decode/types.js';
import { eventRecord, parseEvent } from '../../../electron/engine/sources/docker/events.js';
import { decodeAll, decodeFixture, factory, toLines } from './helpers.js';

const shape = Object.keys(
  newRecord({ firstLine: 1, lastLine: 1, startOffset: 0, endOffset: 1, ts: null, tsText: null, level: null, levelText: null, message: '', raw: '', rawBytes: null, flags: 0, format: 'x' }),
);

describe('decoded records: one shape', () => {
  it('the shape holds the decoded fields and the stored ones', () => {
    expect(shape).toEqual(expect.arrayContaining(['message', 'raw', 'stream', 'fields', 'alert', 'id', 'sourceId', 'templateId', 'levelRank']));
  });

  it('format decoders (single-line, multi-line, JSON, alert-jsonl and its parse errors), the generic decoder and Docker events make it', () => {
    const made = [
      ...decodeFixture('log4j-stack.log').records,
      ...decodeAll(factory.create({ format: 'alert-jsonl' }), toLines('{"timestamp":"2026-11-21T10:00:00Z","type":"anomaly","severity":"high","message":"m"}\nnot json\n')),
      ...decodeAll(factory.create({}), toLines('{"level":"info","msg":"hello","ts":"2026-11-21T10:00:00Z"}\n')),
      ...decodeAll(new GenericDecoderFactory().create({}), toLines('2026-11-21T10:00:00Z ERROR x\n')),
      eventRecord(parseEvent(JSON.stringify({ Type: 'container', Action: 'die', id: 'c1', Actor: { ID: 'c1', Attributes: { name: 'web', exitCode: '1' } }, timeNano: 1795000000000000000 }))!, { message: 'died', level: 'error' }, 'web'),
    ];
    expect(made.length).toBeGreaterThan(5);
    expect(made.some((r) => r.alert?.parseError)).toBe(true);
    expect(made.some((r) => r.fields !== undefined)).toBe(true);
    for (const r of made) expect(Object.keys(r)).toEqual(shape);
  });
});
