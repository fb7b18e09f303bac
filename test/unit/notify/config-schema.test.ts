import { describe, expect, it } from 'vitest';
import { configErrors, VigilConfig } from '../../../shared/schema.js';

const errors = (cfg: unknown) => {
  const r = VigilConfig.safeParse(cfg);
  return r.success ? [] : configErrors(r.error);
};

describe('channel config, per type', () => {
  it('accepts each type with its own options', () => {
    expect(
      errors({
        channels: [
          { name: 'd', type: 'toast', sendResolved: true },
          { name: 'n', type: 'n8n', url: 'secret:n8n main', headers: { 'X-Key': 'secret:k' }, timeout: '10s' },
          { name: 's', type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' },
          { name: 'c', type: 'discord', url: 'https://discord.com/api/webhooks/1/x', username: 'Vigil' },
          { name: 'w', type: 'webhook', url: 'http://127.0.0.1:9/h', method: 'PUT', template: '{"t":"{{title}}"}', signing: { secret: 'x' } },
          { name: 'm', type: 'email', host: 'smtp.example.com', port: 587, starttls: 'required', tls: { rejectUnauthorized: false }, from: 'Vigil <v@x.test>', to: ['a@x.test'] },
        ],
      }),
    ).toEqual([]);
  });
  it('refuses options of another type, missing URLs, bad URLs and bad templates, naming the key', () => {
    expect(errors({ channels: [{ name: 's', type: 'slack', url: 'https://x.test', host: 'smtp' }] })).toMatchObject([{ key: 'channels.0' }]);
    expect(errors({ channels: [{ name: 's', type: 'slack' }] })).toMatchObject([{ key: 'channels.0.url' }]);
    expect(errors({ channels: [{ name: 's', type: 'discord', url: 'javascript:alert(1)' }] })).toEqual([{ key: 'channels.0.url', reason: 'must be an http(s) URL or secret:NAME' }]);
    expect(errors({ channels: [{ name: 'w', type: 'webhook', url: 'https://x.test', template: '{"t": {{title}}}' }] })).toMatchObject([{ key: 'channels.0.template' }]);
    expect(errors({ channels: [{ name: 'w', type: 'webhook', url: 'https://x.test', headers: { 'X-A': 'a\r\nInjected: 1' } }] })).toMatchObject([{ key: 'channels.0.headers.X-A' }]);
    expect(errors({ channels: [{ name: 'm', type: 'email', host: 'h', from: 'v@x.test', to: ['nope'] }] })).toMatchObject([{ key: 'channels.0.to.0' }]);
    expect(errors({ channels: [{ name: 'x', type: 'sms' }] })).toEqual([{ key: 'channels.0.type', reason: 'type must be one of: toast, n8n, slack, discord, webhook, email' }]);
  });
});

describe('notify config', () => {
  it('accepts rules, durations and quiet hours', () => {
    expect(
      errors({
        channels: [{ name: 'd', type: 'toast' }],
        notify: {
          groupWindow: '30s',
          repeatInterval: 14_400_000,
          quietHours: { start: '22:00', end: '07:00', hold: ['toast'] },
          retry: { maxAttempts: 3, initialDelay: '1s' },
          rules: [{ name: 'r', minSeverity: 'high', channels: ['d'], rateLimit: { max: 5, per: '1h' }, quietHours: false }],
        },
      }),
    ).toEqual([]);
  });
  it('refuses unknown channels in rules, duplicate rule names, bad times and unknown keys', () => {
    expect(errors({ notify: { rules: [{ name: 'r', channels: ['ghost'] }] } })).toEqual([{ key: 'notify.rules.0.channels.0', reason: 'names no channel ("ghost")' }]);
    expect(errors({ notify: { rules: [{ name: 'r' }, { name: 'r' }] } })).toEqual([{ key: 'notify.rules.1.name', reason: 'duplicates the rule name "r"' }]);
    expect(errors({ notify: { quietHours: { start: '25:00', end: '07:00' } } })).toMatchObject([{ key: 'notify.quietHours.start' }]);
    expect(errors({ notify: { rules: [{ name: 'r', minSeverity: 'urgent' }] } })).toMatchObject([{ key: 'notify.rules.0.minSeverity' }]);
    expect(errors({ notify: { groupWindw: '30s' } })).toMatchObject([{ key: 'notify' }]);
    // quietHours.hold takes channel types and channel names; a typo would hold nothing.
    const ops = { name: 'ops', type: 'slack', url: 'https://hooks.slack.com/services/T/B/x' };
    expect(errors({ channels: [ops], notify: { quietHours: { start: '00:00', end: '23:59', hold: ['ops', 'toast', 'slack'] } } })).toEqual([]);
    expect(errors({ channels: [ops], notify: { quietHours: { start: '00:00', end: '23:59', hold: ['slack-ops', 'Slack'] }, rules: [{ name: 'r', quietHours: { start: '22:00', end: '07:00', hold: ['opps'] } }] } })).toEqual([
      { key: 'notify.quietHours.hold.0', reason: 'names no channel and no channel type ("slack-ops")' },
      { key: 'notify.quietHours.hold.1', reason: 'names no channel and no channel type ("Slack")' },
      { key: 'notify.rules.0.quietHours.hold.0', reason: 'names no channel and no channel type ("opps")' },
    ]);
  });
});
