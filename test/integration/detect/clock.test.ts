import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine.js';
import { tempDir, waitFor } from '../../support/tmp.js';
import { scanJson, writeLog } from './scan-helper.js';

// The stream clock detection runs on, with times a real log gets wrong: one line from a
// host whose clock is off (2099, or an hour ahead), a first line stamped 1970 before the
// clock was set, a line of a backlog with no time of its own.

const tmp = tempDir('vigil-clock-');
afterAll(() => tmp.cleanup());
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const iso = (ms: number) => new Date(ms).toISOString();
const T = Date.parse('2026-11-20T08:00:00Z');

/** An hour of a service at one line a second, one request in 100 failing (its usual errors). */
function hour(extra: (i: number) => string | null = () => null): string {
  const out: string[] = [];
  for (let i = 0; i < 3600; i++) {
    const more = extra(i);
    if (more !== null) out.push(more);
    out.push(i % 100 === 99 ? `${iso(T + i * 1000)} ERROR request ${i} failed: db timeout` : `${iso(T + i * 1000)} INFO request ${i} ok`);
  }
  return out.join('\n') + '\n';
}

describe('detection clock', () => {
  it('the same hour of usual errors raises nothing, with or without one line stamped 2099 or an hour ahead in the middle', async () => {
    const config = writeLog(tmp.dir, 'vigil.yml', 'detection:\n  silence: { minMs: 60000 }\n');
    expect(await scanJson(writeLog(tmp.dir, 'plain.log', hour()), ['--config', config])).toEqual([]);
    const future = hour((i) => (i === 1800 ? '2099-01-01T00:00:00.000Z INFO clock skew line from a bad host' : null));
    expect(await scanJson(writeLog(tmp.dir, 'future.log', future), ['--config', config])).toEqual([]);
    const ahead = hour((i) => (i === 1800 ? `${iso(Date.now() + 3_600_000)} INFO a line from a host an hour ahead` : null));
    expect(await scanJson(writeLog(tmp.dir, 'ahead.log', ahead), ['--config', config])).toEqual([]);
  });

  it('a log that does move ahead (the next lines say so) is followed there: its new error is found at its own time', async () => {
    // Half an hour of the usual, then the log goes on stamped a year later (its host's clock
    // was set): a storm there is still found, and is where its lines say.
    const later = T + 365 * 86_400_000;
    const lines: string[] = [];
    for (let i = 0; i < 1800; i++) lines.push(i % 100 === 99 ? `${iso(T + i * 1000)} ERROR request ${i} failed: db timeout` : `${iso(T + i * 1000)} INFO request ${i} ok`);
    for (let i = 0; i < 900; i++) lines.push(`${iso(later + i * 1000)} INFO request ${i} ok`);
    for (let i = 0; i < 60; i++) lines.push(`${iso(later + 900_000 + i * 100)} ERROR request ${i} failed: connection refused`);
    const found = await scanJson(writeLog(tmp.dir, 'moved.log', lines.join('\n') + '\n'));
    expect(found.map((a) => [a.detector, a.first_ts, a.count])).toEqual([['new-template', iso(later + 900_000), 60]]);
  });

  it('a first line stamped 1970 (no clock yet at boot) does not end the learning period: new warnings after 2.5 minutes are not news', async () => {
    const lines = ['1970-01-01T00:00:05.000Z INFO kernel: booting, clock not set'];
    const words = ['disk', 'net', 'cache', 'queue', 'auth', 'dns', 'tls', 'cron', 'mail', 'proxy'];
    for (let i = 0; i < 300; i++) {
      lines.push(`${iso(T + i * 1000)} INFO request ${i} ok`);
      if (i >= 150 && i < 160) lines.push(`${iso(T + i * 1000)} WARN ${words[i - 150]} subsystem degraded: retrying`);
    }
    expect(await scanJson(writeLog(tmp.dir, 'boot.log', lines.join('\n') + '\n'))).toEqual([]);
  });

  it('a backlog line without a time is stored at the time of the line before it, not when it was read; no burst from it', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'api.log');
    const lines: string[] = [];
    for (let i = 0; i < 3600; i++) {
      if (i === 1800) lines.push('Reloading configuration (SIGHUP)');
      lines.push(JSON.stringify({ time: iso(T + i * 1000), level: i % 100 === 99 ? 'error' : 'info', msg: i % 100 === 99 ? `request ${i} failed: db timeout` : `request ${i} ok` }));
    }
    writeFileSync(log, lines.join('\n') + '\n');
    writeFileSync(join(dir, 'vigil.yml'), `sources:\n  - name: api\n    type: file\n    path: ${log}\n    start: beginning\nchannels: []\nrules: []\n`);
    const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined, toaster: { kind: 'test', show: async () => undefined } });
    cleanups.push(() => engine.close());
    await waitFor(() => (engine.store.db.prepare('SELECT count(*) FROM records').pluck().get() as number) === 3601, { what: 'every line', timeoutMs: 20_000 });
    const row = engine.store.db.prepare("SELECT ts, flags FROM records WHERE raw = 'Reloading configuration (SIGHUP)'").get() as { ts: number; flags: number };
    expect(row.ts).toBe(T + 1799 * 1000);
    expect(row.flags & 16).toBe(16);
    expect(engine.store.db.prepare('SELECT detector, title FROM anomalies').all()).toEqual([]);
  });
});
