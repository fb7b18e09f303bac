import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateRequest } from '../../../shared/contract.js';
import { RECORD_FLAGS, type AnomalyChange } from '../../../shared/types.js';
import { Engine } from '../../../electron/engine/engine.js';
import { tempDir, waitFor } from '../../support/tmp.js';
import { knownError, render, rng, steady, stormError, T0, type Line } from './synthetic.js';

// Detection inside the real engine: file source -> decode -> store -> detection stage,
// anomalies in SQLite, the contract's calls, and a restart in the middle of a storm.

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const silentToaster = { kind: 'test', show: async () => undefined };

async function start(dir: string, log: string): Promise<Engine> {
  writeFileSync(join(dir, 'vigil.yml'), `sources:\n  - name: app\n    type: file\n    path: ${log}\n    start: beginning\nchannels: []\nrules: []\n`);
  return Engine.start({ dataDir: dir, host: 'cli', log: () => undefined, toaster: silentToaster });
}

const stored = (e: Engine) => e.store.db.prepare('SELECT count(*) FROM records').pluck().get() as number;
const anomalyRows = (e: Engine) => e.store.db.prepare('SELECT id, detector, state, count, fingerprints FROM anomalies ORDER BY id').all() as { id: number; state: string; count: number }[];

/** Calls a handler the way every transport does: validate, then call. */
async function call<T>(e: Engine, name: string, req: unknown): Promise<T> {
  const v = validateRequest(name, req);
  if (!v.ok) throw new Error(v.error.message);
  return (await (e.handlers as unknown as Record<string, (r: unknown) => unknown>)[v.name]!(v.value)) as T;
}

function stormScenario() {
  const r = rng(11);
  const calm = (ts: number) => (r() < 0.002 ? knownError(r, ts) : null);
  const stormAt = T0 + 11 * 60_000;
  const before: Line[] = [...steady(r, T0, 11 * 60, 50, calm), ...steady(r, stormAt, 15, 50, (ts) => (r() < 0.4 ? stormError(r, ts) : null))];
  const after: Line[] = [...steady(r, stormAt + 15_000, 15, 50, (ts) => (r() < 0.4 ? stormError(r, ts) : null)), ...steady(r, stormAt + 30_000, 60, 50, calm)];
  return { before, after, stormAt };
}

