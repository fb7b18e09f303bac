// Routing rules, quiet hours, the repeat interval, resolved messages, rate limits, the tray:
// real outbox and receivers, with a settable clock where hours must pass.
import { afterEach, describe, expect, it } from 'vitest';
import type { Anomaly, TrayModel } from '../../../shared/types.js';
import { startReceiver, type Receiver } from '../../support/http-receiver.js';
import { anomaly, config, opened, RecordingToaster, startNotify, type Harness } from '../../support/notify-harness.js';
import { tempDir, waitFor } from '../../support/tmp.js';
import { richTexts, type SlackBody } from '../../support/slack-body.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  cleanups.push(() => r.close());
  return r;
}

function start(yaml: string, opts: { now?: () => number; snoozedUntil?: (a: Anomaly, now: number) => number | null } = {}): { h: Harness; toaster: RecordingToaster; dir: string } {
  const { dir, cleanup } = tempDir();
  const toaster = new RecordingToaster();
  const h = startNotify(dir, yaml, { toaster, ...opts });
  cleanups.push(cleanup, () => h.close());
  return { h, toaster, dir };
}

const change = (kind: 'opened' | 'repeated' | 'resolved' | 'acknowledged', a: Anomaly) => ({ kind, anomaly: a });
/** Settles the outbox: lets due messages seal and requests go out. */
const idle = (h: Harness) => waitFor(() => h.service.history({ status: 'pending' }).length === 0, { what: 'outbox idle' });

