// The whole engine: a line appended to a watched file -> stored -> detection opens an
// anomaly -> the outbox -> a real receiver; the evidence is the line itself.
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

describe('engine -> notifications', () => {
  it('notifies n8n and the desktop about a fatal line written to a watched file', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const n8n = await startReceiver();
    cleanups.push(() => n8n.close());
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    writeFileSync(
      join(dir, 'vigil.yml'),
      `sources:\n  - { name: app, type: file, path: ${JSON.stringify(log)} }\n` +
        `channels:\n  - { name: flows, type: n8n, url: "${n8n.url}" }\n  - { name: desktop, type: toast }\n` +
        `notify: { groupWindow: 0 }\n`,
    );
    const toaster = new RecordingToaster();
    const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined, toaster });
    cleanups.push(() => engine.close());
    await waitFor(async () => ((await engine.handlers['sources.list']({})) as SourceView[])[0]?.status.state === 'watching', { what: 'source watching' });
    const line = '2026-11-21T10:00:00Z FATAL database corrupted on db-1';
    appendFileSync(log, `${line}\n`);
    await waitFor(() => n8n.requests.length === 1 && toaster.shown.length === 1, { what: 'n8n and toast' });
    expect(n8n.requests[0]!.json).toMatchObject({
      eventType: 'anomaly-detected',
      payload: { timestamp: '2026-11-21T10:00:00.000Z', severity: 'critical', details: { logDetails: line } },
    });
    expect(toaster.shown[0]).toMatchObject({ severity: 'critical', anomalyId: engine.notifications.history({})[0]!.anomalyId });
    expect(engine.notifications.tray()).toMatchObject({ worstSeverity: 'critical', count: 1 });
  });
});
