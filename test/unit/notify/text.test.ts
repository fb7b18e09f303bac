import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../shared/duration.js';
import { maskChannel, maskToken, maskUrl, redact } from '../../../electron/engine/notify/mask.js';
import { clean, slackEscape, truncate } from '../../../electron/engine/notify/truncate.js';

describe('truncate', () => {
  it('keeps text that fits and cuts longer text to the limit with an ellipsis', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcdef', 4)).toHaveLength(4);
  });
  it('never splits a surrogate pair', () => {
    const s = '😀😀😀'; // 6 units
    for (let max = 1; max < 6; max++) {
      const t = truncate(s, max);
      expect(t.length).toBeLessThanOrEqual(max);
      expect(t).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
      expect(t.endsWith('…')).toBe(true);
    }
  });
  it('removes control characters but keeps newlines and tabs', () => {
    expect(clean('a\u0007b\r\nc\td\u001b[31m')).toBe('ab\nc\td[31m');
  });
});

describe('slackEscape', () => {
  it('escapes &, < and > so log text cannot mention or link', () => {
    expect(slackEscape('<!channel> & <@U1|x>')).toBe('&lt;!channel&gt; &amp; &lt;@U1|x&gt;');
  });
  it('cuts between entities, within the limit', () => {
    const out = slackEscape('<<<<<', 10);
    expect(out).toBe('&lt;&lt;…');
    expect(out.length).toBeLessThanOrEqual(10);
    expect(slackEscape('ab', 2)).toBe('ab');
  });
});

describe('masking', () => {
  it('masks a Slack webhook URL as the UI shows it', () => {
    expect(maskUrl('https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXabcd')).toBe('https://hooks.slack.com/services/T0…/…abcd');
  });
  it('keeps the endpoint words and hides tokens, user info and queries', () => {
    expect(maskUrl('https://discord.com/api/webhooks/123456789/tok-en_abcdefwxyz')).toBe('https://discord.com/api/webhooks/12…/…wxyz');
    expect(maskUrl('https://user:pw@n8n.example.com/webhook/0f8fad5b-d9cb-469f-a165-70867728950e?token=abc')).toBe('https://…@n8n.example.com/webhook/0f…950e?…');
    expect(maskUrl('secret:slack-main')).toBe('secret:slack-main');
    // A token of letters only is still a token.
    expect(maskUrl('http://127.0.0.1:7903/hooks/productionalertsecret/notify')).toBe('http://127.0.0.1:7903/hooks/pr…/…tify');
    const url = 'http://127.0.0.1:7903/hooks/productionalertsecret/notify';
    expect(redact(`HTTP 404: no route /hooks/productionalertsecret/notify`, [url])).not.toMatch(/productionalertsecret/);
  });
  it('masks passwords, signing secrets and header values in a channel', () => {
    expect(maskToken('short')).toBe('••••');
    expect(maskToken('a-very-long-password-1234')).toBe('…1234');
    const m = maskChannel({ name: 'w', type: 'webhook', url: 'https://x.test/h/abcdefghijkl', headers: { Authorization: 'Bearer 0123456789abcdef' }, signing: { secret: 'tiny' } });
    expect(m).toMatchObject({ url: 'https://x.test/h/…', headers: { Authorization: '…cdef' }, signing: { secret: '••••' } });
  });
  it('redacts secrets and their URL parts from error text', () => {
    const url = 'https://hooks.example.com/services/T0123/SECRETPART99';
    expect(redact(`failed for ${url} (path /services/T0123/SECRETPART99)`, [url])).not.toMatch(/SECRETPART99/);
  });
});

describe('parseDuration', () => {
  it('reads milliseconds and unit text', () => {
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('4h')).toBe(14_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1500')).toBe(1500);
  });
  it('refuses what is not a duration', () => {
    for (const bad of ['soon', '', '5x', '-1s', '1h 30m', -5, Number.NaN]) expect(parseDuration(bad)).toBeNull();
  });
});