describe('routing', () => {
  it('without rules, every enabled channel gets every anomaly; a disabled channel gets none', async () => {
    const slack = await receiver();
    const discord = await receiver();
    const { h, toaster } = start(`channels:
  - { name: desktop, type: toast }
  - { name: ops, type: slack, url: "${slack.url}" }
  - { name: team, type: discord, url: "${discord.url}", enabled: false }
notify: { groupWindow: 0 }
`);
    h.events.emit('anomaly.changed', [opened(anomaly({ severity: 'low', source: 'anything' }))]);
    await waitFor(() => slack.requests.length === 1 && toaster.shown.length === 1, { what: 'toast and slack' });
    expect(discord.requests).toHaveLength(0);
    expect(h.service.history({}).map((e) => e.channel).sort()).toEqual(['desktop', 'ops']);
  });

  it('routes by severity, source and channel; a channel hears an anomaly once, through the first matching rule', async () => {
    const hook = await receiver();
    const { h, toaster } = start(`channels:
  - { name: desktop, type: toast }
  - { name: hook, type: webhook, url: "${hook.url}" }
notify:
  groupWindow: 0
  rules:
    - { name: pager, minSeverity: critical, channels: [hook] }
    - { name: api, sources: [api], maxSeverity: critical, channels: [hook, desktop] }
    - { name: muted, enabled: false }
`);
    const crit = anomaly({ severity: 'critical', source: 'api', title: 'crit' });
    const low = anomaly({ severity: 'low', source: 'worker', title: 'low' });
    const high = anomaly({ severity: 'high', source: 'api', title: 'high' });
    h.events.emit('anomaly.changed', [opened(crit), opened(low), opened(high)]);
    await waitFor(() => h.service.history({ status: 'sent' }).length === 4, { what: 'four deliveries' });
    const seen = h.service
      .history({})
      .map((e) => `${e.anomalyId === crit.id ? 'crit' : e.anomalyId === high.id ? 'high' : 'low'}:${e.channel}:${e.rule}`)
      .sort();
    expect(seen).toEqual(['crit:desktop:api', 'crit:hook:pager', 'high:desktop:api', 'high:hook:api']);
    // Same rule, same batch: the desktop gets one toast naming both.
    expect(toaster.shown).toHaveLength(1);
    expect(toaster.shown[0]!.body).toMatch(/crit[\s\S]*high/);
    expect(hook.requests).toHaveLength(2);
  });

  it('holds toasts during quiet hours (webhooks still go out) and shows one toast when they end', async () => {
    const hook = await receiver();
    let now = new Date(2026, 10, 21, 23, 30).getTime(); // local 23:30
    const yaml = `channels:
  - { name: desktop, type: toast }
  - { name: hook, type: webhook, url: "${hook.url}" }
notify:
  groupWindow: 0
  quietHours: { start: "22:00", end: "07:00" }
`;
    const { h, toaster } = start(yaml, { now: () => now });
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'night 1' }))]);
    now += 60_000;
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'night 2' }))]);
    await waitFor(() => hook.requests.length === 2, { what: 'webhooks during quiet hours' });
    expect(toaster.shown).toHaveLength(0);
    const held = h.store.db.prepare("SELECT status, seal_at FROM notify_outbox WHERE channel = 'desktop'").all();
    expect(held).toEqual([{ status: 'grouping', seal_at: new Date(2026, 10, 22, 7, 0).getTime() }]);
    now = new Date(2026, 10, 22, 7, 0, 1).getTime();
    h.service.applyConfig(config(yaml)); // wakes the sealer the way its timer would
    await waitFor(() => toaster.shown.length === 1, { what: 'the morning toast' });
    expect(toaster.shown[0]!.title).toMatch(/^HIGH: 2 anomalies/);
    expect(toaster.shown[0]!.body).toContain('night 1');
    expect(toaster.shown[0]!.body).toContain('night 2');
  });

  it('notifies a repeat of an open anomaly only after the repeat interval; acknowledged and snoozed ones stay quiet', async () => {
    const hook = await receiver();
    let now = Date.parse('2026-11-21T10:00:00Z');
    const { h } = start(`channels:\n  - { name: hook, type: webhook, url: "${hook.url}" }\nnotify: { groupWindow: 0, repeatInterval: 4h }\n`, { now: () => now });
    const a = anomaly({ title: 'recurring' });
    h.events.emit('anomaly.changed', [opened(a)]);
    await waitFor(() => hook.requests.length === 1, { what: 'first notice' });
    now += 3_600_000;
    h.events.emit('anomaly.changed', [change('repeated', { ...a, count: 5 })]);
    now += 3 * 3_600_000 + 1;
    h.events.emit('anomaly.changed', [change('repeated', { ...a, count: 9 })]);
    await waitFor(() => hook.requests.length === 2, { what: 'repeat after 4 h' });
    const second = hook.requests[1]!.json as { anomalies: { change: string; count: number }[] };
    expect(second.anomalies[0]).toMatchObject({ change: 'repeated', count: 9 });
    now += 5 * 3_600_000;
    h.events.emit('anomaly.changed', [change('repeated', { ...a, state: 'acknowledged', count: 20 })]);
    const b = anomaly({ title: 'snoozed', snoozedUntil: now + 3_600_000 } as Partial<Anomaly>);
    h.events.emit('anomaly.changed', [opened(b)]);
    await idle(h);
    expect(hook.requests).toHaveLength(2);
  });

  it('an open anomaly that gets worse (high to critical) is told at once, whatever the repeat interval; once, not again', async () => {
    const hook = await receiver();
    let now = Date.parse('2026-11-21T10:00:00Z');
    const { h } = start(`channels:\n  - { name: hook, type: webhook, url: "${hook.url}" }\nnotify: { groupWindow: 0, repeatInterval: 4h }\n`, { now: () => now });
    const a = anomaly({ title: 'ZeroDivisionError in app', severity: 'high' });
    h.events.emit('anomaly.changed', [opened(a)]);
    await waitFor(() => hook.requests.length === 1, { what: 'the first notice' });
    now += 6000;
    h.events.emit('anomaly.changed', [change('repeated', { ...a, count: 2 })]);
    await idle(h);
    expect(hook.requests).toHaveLength(1);
    const worse = { ...a, severity: 'critical' as const, title: 'FATAL in app: billing ledger lost', count: 3 };
    h.events.emit('anomaly.changed', [change('repeated', worse)]);
    await waitFor(() => hook.requests.length === 2, { what: 'the escalation' });
    expect((hook.requests[1]!.json as { anomalies: unknown[] }).anomalies[0]).toMatchObject({ severity: 'critical', title: 'FATAL in app: billing ledger lost' });
    now += 6000;
    h.events.emit('anomaly.changed', [change('repeated', { ...worse, count: 4 })]);
    await idle(h);
    expect(hook.requests).toHaveLength(2);
  });

  it('a receiver that is down gets the anomaly once when it is back, not one copy per repeat interval that passed', async () => {
    const hook = await receiver();
    let down = true;
    // Slow to fail, as a receiver that is down often is: repeats fall due while a request is out.
    hook.reply(() => (down ? { status: 503, body: 'down', delayMs: 150 } : { status: 204 }));
    const { h } = start(`channels:\n  - { name: hook, type: webhook, url: "${hook.url}" }
notify: { groupWindow: 0, repeatInterval: 200ms, retry: { maxAttempts: 50, initialDelay: 100ms, maxDelay: 200ms }, breaker: { failureThreshold: 1000 } }\n`);
    const a = anomaly({ title: 'outage-x' });
    h.events.emit('anomaly.changed', [opened(a)]);
    for (let i = 2; i <= 8; i++) {
      await new Promise((r) => setTimeout(r, 250));
      h.events.emit('anomaly.changed', [change('repeated', { ...a, count: i })]);
    }
    // Back once the request out during the last change has failed (a receiver answering a
    // request made before it came back would get the count of that moment, 7, and rightly).
    await new Promise((r) => setTimeout(r, 400));
    down = false;
    await waitFor(() => h.service.history({ status: 'sent' }).length >= 1, { what: 'the notice, once the receiver is back' });
    await idle(h);
    const ok = hook.requests.filter((_r, i) => i >= hook.requests.length - h.service.history({ status: 'sent' }).length);
    expect(h.service.history({ status: 'sent' })).toHaveLength(1);
    expect((ok[0]!.json as { anomalies: { count: number }[] }).anomalies[0]!.count).toBe(8);
  });

  it('an anomaly acknowledged or snoozed while its message waits (the group window) is not sent, nor its "resolved" later', async () => {
    const slack = await receiver();
    let now = Date.parse('2026-11-21T10:00:00Z');
    const snoozed = new Set<number>();
    const yaml = `channels:\n  - { name: ops, type: slack, url: "${slack.url}" }\nnotify: { groupWindow: 30s }\n`;
    const { h } = start(yaml, { now: () => now, snoozedUntil: (x, t) => (snoozed.has(x.id) ? t + 3_600_000 : null) });
    const acked = anomaly({ title: 'ack-me' });
    const napping = anomaly({ title: 'snz-4' });
    const loud = anomaly({ title: 'still loud' });
    h.events.emit('anomaly.changed', [opened(acked), opened(napping), opened(loud)]);
    now += 1200;
    h.events.emit('anomaly.changed', [change('acknowledged', { ...acked, state: 'acknowledged' })]);
    snoozed.add(napping.id);
    now += 30_000;
    h.service.applyConfig(config(yaml));
    await waitFor(() => slack.requests.length === 1, { what: 'the message' });
    const text = JSON.stringify(slack.requests[0]!.json);
    expect(text).toContain('still loud');
    expect(text).not.toContain('ack-me');
    expect(text).not.toContain('snz-4');
    // Both alone: no message at all.
    const alone = anomaly({ title: 'alone' });
    h.events.emit('anomaly.changed', [opened(alone)]);
    h.events.emit('anomaly.changed', [change('acknowledged', { ...alone, state: 'acknowledged' })]);
    now += 31_000;
    h.service.applyConfig(config(yaml));
    await idle(h);
    expect(slack.requests).toHaveLength(1);
    h.events.emit('anomaly.changed', [change('resolved', { ...acked, state: 'resolved' }), change('resolved', { ...napping, state: 'resolved' })]);
    now += 31_000;
    h.service.applyConfig(config(yaml));
    await idle(h);
    expect(slack.requests).toHaveLength(1);
  });

  it('sends "resolved" where the channel supports it, to the channels told about the anomaly', async () => {
    const slack = await receiver();
    const n8n = await receiver();
    const n8nResolved = await receiver();
    const { h, toaster } = start(`channels:
  - { name: desktop, type: toast }
  - { name: ops, type: slack, url: "${slack.url}" }
  - { name: flows, type: n8n, url: "${n8n.url}" }
  - { name: flows2, type: n8n, url: "${n8nResolved.url}", sendResolved: true }
notify: { groupWindow: 0 }
`);
    const a = anomaly({ title: 'db down' });
    h.events.emit('anomaly.changed', [opened(a)]);
    await waitFor(() => slack.requests.length === 1 && n8n.requests.length === 1 && n8nResolved.requests.length === 1 && toaster.shown.length === 1, { what: 'firing everywhere' });
    h.events.emit('anomaly.changed', [change('resolved', { ...a, state: 'resolved', resolvedAt: a.lastTs + 1 })]);
    await waitFor(() => slack.requests.length === 2 && n8nResolved.requests.length === 2, { what: 'resolved messages' });
    const header = (slack.requests[1]!.json as { blocks: { text: { text: string } }[] }).blocks[0]!.text.text;
    expect(header).toBe('✅ Resolved: db down');
    expect(n8nResolved.requests[1]!.json).toMatchObject({ eventType: 'anomaly-resolved', payload: { anomaly: 'log_anomaly_resolved' }, headers: { 'x-event-type': 'log-anomaly-resolved' } });
    await idle(h);
    expect(n8n.requests).toHaveLength(1); // the seed envelope has no resolved event unless asked
    expect(toaster.shown).toHaveLength(1);
  });

  it('folds a resolution inside the group window into the firing message instead of a second one', async () => {
    const slack = await receiver();
    let now = Date.parse('2026-11-21T10:00:00Z');
    const yaml = `channels:\n  - { name: ops, type: slack, url: "${slack.url}" }\nnotify: { groupWindow: 30s }\n`;
    const { h } = start(yaml, { now: () => now });
    const a = anomaly({ title: 'blip' });
    h.events.emit('anomaly.changed', [opened(a)]);
    now += 5000;
    h.events.emit('anomaly.changed', [change('resolved', { ...a, state: 'resolved' })]);
    now += 30_000;
    h.service.applyConfig(config(yaml));
    await waitFor(() => slack.requests.length === 1, { what: 'one message' });
    const body = slack.requests[0]!.json as SlackBody;
    expect(richTexts(body)[0]).toContain('[RESOLVED] blip');
    // Its headline says so too: a phone shows the header, not the section.
    expect(body.blocks[0]!.text!.text).toBe('✅ Resolved: blip');
    expect(body.text).not.toMatch(/🔴|🟠|🟡|🔵/);
    await idle(h);
    expect(slack.requests).toHaveLength(1);
  });

  it('a channel told of an anomaly gets its "resolved" even when a later repeat notice went to the dead letters', async () => {
    const hook = await receiver();
    hook.reply((_q, n) => (n === 2 ? { status: 400, body: 'bad' } : { status: 204 }));
    let now = Date.parse('2026-11-21T10:00:00Z');
    const { h } = start(`channels:\n  - { name: hook, type: webhook, url: "${hook.url}" }\nnotify: { groupWindow: 0, repeatInterval: 1h }\n`, { now: () => now });
    const a = anomaly({ title: 'flapping disk' });
    h.events.emit('anomaly.changed', [opened(a)]);
    await waitFor(() => hook.requests.length === 1, { what: 'the first notice' });
    now += 3_600_001;
    h.events.emit('anomaly.changed', [change('repeated', { ...a, count: 7 })]);
    await waitFor(() => h.service.deadLetters({}).length === 1, { what: 'the repeat refused' });
    h.events.emit('anomaly.changed', [change('resolved', { ...a, state: 'resolved', resolvedAt: a.lastTs + 1 })]);
    await waitFor(() => hook.requests.length === 3, { what: 'the resolved notice' });
    expect(hook.requests[2]!.json).toMatchObject({ kind: 'resolved' });
  });

  it('a firing message in the dead letters is not followed by "resolved"; retried later, it shows the anomaly as it stands', async () => {
    const hook = await receiver();
    hook.reply((_q, n) => (n === 1 ? { status: 400, body: 'bad payload' } : { status: 204 }));
    const { h } = start(`channels:\n  - { name: hook, type: webhook, url: "${hook.url}" }\nnotify: { groupWindow: 0 }\n`);
    const a = anomaly({ title: 'backup failed' });
    h.events.emit('anomaly.changed', [opened(a)]);
    await waitFor(() => h.service.deadLetters({}).length === 1, { what: 'the firing message refused' });
    h.events.emit('anomaly.changed', [change('resolved', { ...a, state: 'resolved', resolvedAt: a.lastTs + 1 })]);
    await idle(h);
    // The channel was never told it fired: no "resolved" for it.
    expect(hook.requests).toHaveLength(1);
    expect(h.service.history({}).filter((m) => m.kind === 'resolved')).toEqual([]);
    h.service.retry({ all: true });
    await waitFor(() => hook.requests.length === 2, { what: 'the retried message' });
    expect(hook.requests[1]!.json).toMatchObject({ kind: 'resolved', anomalies: [{ title: 'backup failed', state: 'resolved' }] });
    await idle(h);
    expect(hook.requests).toHaveLength(2);
    // Its history counts both attempts, the refused one too (the retry's fresh count said 1).
    await waitFor(() => h.service.history({ status: 'sent' }).length === 1, { what: 'marked sent' });
    expect(h.service.history({}).map((m) => [m.status, m.attempts])).toEqual([['sent', 2]]);
  });

  it('an incident found already over (opened and resolved in what was read at once, as when catching up) is told, showing it resolved; an old one is not', async () => {
    const hook = await receiver();
    const flows = await receiver();
    const { h } = start(`channels:\n  - { name: hook, type: webhook, url: "${hook.url}" }\n  - { name: flows, type: n8n, url: "${flows.url}" }\nnotify: { groupWindow: 0 }\n`);
    const t = Date.now() - 10 * 60_000; // ten minutes ago, while Vigil was stopped
    const recent = anomaly({ title: 'primary database crashed', severity: 'critical', firstTs: t, lastTs: t + 60_000, openedAt: t, state: 'resolved', resolvedAt: t + 360_000 });
    const old = anomaly({ title: 'an old file read from its beginning', firstTs: t - 3 * 86_400_000, lastTs: t - 3 * 86_400_000, state: 'resolved' });
    // Detection flushes each change with the anomaly as it stands after the batch.
    h.events.emit('anomaly.changed', [opened(recent), change('resolved', recent), opened(old), change('resolved', old)]);
    await waitFor(() => hook.requests.length === 1, { what: 'the notice' });
    await idle(h);
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]!.json).toMatchObject({ kind: 'resolved', anomalies: [{ title: 'primary database crashed', state: 'resolved' }] });
    // n8n's seed workflow has no "resolved" event (sendResolved is off): it hears the incident as detected.
    await waitFor(() => flows.requests.length === 1, { what: 'the n8n envelope' });
    expect(flows.requests[0]!.json).toMatchObject({ eventType: 'anomaly-detected', headers: { 'x-event-type': 'log-anomaly' } });
  });

  it('a resolution while the firing request is out: one "resolved" if that request went through, none more if it failed and its retry showed it resolved', async () => {
    const hook = await receiver();
    // Request 1 answers late but within the timeout; request 3 (the second incident's) never in time.
    hook.reply((_q, n) => (n === 1 ? { status: 204, delayMs: 800 } : n === 3 ? { status: 204, delayMs: 3000 } : { status: 204 }));
    const { h } = start(`channels:\n  - { name: hook, type: webhook, url: "${hook.url}", timeout: 1500ms }\nnotify: { groupWindow: 0, retry: { initialDelay: 200ms, maxDelay: 200ms } }\n`);
    const a = anomaly({ title: 'told open' });
    h.events.emit('anomaly.changed', [opened(a)]);
    await waitFor(() => hook.requests.length === 1, { what: 'the firing request out' });
    h.events.emit('anomaly.changed', [change('resolved', { ...a, state: 'resolved', resolvedAt: a.lastTs + 1 })]);
    await waitFor(() => hook.requests.length === 2, { what: 'its resolved notice' });
    expect(hook.requests.map((r) => (r.json as { kind: string }).kind)).toEqual(['firing', 'resolved']);
    await idle(h);

    const b = anomaly({ title: 'told resolved' });
    h.events.emit('anomaly.changed', [opened(b)]);
    await waitFor(() => hook.requests.length === 3, { what: 'the second firing request out' });
    h.events.emit('anomaly.changed', [change('resolved', { ...b, state: 'resolved', resolvedAt: b.lastTs + 1 })]);
    await waitFor(() => hook.requests.length === 4, { what: 'its retry' });
    await idle(h);
    await new Promise((r) => setTimeout(r, 500));
    // The retry showed it resolved: no second "resolved" after it.
    expect(hook.requests.slice(2).map((r) => (r.json as { kind: string; anomalies: { title: string }[] }).kind)).toEqual(['firing', 'resolved']);
    expect(hook.requests).toHaveLength(4);
  });

  it('a repeat while its message waits in the group window: the message shows the newest count and the newest evidence', async () => {
    const hook = await receiver();
    let now = Date.parse('2026-11-21T10:00:00Z');
    const yaml = `channels:\n  - { name: hook, type: webhook, url: "${hook.url}" }\nnotify: { groupWindow: 10s }\n`;
    const { h } = start(yaml, { now: () => now });
    const first = '2026-11-21T10:00:00Z FATAL payment worker crashed';
    const second = '2026-11-21T10:00:03Z FATAL payment worker crashed again';
    const a = anomaly({ title: 'FATAL in app', details: { evidence: [first] } });
    h.events.emit('anomaly.changed', [opened(a)]);
    now += 3000;
    h.events.emit('anomaly.changed', [change('repeated', { ...a, count: 2, lastTs: a.lastTs + 3000, details: { evidence: [first, second] } })]);
    now += 10_000;
    h.service.applyConfig(config(yaml)); // wakes the sealer the way its timer would
    await waitFor(() => hook.requests.length === 1, { what: 'the grouped message' });
    const body = hook.requests[0]!.json as { anomalies: { count: number; evidence: string[] }[] };
    expect(body.anomalies).toHaveLength(1);
    expect(body.anomalies[0]).toMatchObject({ count: 2, evidence: [first, second] });
  });

  it('holds messages over a rule rate limit and merges them into the next allowed one', async () => {
    const hook = await receiver();
    let now = Date.parse('2026-11-21T10:00:00Z');
    const yaml = `channels:\n  - { name: hook, type: webhook, url: "${hook.url}" }\nnotify:\n  groupWindow: 0\n  rules:\n    - { name: limited, rateLimit: { max: 1, per: 1h } }\n`;
    const { h } = start(yaml, { now: () => now });
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'one' }))]);
    now += 1000;
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'two' }))]);
    now += 1000;
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'three' }))]);
    await waitFor(() => hook.requests.length === 1, { what: 'first message' });
    expect(h.service.history({ status: 'pending' })).toHaveLength(2);
    now += 3_600_000;
    h.service.applyConfig(config(yaml));
    await waitFor(() => hook.requests.length === 2, { what: 'the held message' });
    expect((hook.requests[1]!.json as { anomalies: { title: string }[] }).anomalies.map((x) => x.title)).toEqual(['two', 'three']);
  });

  it('keeps a message that is still grouping across a restart and sends it when its window closes', async () => {
    const hook = await receiver();
    let now = Date.parse('2026-11-21T10:00:00Z');
    const yaml = `channels:\n  - { name: hook, type: webhook, url: "${hook.url}" }\nnotify: { groupWindow: 10m }\n`;
    const { h, dir } = start(yaml, { now: () => now });
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'before restart' }))]);
    await h.close();
    now += 11 * 60_000;
    const again = startNotify(dir, yaml, { now: () => now });
    cleanups.push(() => again.close());
    await waitFor(() => hook.requests.length === 1, { what: 'sent after restart' });
    expect((hook.requests[0]!.json as { title: string }).title).toBe('before restart');
  });

  it('moves messages of a removed channel to the dead letters, and they can be retried once it is back', async () => {
    const hook = await receiver();
    hook.reply(() => ({ status: 503 }));
    const yaml = `channels:\n  - { name: hook, type: webhook, url: "${hook.url}" }\nnotify: { groupWindow: 0, retry: { initialDelay: 1h } }\n`;
    const { h } = start(yaml);
    h.events.emit('anomaly.changed', [opened(anomaly({ title: 'orphan' }))]);
    await waitFor(() => hook.requests.length === 1, { what: 'first try' });
    h.service.applyConfig(config('channels: []\n'));
    expect(h.service.deadLetters({})).toMatchObject([{ title: 'orphan', error: 'the channel "hook" is no longer configured' }]);
    hook.reply(() => ({ status: 200 }));
    h.service.applyConfig(config(yaml));
    h.service.retry({ all: true });
    await waitFor(() => hook.requests.length === 2, { what: 'sent after retry' });
  });

  it('keeps the tray model: worst severity, count, tooltip and the recent few', async () => {
    const { h } = start('channels: []\n');
    const trays: TrayModel[] = [];
    h.events.on('tray.changed', (m) => trays.push(m));
    const a = anomaly({ severity: 'medium', title: 'slow', lastTs: 1 });
    const b = anomaly({ severity: 'critical', title: 'down', lastTs: 2 });
    h.events.emit('anomaly.changed', [opened(a), opened(b)]);
    expect(trays.at(-1)).toEqual({
      worstSeverity: 'critical',
      count: 2,
      tooltip: 'Vigil — 2 open anomalies (worst: critical)',
      recent: [
        { id: b.id, title: 'down', severity: 'critical' },
        { id: a.id, title: 'slow', severity: 'medium' },
      ],
    });
    // Detection sends every change on anomalies.changed and the notify subset on anomaly.changed: one tray update.
    const before = trays.length;
    const closing = [change('resolved', { ...b, state: 'resolved' }), change('acknowledged', { ...a, state: 'acknowledged' })];
    h.events.emit('anomalies.changed', closing);
    h.events.emit('anomaly.changed', closing);
    expect(trays.length).toBe(before + 1);
    expect(trays.at(-1)).toEqual({ worstSeverity: null, count: 0, tooltip: 'Vigil — all quiet', recent: [] });
    // A snoozed anomaly does not light the tray.
    h.events.emit('anomalies.changed', [opened(anomaly({ snoozedUntil: Date.now() + 3_600_000 }))]);
    expect(h.service.tray().count).toBe(0);
  });
});