describe('detection in the engine', () => {
  it('a restart mid-storm: no duplicate anomaly after restart; repeats are flagged duplicates', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    const { before, after } = stormScenario();
    writeFileSync(log, render(before));
    let engine = await start(dir, log);
    await waitFor(() => stored(engine) === before.length, { what: 'first half stored', timeoutMs: 60_000 });
    await engine.flush();
    const first = anomalyRows(engine);
    expect(first).toHaveLength(1);
    expect(first[0]!.state).toBe('open');
    await engine.close();

    appendFileSync(log, render(after));
    engine = await start(dir, log);
    cleanups.push(() => engine.close());
    await waitFor(() => stored(engine) === before.length + after.length, { what: 'second half stored', timeoutMs: 60_000 });
    await engine.flush();
    const rows = anomalyRows(engine);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(first[0]!.id);
    expect(rows[0]!.count).toBeGreaterThan(first[0]!.count);
    // The storm's errors after the restart attached as repeats: stored, evidence, flagged.
    const dup = engine.store.db
      .prepare(`SELECT count(*) FROM records r JOIN anomaly_events e ON e.record_id = r.id AND e.role = 'evidence'
                WHERE e.is_duplicate = 1 AND (r.flags & ${RECORD_FLAGS.duplicate}) != 0 AND r.id > ?`)
      .pluck()
      .get(before.length) as number;
    const stormErrorsAfter = after.filter((l) => l.level === 'ERROR' && /database|upstream/.test(l.message)).length;
    expect(dup).toBeGreaterThanOrEqual(stormErrorsAfter * 0.95);
  });

  it('serves anomalies through the contract: list, get with evidence and context, ack, snooze, resolve, band', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    const { before, after, stormAt } = stormScenario();
    writeFileSync(log, render([...before, ...after]));
    const engine = await start(dir, log);
    cleanups.push(() => engine.close());
    const ui: AnomalyChange[] = [];
    const notify: AnomalyChange[] = [];
    let liveDuplicates = 0;
    engine.on('records.stored', (rs) => (liveDuplicates += rs.filter((r) => r.flags & RECORD_FLAGS.duplicate).length));
    let uiEvents = 0;
    engine.on('anomalies.changed', (c) => {
      uiEvents++;
      ui.push(...c);
    });
    engine.on('anomaly.changed', (c) => notify.push(...c));
    await waitFor(() => stored(engine) === before.length + after.length, { what: 'all stored', timeoutMs: 60_000 });
    await engine.flush();
    await waitFor(() => ui.some((c) => c.kind === 'opened'), { what: 'opened event' });
    // Records handed on after the commit (the UI's live tail) carry the duplicate flag too.
    await waitFor(() => liveDuplicates > 100, { what: 'duplicates in the live tail' });
    expect(notify.some((c) => c.kind === 'opened')).toBe(true);

    const list = await call<{ id: number; state: string; source: string; fingerprint: string }[]>(engine, 'anomalies.list', {});
    expect(list).toHaveLength(1);
    const id = list[0]!.id;
    expect(list[0]).toMatchObject({ state: 'open', source: 'app' });

    type Detail = { anomaly: { openedAt: number }; lines: { id: number; role: string; ts: number; level: string; duplicate: boolean }[]; evidenceStored: number };
    const all = await call<Detail>(engine, 'anomalies.get', { id, maxEvidence: 5000 });
    const context = all.lines.filter((l) => l.role === 'context');
    expect(all.lines.filter((l) => l.role === 'evidence').length).toBe(all.evidenceStored);
    // The lines just before the first evidence, and just after the evidence that opened it.
    expect(context.filter((l) => l.ts <= all.anomaly.openedAt).length).toBeGreaterThanOrEqual(3);
    expect(context.filter((l) => l.ts > all.anomaly.openedAt).length).toBeGreaterThanOrEqual(1);
    // Only the newest 50: no context of the first evidence, not shown (read as the lines just
    // before the newest, it joined two moments of the incident with nothing between).
    const detail = await call<Detail>(engine, 'anomalies.get', { id, maxEvidence: 50 });
    const evidence = detail.lines.filter((l) => l.role === 'evidence');
    expect(evidence.length).toBe(50);
    expect(detail.evidenceStored).toBeGreaterThan(50);
    const oldest = Math.min(...evidence.map((l) => l.id));
    expect(detail.lines.filter((l) => l.role === 'context' && l.id < oldest)).toEqual([]);

    const acked = await call<{ state: string; acknowledgedAt: number }>(engine, 'anomalies.ack', { id });
    expect(acked.state).toBe('acknowledged');
    expect(notify.some((c) => c.kind === 'acknowledged' && c.anomaly.id === id)).toBe(true);

    // A snooze: the UI still hears about the anomaly, notifications hear of nothing that pages.
    // Every window is told at once, to show "snoozed" (another tab showed nothing).
    const eventsBefore = uiEvents;
    const snooze = await call<{ id: number; until: number }>(engine, 'anomalies.snooze', { scope: 'source', value: 'app', durationMs: 3_600_000 });
    expect(snooze.until).toBeGreaterThan(Date.now());
    expect((await call<unknown[]>(engine, 'anomalies.snoozes', {})).length).toBe(1);
    await waitFor(() => uiEvents > eventsBefore, { what: 'anomalies.changed after a snooze' });
    const [snoozed] = await call<{ snoozedUntil: number | null }[]>(engine, 'anomalies.list', {});
    expect(snoozed!.snoozedUntil).toBe(snooze.until);
    const uiBefore = ui.length;
    const notifyBefore = notify.length;
    const resolved = await call<{ state: string; resolvedBy: string }>(engine, 'anomalies.resolve', { id });
    expect(resolved).toMatchObject({ state: 'resolved', resolvedBy: 'user' });
    expect(ui.length).toBeGreaterThan(uiBefore);
    // Snoozed, it pages no one; its resolution still goes on, to close what channels were told.
    expect(notify.slice(notifyBefore).map((c) => [c.kind, c.anomaly.id])).toEqual([['resolved', id]]);
    expect(await call<unknown[]>(engine, 'anomalies.list', {})).toEqual([]);
    expect(await call<unknown[]>(engine, 'anomalies.list', { state: 'resolved' })).toHaveLength(1);

    const band = await call<{ points: { t: number; count: number; upper: number | null; anomalous: boolean }[]; bucketMs: number }>(engine, 'detect.band', { source: 'app', spanMs: 15 * 60_000 });
    expect(band.bucketMs).toBe(10_000);
    const stormBuckets = band.points.filter((p) => p.t >= stormAt && p.t < stormAt + 30_000);
    expect(stormBuckets.length).toBe(3);
    expect(stormBuckets.every((p) => p.anomalous && p.upper !== null && p.count > p.upper)).toBe(true);
    expect(band.points.filter((p) => p.t < stormAt && p.upper !== null).every((p) => !p.anomalous)).toBe(true);
  });

  it('live: the timer resolves a quiet anomaly and raises silence when a source stops writing, on the stream clock; the silence lasts until it writes again', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'live.log');
    const now = Date.now();
    const lines = Array.from({ length: 30 }, (_, i) => `${new Date(now - 3000 + i * 100).toISOString()} INFO tick ${i}`);
    lines.push(`${new Date(now).toISOString()} FATAL worker pool exhausted`);
    writeFileSync(log, lines.join('\n') + '\n');
    writeFileSync(
      join(dir, 'vigil.yml'),
      `sources:\n  - name: live\n    type: file\n    path: ${log}\n    start: beginning\n    detectors:\n      learningMs: 0\n      learningRecords: 0\n      dedupeWindowMs: 1000\n      silence: { minMs: 1500, factor: 3 }\nchannels: []\n`,
    );
    const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined, toaster: silentToaster });
    cleanups.push(() => engine.close());
    const state = (detector: string) => engine.store.db.prepare('SELECT state FROM anomalies WHERE detector = ? ORDER BY id DESC').pluck().get(detector) as string | undefined;
    await waitFor(() => state('critical') === 'resolved', { what: 'the fatal resolved by the timer', timeoutMs: 15_000 });
    await waitFor(() => state('silence') === 'open', { what: 'silence raised by the timer', timeoutMs: 15_000 });
    // Still silent past the quiet period (1 s here): the silence is not over (it read "resolved"
    // 5 minutes after it opened, with the source still down).
    await new Promise((r) => setTimeout(r, 3500));
    expect(state('silence')).toBe('open');
    appendFileSync(log, `${new Date().toISOString()} INFO back\n`);
    await waitFor(() => state('silence') === 'resolved', { what: 'silence over when the source writes again', timeoutMs: 15_000 });
  });

  it('a silence on a source removed from the config ends (the source will not write again)', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'gone.log');
    const now = Date.now();
    writeFileSync(log, Array.from({ length: 30 }, (_, i) => `${new Date(now - 3000 + i * 100).toISOString()} INFO tick ${i}`).join('\n') + '\n');
    writeFileSync(
      join(dir, 'vigil.yml'),
      `sources:\n  - name: gone\n    type: file\n    path: ${log}\n    start: beginning\n    detectors:\n      learningMs: 0\n      learningRecords: 0\n      dedupeWindowMs: 1000\n      silence: { minMs: 1500, factor: 3 }\nchannels: []\n`,
    );
    const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined, toaster: silentToaster });
    cleanups.push(() => engine.close());
    const state = () => engine.store.db.prepare("SELECT state FROM anomalies WHERE detector = 'silence' ORDER BY id DESC").pluck().get() as string | undefined;
    await waitFor(() => state() === 'open', { what: 'silence raised by the timer', timeoutMs: 15_000 });
    // (Its quiet period is then the defaults': 1 s here.)
    expect((await engine.config.setText('detection:\n  dedupeWindowMs: 1000\nsources: []\n')).ok).toBe(true);
    await waitFor(() => state() === 'resolved', { what: 'the silence of a removed source ended', timeoutMs: 15_000 });
  });

  it('a source renamed while one of its anomalies is open files what it finds next under its new name', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'web.log');
    writeFileSync(log, '');
    const yml = (name: string) =>
      `sources:\n  - name: ${name}\n    type: file\n    path: ${log}\n    start: beginning\nrules:\n  - { name: boom, regex: '^boom', severity: high }\n  - { name: kaboom, regex: kaboom, severity: critical }\n`;
    writeFileSync(join(dir, 'vigil.yml'), yml('web'));
    const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined, toaster: silentToaster });
    cleanups.push(() => engine.close());
    const rows = () => engine.store.db.prepare('SELECT source, title, state FROM anomalies ORDER BY id').all() as { source: string; title: string; state: string }[];
    appendFileSync(log, `${new Date().toISOString()} ERROR boom in the gateway\n`);
    await waitFor(() => rows().length === 1, { what: 'boom open' });
    expect((await engine.config.setText(yml('web2'))).ok).toBe(true);
    await waitFor(() => (engine.store.db.prepare('SELECT name FROM sources').pluck().all() as string[]).includes('web2'), { what: 'the source under its new name' });
    appendFileSync(log, `${new Date().toISOString()} ERROR kaboom in the gateway\n`);
    await waitFor(() => rows().length === 2, { what: 'kaboom open' });
    expect(rows()[1]).toMatchObject({ source: 'web2', state: 'open' });
    const listed = await call<{ source: string; title: string }[]>(engine, 'anomalies.list', { source: 'web2' });
    expect(listed.map((a) => [a.source, a.title])).toEqual([['web2', 'kaboom in web2']]);
  });

  it('a rule naming a source not in the config is said in the log (it never fires there), and the config is taken', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    writeFileSync(join(dir, 'vigil.yml'), `sources:\n  - { name: payments, type: file, path: ${join(dir, 'p.log')} }\nrules:\n  - { name: pay, regex: FAILED, sources: [paymnets] }\n`);
    const logs: string[] = [];
    const engine = await Engine.start({ dataDir: dir, host: 'cli', log: (m) => logs.push(m), toaster: silentToaster });
    cleanups.push(() => engine.close());
    expect(logs).toContain('rule pay: it names no source "paymnets" (a typo, or a source removed?): it never fires there');
  });

  it('refuses a rule whose regex could backtrack catastrophically, naming the key', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const engine = await start(dir, join(dir, 'none.log'));
    cleanups.push(() => engine.close());
    const bad = await call<{ ok: boolean; errors?: { key: string; reason: string }[] }>(engine, 'config.set', {
      text: 'sources: []\nrules:\n  - name: slow\n    regex: "(\\\\w+\\\\s?)*$"\n',
    });
    expect(bad.ok).toBe(false);
    expect(bad.errors).toContainEqual({ key: 'rules.0.regex', reason: expect.stringContaining('backtrack catastrophically') });
    const good = await call<{ ok: boolean }>(engine, 'rules.set', { rules: [{ name: 'db down', regex: 'connection (refused|reset)', severity: 'critical', category: 'database' }] });
    expect(good.ok).toBe(true);
    const settings = await call<{ rules: { name: string }[]; settings: { burst: { count: number } } }>(engine, 'detect.settings', {});
    expect(settings.rules.map((r) => r.name)).toEqual(['db down']);
    expect(settings.settings.burst.count).toBe(5);
    // Detector settings from the UI land in vigil.yml, comments kept, and are in force.
    const set = await call<{ ok: boolean }>(engine, 'detect.configure', { settings: { burst: { count: 8 }, silence: false } });
    expect(set.ok).toBe(true);
    expect(readFileSync(join(dir, 'vigil.yml'), 'utf8')).toMatch(/detection:\s+burst:\s+count: 8/);
    const after = await call<{ settings: { burst: { count: number } } }>(engine, 'detect.settings', {});
    expect(after.settings.burst.count).toBe(8);
    const noSuch = await call<{ ok: boolean }>(engine, 'detect.configure', { source: 'nope', settings: { burst: false } });
    expect(noSuch.ok).toBe(false);
  });
});
