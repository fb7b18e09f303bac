import { afterEach, describe, expect, it } from 'vitest';
import { levelRank, type AnomalyChange, type Level, type VigilConfig } from '../../../shared/types.js';
import type { DecodedRecord } from '../../../electron/engine/decode/types.js';
import { DetectionService } from '../../../electron/engine/detect/service.js';
import { Ingestor } from '../../../electron/engine/pipeline/ingestor.js';
import type { StoredRecord } from '../../../electron/engine/pipeline/types.js';
import { Store } from '../../../electron/engine/store/store.js';
import { T0 } from './synthetic.js';

// The anomaly lifecycle on real SQLite through the real ingest pipeline: dedupe within the
// quiet period (stretched by an anomaly's own rhythm), resolution, coalescing limits,
// acknowledgement, and a batch whose transaction rolled back.

const MIN = 60_000;
const open: (() => void)[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c();
});

function rig(config: Partial<VigilConfig> = {}) {
  const store = new Store(':memory:');
  const svc = new DetectionService({ live: false });
  const changes: AnomalyChange[] = [];
  svc.attach(store, { changed: (all) => changes.push(...all) });
  svc.configure({ sources: [], channels: [], rules: [], ...config });
  const ingestor = new Ingestor(store, null, [svc.stage], {}, { lingerMs: 0 });
  const source = { name: 'app', id: store.sourceId('app', 'file'), type: 'file' };
  let line = 0;
  open.push(() => store.close());
  const write = async (records: { ts: number; level: Level; message: string }[]) => {
    const decoded: DecodedRecord[] = records.map((r) => {
      line++;
      return { firstLine: line, lastLine: line, startOffset: 0, endOffset: 0, ts: r.ts, tsText: null, level: r.level, levelText: r.level.toUpperCase(), message: r.message, raw: r.message, rawBytes: null, flags: 0, format: 'test' };
    });
    await ingestor.write({ source, fileId: null, path: null, records: decoded, checkpoint: null, readAt: T0 });
    await ingestor.drain();
  };
  const rows = () => store.db.prepare('SELECT id, state, count, first_ts, last_ts, resolved_at, resolved_by, fingerprints FROM anomalies ORDER BY id').all() as { id: number; state: string; count: number; last_ts: number; resolved_at: number | null; resolved_by: string | null; fingerprints: string }[];
  return { store, svc, write, rows, changes, source };
}

describe('detection state of sources', () => {
  it('a source removed from the config, with nothing open, is let go; added back, it goes on from its stored state', async () => {
    const { write, svc, source } = rig({ sources: [{ name: 'app', type: 'file', path: '/x.log' }] });
    await write([{ ts: T0, level: 'info', message: 'up' }, { ts: T0 + 1000, level: 'info', message: 'still up' }]);
    expect(svc.core.clockOf(source.id)).toBe(T0 + 1000);
    svc.configure({ sources: [], channels: [], rules: [] });
    expect(svc.core.clockOf(source.id)).toBeNull();
    svc.configure({ sources: [{ name: 'app', type: 'file', path: '/x.log' }], channels: [], rules: [] });
    await write([{ ts: T0 + 2000, level: 'info', message: 'back' }]);
    expect(svc.core.clockOf(source.id)).toBe(T0 + 2000);
    expect((svc.core as unknown as { sources: Map<number, { det: { snapshot(): { records: number } } }> }).sources.get(source.id)!.det.snapshot().records).toBe(3);
  });
});

