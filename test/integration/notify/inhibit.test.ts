// notify.inhibit (Alertmanager's inhibit_rules): an incident still going keeps the
// anomalies it explains from paging; they are told when it resolves. Real outbox, real
// receiver, the real config schema.
import { afterEach, describe, expect, it } from 'vitest';
import type { Anomaly } from '../../../shared/types.js';
import { join } from 'node:path';
import { parseConfig } from '../../../electron/engine/config/config-file.js';
import { AnomalyRepo } from '../../../electron/engine/detect/anomaly-repo.js';
import { readOpenAnomalies } from '../../../electron/engine/notify/open-anomalies.js';
import { Store } from '../../../electron/engine/store/store.js';
import { startReceiver, type Receiver } from '../../support/http-receiver.js';
import { anomaly, opened, startNotify, type Harness } from '../../support/notify-harness.js';
import { tempDir, waitFor } from '../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const change = (kind: 'opened' | 'repeated' | 'resolved' | 'acknowledged', a: Anomaly) => ({ kind, anomaly: a });
const idle = (h: Harness) => waitFor(() => h.service.history({ status: 'pending' }).length === 0, { what: 'outbox idle' });

/** A webhook receiver and a service whose `notify:` has the given inhibit rules. */
async function start(inhibit: string, notify = 'groupWindow: 0', before?: (dir: string) => Anomaly[]): Promise<{ h: Harness; hook: Receiver; titles: () => string[] }> {
  const hook = await startReceiver();
  const { dir, cleanup } = tempDir();
  const openAnomalies = before?.(dir);
  const h = startNotify(dir, `channels:\n  - { name: hook, type: webhook, url: "${hook.url}" }\nnotify:\n  ${notify}\n  inhibit:\n${inhibit}`, openAnomalies ? { openAnomalies } : {});
  cleanups.push(cleanup, () => hook.close(), () => h.close());
  // Each firing item a request carried, as "title:change" (a resolved message's items say "resolved").
  const titles = () =>
    hook.requests.flatMap((r) => (r.json as { anomalies: { title: string; change: string }[] }).anomalies.map((a) => `${a.title}:${a.change}`));
  return { h, hook, titles };
}

const RULE = `    - when: { minSeverity: critical }\n      mute: { maxSeverity: high }\n      equal: [source]\n`;

