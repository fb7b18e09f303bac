import { describe, expect, it } from 'vitest';
import { decodeText } from './helpers.js';

describe('a JSON line the stream\'s format cannot read', () => {
  it('is read with any field names (its level and message), not as text: a logrus line without its time', () => {
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ time: `2024-05-01T10:00:${String(i).padStart(2, '0')}Z`, level: 'info', msg: `request ${i} ok` }));
    lines.push(JSON.stringify({ level: 'error', msg: 'worker lost its heartbeat' }));
    lines.push(JSON.stringify({ time: '2024-05-01T10:01:00Z', level: 'info', msg: 'request 41 ok' }));
    const { records, decoder } = decodeText(lines.join('\n') + '\n');
    expect(decoder.describe().format).toBe('logrus-json');
    const odd = records.find((r) => r.message.includes('heartbeat'))!;
    expect(odd).toMatchObject({ level: 'error', message: 'worker lost its heartbeat', ts: null });
    expect(records.at(-1)).toMatchObject({ level: 'info', message: 'request 41 ok' });
    expect(records).toHaveLength(42);
  });
});
