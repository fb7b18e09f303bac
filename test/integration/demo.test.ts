import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Anomaly } from '../../shared/types.js';
import { dispatch } from '../../electron/engine/dispatch.js';
import { Engine } from '../../electron/engine/engine.js';
import { tempDir, waitFor } from '../support/tmp.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('first start: the working default', () => {
  it('writes vigil.yml with the demo source, and the demo log shows lines, errors and an anomaly within seconds', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    // The demo writes faster here than its default 400 ms, to keep the test short.
    const engine = await Engine.start({ dataDir: dir, host: 'cli', demoIntervalMs: 25, log: () => undefined });
    cleanups.push(() => engine.close());
    expect(readFileSync(join(dir, 'vigil.yml'), 'utf8')).toContain('name: demo');
    await waitFor(() => existsSync(join(dir, 'demo', 'demo.log')), { what: 'demo log' });
    const count = (sql: string) => engine.store.db.prepare(sql).pluck().get() as number;
    await waitFor(() => count("SELECT count(*) FROM events WHERE source = 'demo' AND level = 'error'") >= 5, { timeoutMs: 20_000, what: 'demo errors stored' });
    expect(count("SELECT count(*) FROM events WHERE source = 'demo' AND level = 'info'")).toBeGreaterThan(10);
    // The stack trace is one record (multi-line grouping) and is itself an anomaly.
    const trace = engine.store.db.prepare("SELECT raw, line_no, line_end FROM events WHERE raw LIKE '%IllegalStateException%'").get() as { raw: string; line_no: number; line_end: number };
    expect(trace.raw.split('\n')).toHaveLength(5);
    expect(trace.line_end - trace.line_no).toBe(4);
    const anomalies = await waitFor(async () => {
      const out = await dispatch(engine.handlers, 'anomalies.list', {});
      const list = out.ok ? (out.res as Anomaly[]) : [];
      return list.length ? list : null;
    }, { timeoutMs: 20_000, what: 'an anomaly from the demo' });
    expect(anomalies!.some((a) => a.source === 'demo')).toBe(true);
  });
});