describe('notify.inhibit', () => {
  it('a critical incident mutes the lesser anomalies of its source, not other sources; they are told when it resolves', async () => {
    const { h, titles } = await start(RULE);
    const crash = anomaly({ title: 'db crashed', severity: 'critical', source: 'db', detector: 'critical' });
    const slow = anomaly({ title: 'db slow queries', severity: 'high', source: 'db' });
    const api = anomaly({ title: 'api errors', severity: 'high', source: 'api' });
    h.events.emit('anomaly.changed', [opened(slow), opened(crash), opened(api)]);
    await idle(h);
    // In one batch, the muted one first: what mutes is known before anything is routed.
    expect(titles().sort()).toEqual(['api errors:opened', 'db crashed:opened']);
    // Its repeats stay muted too.
    h.events.emit('anomaly.changed', [change('repeated', { ...slow, count: 5 })]);
    await idle(h);
    expect(titles()).toHaveLength(2);
    h.events.emit('anomaly.changed', [change('resolved', { ...crash, state: 'resolved', resolvedAt: crash.lastTs + 1 })]);
    await waitFor(() => titles().length === 4, { what: 'the resolved crash, and the anomaly it muted' });
    expect(titles().slice(2).sort()).toEqual(['db crashed:resolved', 'db slow queries:opened']);
    expect(h.service.history({ anomalyId: slow.id }).map((e) => e.status)).toEqual(['sent']);
  });

  it('an anomaly muted and resolved while the incident went on gets no message at all', async () => {
    const { h, titles } = await start(RULE);
    const crash = anomaly({ title: 'db crashed', severity: 'critical', source: 'db' });
    const slow = anomaly({ title: 'db slow queries', severity: 'medium', source: 'db' });
    h.events.emit('anomaly.changed', [opened(crash), opened(slow)]);
    h.events.emit('anomaly.changed', [change('resolved', { ...slow, state: 'resolved' })]);
    h.events.emit('anomaly.changed', [change('resolved', { ...crash, state: 'resolved' })]);
    await waitFor(() => titles().length === 2, { what: 'the crash and its resolution' });
    await idle(h);
    expect(titles()).toEqual(['db crashed:opened', 'db crashed:resolved']);
  });

  it('an anomaly waiting in its group window is taken out when an incident that mutes it opens', async () => {
    const { h, titles } = await start(RULE, 'groupWindow: 400ms');
    const slow = anomaly({ title: 'db slow queries', severity: 'high', source: 'db' });
    h.events.emit('anomaly.changed', [opened(slow)]);
    const crash = anomaly({ title: 'db crashed', severity: 'critical', source: 'db' });
    h.events.emit('anomaly.changed', [opened(crash)]);
    await waitFor(() => titles().length === 1, { what: 'one message' });
    await idle(h);
    expect(titles()).toEqual(['db crashed:opened']);
  });

  it('an acknowledged incident still mutes; two that match both sides of a rule do not silence each other', async () => {
    const { h, titles } = await start(`    - when: { minSeverity: high }\n      mute: {}\n`);
    const a = anomaly({ title: 'first', severity: 'high' });
    const b = anomaly({ title: 'second', severity: 'critical' });
    h.events.emit('anomaly.changed', [opened(a), opened(b)]);
    await idle(h);
    expect(titles().sort()).toEqual(['first:opened', 'second:opened']);
    h.events.emit('anomaly.changed', [change('acknowledged', { ...b, state: 'acknowledged' })]);
    const low = anomaly({ title: 'low one', severity: 'low' });
    h.events.emit('anomaly.changed', [opened(low)]);
    await idle(h);
    expect(titles()).toHaveLength(2);
  });

  it('an incident going when Vigil starts (acknowledged, in the store) mutes as before the restart', async () => {
    const { h, titles } = await start(RULE, 'groupWindow: 0', (dir) => {
      // What the last run left, read back as Engine.start reads it.
      const store = new Store(join(dir, 'vigil.db'));
      const t = Date.parse('2026-11-21T10:00:00Z');
      const repo = new AnomalyRepo(store.db);
      const id = repo.insert({
        fingerprint: 'crash', fingerprints: '["crash"]', detector: 'critical', source_id: null, source: 'db', severity: 'critical', category: 'errors',
        title: 'db crashed', message: 'FATAL', state: 'open', count: 1, first_ts: t, last_ts: t, opened_at: t, template_id: null, rule: null,
        numbers: null, details: null, gap_ms: null, group_entries: 1, updated_at: t,
      });
      store.db.prepare("UPDATE anomalies SET state = 'acknowledged', acknowledged_at = ? WHERE id = ?").run(t, id);
      const going = readOpenAnomalies(store.db);
      store.close();
      expect(going.map((a) => [a.title, a.state])).toEqual([['db crashed', 'acknowledged']]);
      return going;
    });
    const slow = anomaly({ title: 'db slow queries', severity: 'high', source: 'db' });
    const other = anomaly({ title: 'web slow', severity: 'high', source: 'web' });
    h.events.emit('anomaly.changed', [opened(slow), opened(other)]);
    await idle(h);
    expect(titles()).toEqual(['web slow:opened']);
  });

  it('refuses a rule with an unknown equal field or condition, saying which', () => {
    const bad = parseConfig(`notify:\n  inhibit:\n    - when: { minSeverity: critical }\n      mute: { maxSeverity: high }\n      equal: [host]\n`);
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(!bad.ok && bad.errors)).toMatch(/notify\.inhibit\.0\.equal\.0.*must be one of: source, category, detector/);
    const typo = parseConfig(`notify:\n  inhibit:\n    - when: { severity: critical }\n      mute: {}\n`);
    expect(typo.ok).toBe(false);
    expect(JSON.stringify(!typo.ok && typo.errors)).toMatch(/notify\.inhibit\.0\.when/);
  });
});
