// A docker source pointed at something that is not a Docker engine says so in its status,
// briefly: not the other service's whole page, nor OpenSSL's internals.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../../electron/engine/engine.js';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { startVigil } from './harness.js';

const servers: Server[] = [];
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

async function serve(status: number, type: string, body: string): Promise<number> {
  const s = createServer((_req, res) => {
    res.writeHead(status, { 'Content-Type': type });
    res.end(body);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

async function statusOf(engine: Engine, name: string): Promise<{ state: string; message?: string | null }> {
  return (await engine.handlers['sources.list']({} as never)).find((v) => v.config.name === name)!.status;
}

describe('docker source: a host that is not a Docker engine', () => {
  it('another web service (JSON, an HTML page, 200 on every path, even a plain "OK") and a TLS host on a plain-HTTP port: each said in one short line', async () => {
    const page = `<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1>${'<p>lorem ipsum</p>'.repeat(200)}</body></html>`;
    const json = await serve(401, 'application/json', JSON.stringify({ ok: false, error: { code: 'unauthorized' } }));
    const html = await serve(404, 'text/html;charset=utf-8', page); // as python3 -m http.server answers
    const plain = await serve(200, 'text/plain', 'OK');
    const site = await serve(200, 'text/html', page); // a web app answering every path
    const api = await serve(200, 'application/json', '{"items":[]}');
    const ok = await serve(200, 'text/plain', 'OK'); // a health endpoint answering every path
    const t = tempDir();
    cleanups.push(t.cleanup);
    const engine = await startVigil(
      t.dir,
      [`json: tcp://127.0.0.1:${json}`, `html: tcp://127.0.0.1:${html}`, `plain: https://127.0.0.1:${plain}`, `site: tcp://127.0.0.1:${site}`, `api: tcp://127.0.0.1:${api}`, `ok: tcp://127.0.0.1:${ok}`]
        .map((l) => l.split(': '))
        .map(([name, host]) => `  - name: ${name}\n    type: docker\n    host: ${host}\n`)
        .join(''),
    );
    cleanups.push(() => engine.close());
    await waitFor(async () => (await Promise.all(['json', 'html', 'plain', 'site', 'api', 'ok'].map((n) => statusOf(engine, n)))).every((s) => s.state === 'error'), { what: 'six errors', timeoutMs: 15_000 });
    const msg = async (n: string) => (await statusOf(engine, n)).message ?? '';
    expect(await msg('json')).toMatch(/it answered HTTP 401, not as a Docker engine does: is this the Docker API's address\?/);
    expect(await msg('json')).not.toContain('[object Object]');
    expect(await msg('html')).toMatch(/it answered HTTP 404, not as a Docker engine does/);
    expect((await msg('html')).length).toBeLessThan(300);
    expect(await msg('html')).not.toContain('<');
    expect(await msg('html')).not.toContain('Buffer');
    expect(await msg('html')).toContain('404 Not Found');
    // Answering 200 on every path: its ping is not Docker's "OK".
    for (const n of ['site', 'api']) expect(await msg(n)).toMatch(/answered its ping with something other than a Docker engine's "OK"/);
    // Its ping is "OK" too: the engine's description is not a Docker engine's.
    expect(await msg('ok')).toMatch(/it answered \/info, but not as a Docker engine does \(no ServerVersion\): is this the Docker API's address\?/);
    expect(await msg('plain')).toMatch(/TLS failed: wrong version number: it does not speak TLS there/);
    expect(await msg('plain')).not.toMatch(/SSL routines|\.c:\d+/);
  });
});
