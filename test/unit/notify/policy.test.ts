import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, type RetryPolicy } from '../../../electron/engine/notify/backoff.js';
import { CircuitBreaker } from '../../../electron/engine/notify/breaker.js';
import { quietHolds, quietState } from '../../../electron/engine/notify/quiet-hours.js';
import { effectiveRules, route, DEFAULT_RULE } from '../../../electron/engine/notify/routing.js';
import { trayModel } from '../../../electron/engine/notify/tray-model.js';
import { renderTemplate } from '../../../electron/engine/notify/channels/webhook.js';
import type { Anomaly, AnyChannelConfig } from '../../../shared/types.js';

const P: RetryPolicy = { maxAttempts: 10, initialDelayMs: 1000, maxDelayMs: 60_000, maxRetryAfterMs: 3_600_000 };

describe('backoff', () => {
  it('doubles per failure, capped, with jitter between half and all of the step', () => {
    expect(backoffDelay(1, P, () => 0)).toBe(500);
    expect(backoffDelay(1, P, () => 1)).toBe(1000);
    expect(backoffDelay(3, P, () => 1)).toBe(4000);
    expect(backoffDelay(30, P, () => 1)).toBe(60_000);
    expect(backoffDelay(30, P, () => 0)).toBe(30_000);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-21T10:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold, allows a probe after the cooldown, closes on success', () => {
    const b = new CircuitBreaker(2, 1000);
    b.failure(0);
    expect(b.state(0)).toBe('closed');
    b.failure(10);
    expect(b.state(10)).toBe('open');
    expect(b.allowedAt()).toBe(1010);
    expect(b.state(1010)).toBe('half-open');
    b.failure(1010);
    expect(b.allowedAt()).toBe(2010);
    b.success();
    expect(b.state(2010)).toBe('closed');
    expect(b.allowedAt()).toBe(0);
  });
});

describe('quiet hours', () => {
  const at = (d: number, h: number, m = 0) => new Date(2026, 10, d, h, m).getTime();
  it('handles windows across midnight', () => {
    const q = { start: '22:00', end: '07:00' };
    expect(quietState(at(21, 23, 30), q)).toEqual({ active: true, endsAt: at(22, 7) });
    expect(quietState(at(22, 6, 59), q)).toEqual({ active: true, endsAt: at(22, 7) });
    expect(quietState(at(22, 7, 0), q).active).toBe(false);
    expect(quietState(at(22, 21, 59), q).active).toBe(false);
  });
  it('handles windows within a day, and an empty one', () => {
    expect(quietState(at(21, 12, 30), { start: '12:00', end: '13:00' })).toEqual({ active: true, endsAt: at(21, 13) });
    expect(quietState(at(21, 13, 0), { start: '12:00', end: '13:00' }).active).toBe(false);
    expect(quietState(at(21, 12, 0), { start: '12:00', end: '12:00' }).active).toBe(false);
  });
  it('holds toasts by default, or the channel types and names listed', () => {
    expect(quietHolds({ start: '22:00', end: '07:00' }, { name: 'desk', type: 'toast' })).toBe(true);
    expect(quietHolds({ start: '22:00', end: '07:00' }, { name: 'ops', type: 'slack' })).toBe(false);
    expect(quietHolds({ start: '22:00', end: '07:00', hold: ['ops'] }, { name: 'ops', type: 'slack' })).toBe(true);
  });
});

const a = (over: Partial<Anomaly> = {}): Anomaly => ({
  id: 1, fingerprint: 'f', detector: 'd', source: 'api', severity: 'high', category: 'errors', title: 't', message: 'm',
  state: 'open', count: 1, firstTs: 0, lastTs: 0, openedAt: 0, ...over,
});
const channels: AnyChannelConfig[] = [
  { name: 'desk', type: 'toast' },
  { name: 'ops', type: 'slack', url: 'https://x.test/a' },
  { name: 'off', type: 'slack', url: 'https://x.test/b', enabled: false },
];

describe('routing', () => {
  it('sends everything to every enabled channel when there are no rules', () => {
    const r = route(a(), effectiveRules(undefined), channels);
    expect(r.map((x) => `${x.rule.name}:${x.channel.name}`)).toEqual([`${DEFAULT_RULE}:desk`, `${DEFAULT_RULE}:ops`]);
  });
  it('matches severity bounds, sources, categories and detectors', () => {
    const rules = effectiveRules({ rules: [{ name: 'r', minSeverity: 'medium', maxSeverity: 'high', sources: ['api'], categories: ['errors'], detectors: ['d'] }] });
    expect(route(a(), rules, channels)).toHaveLength(2);
    expect(route(a({ severity: 'critical' }), rules, channels)).toHaveLength(0);
    expect(route(a({ severity: 'low' }), rules, channels)).toHaveLength(0);
    expect(route(a({ source: 'db' }), rules, channels)).toHaveLength(0);
    expect(route(a({ category: 'perf' }), rules, channels)).toHaveLength(0);
    expect(route(a({ detector: 'x' }), rules, channels)).toHaveLength(0);
  });
  it('takes per-rule settings and falls back to notify defaults', () => {
    const [r] = effectiveRules({ groupWindow: '1m', repeatInterval: '2h', rules: [{ name: 'r', groupWindow: 5000, rateLimit: { max: 3, per: '10m' } }] });
    expect(r).toMatchObject({ groupWindowMs: 5000, repeatIntervalMs: 7_200_000, rateLimit: { max: 3, perMs: 600_000 } });
  });
});

describe('trayModel', () => {
  it('is quiet with nothing open', () => {
    expect(trayModel([])).toEqual({ worstSeverity: null, count: 0, tooltip: 'Vigil — all quiet', recent: [] });
  });
  it('shows the worst severity and the five most recent', () => {
    const list = Array.from({ length: 7 }, (_, i) => a({ id: i + 1, lastTs: i, severity: i === 2 ? 'critical' : 'low', title: `t${i + 1}` }));
    const m = trayModel(list);
    expect(m.worstSeverity).toBe('critical');
    expect(m.count).toBe(7);
    expect(m.tooltip).toBe('Vigil — 7 open anomalies (worst: critical)');
    expect(m.recent.map((r) => r.id)).toEqual([7, 6, 5, 4, 3]);
    expect(trayModel([a()]).tooltip).toBe('Vigil — 1 open anomaly (worst: high)');
  });
});

describe('webhook templates', () => {
  it('keeps the JSON structure whatever the values contain', () => {
    const out = renderTemplate('{"t":"[{{sev}}] {{title}}","n":"{{n}}","o":"{{obj}}"}', { sev: 'high', title: '"},"evil":true,"x":{"', n: 3, obj: { a: [1] } });
    expect(JSON.parse(out)).toEqual({ t: '[high] "},"evil":true,"x":{"', n: 3, o: { a: [1] } });
  });
});
