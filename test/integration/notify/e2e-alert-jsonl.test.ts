// End to end: a line appended to a watched alert-jsonl file becomes an anomaly (decode +
// detection) and reaches an n8n receiver as the seed envelope, within a second.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine.js';
import type { SourceView } from '../../../shared/types.js';
import { startReceiver } from '../../support/http-receiver.js';
import { RecordingToaster } from '../../support/notify-harness.js';
import { tempDir, waitFor } from '../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('alert-jsonl line -> n8n', () => {
  it('delivers the exact envelope within 1 s of the line being written', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const n8n = await startReceiver();
    cleanups.push(() => n8n.close());
    const log = join(dir, 'alerts.log');
    writeFileSync(log, '');
    writeFileSync(
      join(dir, 'vigil.yml'),
      `sources:\n  - { name: alerts, type: file, path: ${JSON.stringify(log)}, format: alert-jsonl }\n` +
        // The default notify settings (group window 30 s): n8n still hears at once.
        `channels:\n  - { name: flows, type: n8n, url: "${n8n.url}" }\n`,
    );
    const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined, toaster: new RecordingToaster() });
    cleanups.push(() => engine.close());
    // The source watches the (empty) file before the line is written.
    await waitFor(async () => ((await engine.handlers['sources.list']({})) as SourceView[])[0]?.status.state === 'watching', { what: 'source watching' });

    const line = JSON.stringify({
      timestamp: '2026-11-21T10:00:00Z',
      type: 'anomaly',
      severity: 'high',
      message: 'error rate 12x baseline',
      details: { category: 'payments', rate: 12 },
    });
    const writtenAt = Date.now();
    appendFileSync(log, `${line}\n`);
    await waitFor(() => n8n.requests.length === 1, { what: 'n8n envelope within 1 s', timeoutMs: 1000, intervalMs: 10 });
    const latencyMs = Date.now() - writtenAt;
    console.log(`alert-jsonl line -> n8n receiver: ${latencyMs} ms`);

    const body = n8n.requests[0]!.json as { timestamp: string };
    expect(body).toEqual({
      eventType: 'anomaly-detected',
      payload: {
        timestamp: '2026-11-21T10:00:00.000Z',
        anomaly: 'log_anomaly_detected',
        severity: 'high',
        source: 'log_monitor',
        details: {
          logType: 'alerts/payments',
          message: 'error rate 12x baseline',
          logDetails: line,
          detectionSource: 'log_file_monitoring',
        },
      },
      headers: { 'x-event-type': 'log-anomaly', 'x-source': 'log-monitor' },
      timestamp: body.timestamp,
    });
    expect(n8n.requests[0]!.headers).toMatchObject({ 'x-event-type': 'log-anomaly', 'x-source': 'log-monitor' });

    // A line that names its own log type: that comes first (detection keeps the line's
    // details under the detector's name; the envelope read only the top level).
    appendFileSync(log, JSON.stringify({ timestamp: '2026-11-21T10:05:00Z', type: 'anomaly', severity: 'high', message: 'card declines 40%', details: { logType: 'payments/alert' } }) + '\n');
    await waitFor(() => n8n.requests.length === 2, { what: 'the second envelope' });
    expect((n8n.requests[1]!.json as { payload: { details: { logType: string; message: string } } }).payload.details).toMatchObject({ logType: 'payments/alert', message: 'card declines 40%' });
  });
});