describe('anomaly lifecycle', () => {
  it('repeats within the quiet period attach; the quiet period stretches to the anomaly\'s own rhythm', async () => {
    const { write, rows } = rig();
    // Every 2 minutes for 10 minutes, then every 6 minutes for an hour: longer apart than
    // the 5-minute dedupe window, but one ongoing problem at its own pace.
    const times = [...Array.from({ length: 6 }, (_, i) => T0 + i * 2 * MIN), ...Array.from({ length: 10 }, (_, i) => T0 + 16 * MIN + i * 6 * MIN)];
    await write(times.map((ts) => ({ ts, level: 'fatal' as const, message: 'disk controller reset' })));
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toMatchObject({ state: 'open', count: 16 });
    // Hours later it is long resolved, at its last record plus its stretched quiet period;
    // the next occurrence is a new anomaly.
    await write([{ ts: T0 + 4 * 60 * MIN, level: 'fatal', message: 'disk controller reset' }]);
    const [first, second] = rows();
    expect(first).toMatchObject({ state: 'resolved', resolved_by: 'quiet' });
    expect(first!.resolved_at! - first!.last_ts).toBeGreaterThan(6 * MIN);
    expect(first!.resolved_at! - first!.last_ts).toBeLessThanOrEqual(60 * MIN);
    expect(second).toMatchObject({ state: 'open', count: 1 });
  });

  it('a problem that comes back soon after resolving brings that gap as its rhythm', async () => {
    const { write, rows } = rig();
    // Every 6 minutes from the start: the first anomaly resolves after 5 quiet minutes; the
    // second knows the 6-minute rhythm and holds the rest.
    await write(Array.from({ length: 11 }, (_, i) => ({ ts: T0 + i * 6 * MIN, level: 'fatal' as const, message: 'disk controller reset' })));
    expect(rows().map((r) => [r.state, r.count])).toEqual([
      ['resolved', 1],
      ['open', 10],
    ]);
  });

  it('a single occurrence resolves after the default quiet period (5 min); a later one is new', async () => {
    const { write, rows, changes } = rig();
    await write([
      { ts: T0, level: 'fatal', message: 'kernel panic' },
      { ts: T0 + 4 * MIN, level: 'info', message: 'still running' },
      { ts: T0 + 10 * MIN, level: 'fatal', message: 'kernel panic' },
    ]);
    const [a, b] = rows();
    expect(a).toMatchObject({ state: 'resolved', resolved_at: T0 + 5 * MIN, count: 1 });
    expect(b).toMatchObject({ state: 'open', count: 1 });
    expect(changes.map((c) => [c.kind, c.anomaly.id])).toEqual([
      ['opened', a!.id],
      ['resolved', a!.id],
      ['opened', b!.id],
    ]);
  });

  it('a new error that keeps recurring stays one open anomaly, counting each time, and resolves once it stops', async () => {
    const { write, rows } = rig({ detection: { learningMs: 0, learningRecords: 0, resolveAfterMs: 20_000 } } as Partial<VigilConfig>);
    await write([{ ts: T0, level: 'info', message: 'mailer started' }]);
    // Every 6 s for 48 s: the quiet period after its first line (20 s) passes long before it stops.
    const last = T0 + 1000 + 8 * 6000;
    await write(Array.from({ length: 9 }, (_, i) => ({ ts: T0 + 1000 + i * 6000, level: 'error' as const, message: `SMTP relay rejected message ${i + 1}: 451 try again later` })));
    const novel = () => rows().filter((r) => r.fingerprints.includes('new-template/'));
    expect(novel()).toHaveLength(1);
    expect(novel()[0]).toMatchObject({ state: 'open', count: 9, last_ts: last });
    await write([{ ts: last + 60_000, level: 'info', message: 'mailer idle' }]);
    expect(novel()).toHaveLength(1);
    expect(novel()[0]).toMatchObject({ state: 'resolved', resolved_by: 'quiet', resolved_at: last + 20_000 });
    // Once resolved, the message is no longer new: it opens nothing when it comes back.
    await write([{ ts: last + 120_000, level: 'error', message: 'SMTP relay rejected message 10: 451 try again later' }]);
    expect(novel()).toHaveLength(1);
  });

  it('after a restart, an open anomaly resolves once its quiet period has passed: not never (no new line), not at once (a late line)', async () => {
    const cfg = { detection: { learningMs: 0, learningRecords: 0, resolveAfterMs: 20_000 } } as Partial<VigilConfig>;
    const { write, rows, store } = rig(cfg);
    await write([{ ts: T0, level: 'info', message: 'up' }, { ts: T0 + 1000, level: 'fatal', message: 'queue backlog over limit' }]);
    expect(rows()).toMatchObject([{ state: 'open' }]);
    const savedAt = Date.now();
    // Vigil restarts: detection is built again from the store.
    const restarted = () => {
      const svc = new DetectionService({ live: false });
      svc.attach(store, { changed: () => undefined });
      svc.configure({ sources: [], channels: [], rules: [], ...cfg } as VigilConfig);
      return svc;
    };
    let svc = restarted();
    svc.core.tick(savedAt + 10_000);
    expect(rows()).toMatchObject([{ state: 'open' }]);
    svc.core.tick(savedAt + 25_000);
    expect(rows()).toMatchObject([{ state: 'resolved', resolved_by: 'quiet', resolved_at: T0 + 1000 + 20_000 }]);

    // Again, with a late line (older than the last one seen) as the first record after the restart.
    await write([{ ts: T0 + 60_000, level: 'fatal', message: 'queue backlog over limit' }]);
    expect(rows()[1]).toMatchObject({ state: 'open' });
    svc = restarted();
    const ingestor = new Ingestor(store, null, [svc.stage], {}, { lingerMs: 0 });
    const source = { name: 'app', id: store.sourceId('app', 'file'), type: 'file' };
    await ingestor.write({ source, fileId: null, path: null, records: [{ firstLine: 99, lastLine: 99, startOffset: 0, endOffset: 0, ts: T0 + 59_000, tsText: null, level: 'info', levelText: 'INFO', message: 'flushed late', raw: 'flushed late', rawBytes: null, flags: 0, format: 'test' }], checkpoint: null, readAt: T0 });
    await ingestor.drain();
    svc.core.tick(Date.now() + 2000);
    expect(rows()[1]).toMatchObject({ state: 'open' });
  });

  it('coalesces different findings close together, for at most 60 s', async () => {
    const { write, rows } = rig();
    // A new fatal message every 5 s for 2 minutes: one incident per minute, not 24.
    await write(Array.from({ length: 24 }, (_, i) => ({ ts: T0 + i * 5000, level: 'fatal' as const, message: `subsystem ${String.fromCharCode(97 + i)} failed` })));
    const r = rows();
    expect(r).toHaveLength(2);
    expect(JSON.parse(r[0]!.fingerprints)).toHaveLength(13);
    expect(r[0]!.count + r[1]!.count).toBe(24);
  });

  it('an acknowledged anomaly keeps taking repeats and still resolves itself', async () => {
    const { write, rows, svc } = rig();
    await write([{ ts: T0, level: 'fatal', message: 'raid degraded' }]);
    const id = rows()[0]!.id;
    expect(svc.acknowledge(id)).toMatchObject({ state: 'acknowledged' });
    await write([{ ts: T0 + MIN, level: 'fatal', message: 'raid degraded' }]);
    expect(rows()[0]).toMatchObject({ state: 'acknowledged', count: 2 });
    await write([{ ts: T0 + 30 * MIN, level: 'info', message: 'nightly backup done' }]);
    expect(rows()[0]).toMatchObject({ state: 'resolved', resolved_by: 'quiet' });
  });

  it('a batch whose transaction rolled back is not counted when it is stored again', async () => {
    const { store, svc, write, rows, source } = rig();
    const records = Array.from({ length: 3 }, (_, i) => ({ ts: T0 + i * 1000, level: 'fatal' as const, message: 'fan failure' }));
    // The store refuses the batch after detection ran inside its transaction.
    expect(() =>
      store.append(
        records.map((r) => ({ sourceId: source.id, fileId: null, firstLine: null, lastLine: null, ts: r.ts, tsText: null, levelRank: levelRank(r.level), levelText: null, stream: null, format: 'test', templateId: null, flags: 0, message: r.message, raw: r.message, rawBytes: null })),
        [],
        (firstId) => {
          const stored = records.map((r, i) => ({ ...r, id: firstId + i, sourceName: 'app', sourceId: source.id, fileId: null, path: null, levelRank: 8, templateId: null, template: null, firstLine: i + 1, lastLine: i + 1, startOffset: 0, endOffset: 0, tsText: null, levelText: null, raw: r.message, rawBytes: null, flags: 0, format: 'test' })) as StoredRecord[];
          svc.stage.inTransaction(stored);
          throw new Error('disk full');
        },
      ),
    ).toThrow('disk full');
    expect(rows()).toEqual([]);
    await write(records);
    expect(rows()).toHaveLength(1);
    expect(rows()[0]!.count).toBe(3);
  });
});
