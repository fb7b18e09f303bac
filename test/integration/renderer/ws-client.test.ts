// The UI's WebSocket client (renderer/api/ws-client.ts) against a real `vigil serve`, as the
// browser page uses it: calls made while the server was down wait, and all go out and are
// answered when it is back.
import { createServer, type AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { wsApi } from '../../../renderer/api/ws-client.js';
import { startReceiver } from '../../support/http-receiver.js';
import { startServe, type ServeProcess } from '../../support/serve-process.js';
import { tempDir } from '../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}

it('40 calls made while the server was down (a minute of polls, test sends, a query): every one is answered once it is back, none refused', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const receiver = await startReceiver({ lifetimeMs: 60_000 });
  cleanups.push(() => receiver.close());
  receiver.reply(() => ({ status: 200, body: 'ok', delayMs: 300 }));
  writeFileSync(join(dir, 'vigil.yml'), `sources: []\nchannels:\n  - { name: hook, type: webhook, url: '${receiver.url}/hook' }\n`);
  const port = await freePort();
  const ups: boolean[] = [];
  const api = wsApi(`ws://127.0.0.1:${port}/api/ws?token=down-token`, (up) => ups.push(up));
  // Calls the server takes a while to answer (a test send to a slow receiver), so that many
  // are out at once, as the polls and reloads were after an outage.
  const calls = Array.from({ length: 40 }, (_, i) =>
    i === 39 ? api.call('query.run', { sql: 'SELECT 41 + 1 AS answer' }) : api.call('channels.test', { name: 'hook' }),
  );
  const settled = Promise.allSettled(calls);
  await new Promise((r) => setTimeout(r, 600)); // a few refused connections first
  expect(ups).not.toContain(true);
  const serve: ServeProcess = await startServe(['--data-dir', dir, '--port', String(port), '--token', 'down-token']);
  cleanups.push(() => serve.stop());
  const results = await settled;
  const refused = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
  expect(refused).toEqual([]);
  expect(JSON.stringify((results[39] as PromiseFulfilledResult<unknown>).value)).toContain('42');

});
