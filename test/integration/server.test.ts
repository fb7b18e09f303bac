import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { startServer, type RunningServer } from '../../electron/server/server.js';
import { tempDir } from '../support/tmp.js';

const TOKEN = 'test-token-0123456789';
let engine: Engine;
let server: RunningServer;
let cleanup: () => void;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  writeFileSync(join(t.dir, 'vigil.yml'), 'sources: []\n');
  const ui = join(t.dir, 'ui');
  mkdirSync(join(ui, 'assets'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Vigil</title>');
  writeFileSync(join(ui, 'assets', 'app.js'), 'console.log(1)');
  engine = await Engine.start({ dataDir: t.dir, host: 'server', log: () => undefined });
  server = await startServer({ handlers: engine.handlers, subscribe: (e, cb) => engine.on(e, cb), host: '127.0.0.1', port: 0, token: TOKEN, staticDir: ui });
});
afterAll(async () => {
  await server.close();
  await engine.close();
  cleanup();
});

function http(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const call = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  http(`/api/call/${name}`, { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers } });

describe('server: the contract over HTTP with token, Host and Origin checks', () => {
  it('prints a URL with the token on 127.0.0.1', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
  });

  it('answers a call with the right token', async () => {
    const r = await call('app.info', {});
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, res: { host: 'server' } });
  });

  it('refuses a call without a token, or with a wrong one', async () => {
    expect((await http('/api/call/app.info', { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await call('app.info', {}, { authorization: 'Bearer wrong-token-xxxxxxxx' })).status).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const r = await call('app.info', {}, { host: `evil.example:${server.port}` });
    expect(r.status).toBe(403);
    expect(r.body).toContain('Host');
    expect((await call('app.info', {}, { host: `localhost:${server.port}` })).status).toBe(200);
    expect((await call('app.info', {}, { host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
  });

  it('refuses a cross-site Origin even with the token', async () => {
    const r = await call('app.info', {}, { origin: 'http://evil.example' });
    expect(r.status).toBe(403);
    expect((await call('app.info', {}, { origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
  });

  it('refuses invalid payloads and unknown calls with a clear message', async () => {
    const bad = await call('sources.add', { name: 'x', type: 'file' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toMatch(/path/);
    expect((await call('fs.read', {})).status).toBe(404);
    const notJson = await http('/api/call/app.info', { method: 'POST', body: '{nope', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(notJson.status).toBe(400);
  });

  it('serves the page only with the token, its scripts to anyone this machine (they hold no data); no cookie carries the token', async () => {
    expect((await http('/')).status).toBe(401);
    const page = await http(`/?token=${TOKEN}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    // A cookie for 127.0.0.1 goes to every port of it: another local server would get the token.
    expect(page.headers['set-cookie']).toBeUndefined();
    expect((await http('/assets/app.js')).status).toBe(200);
    expect((await http('/assets/app.js', { headers: { host: `evil.example:${server.port}` } })).status).toBe(403);
    expect((await http('/api/call/app.info', { method: 'POST', body: '{}', headers: { cookie: `vigil_token=${TOKEN}` } })).status).toBe(401);
    const escape = await http('/assets/../../etc/passwd');
    expect(escape.body).not.toContain('root:');
  });

  it('WebSocket: refuses a foreign Origin, answers calls and pushes events with the token', async () => {
    const url = `ws://127.0.0.1:${server.port}/api/ws?token=${TOKEN}`;
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(url, { origin: 'http://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('error'));
    });
    expect(refused).toBe('403');
    const noToken = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws`);
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('open', () => resolve('open'));
    });
    expect(noToken).toBe('401');

    const ws = new WebSocket(url, { origin: `http://127.0.0.1:${server.port}` });
    await new Promise((r) => ws.once('open', r));
    const frames: { t: string; id?: number; ok?: boolean; event?: string; res?: unknown; error?: { code: string } }[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    ws.send(JSON.stringify({ t: 'call', id: 1, name: 'sources.list', req: {} }));
    ws.send(JSON.stringify({ t: 'call', id: 2, name: 'sources.remove', req: { name: 42 } }));
    const until = Date.now() + 5000;
    while (frames.filter((f) => f.t === 'res').length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(frames.find((f) => f.id === 1)).toMatchObject({ ok: true, res: [] });
    expect(frames.find((f) => f.id === 2)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    engine.events.emit('sources.changed', []);
    // Other events may come first (the outbox's totals): the one emitted here must come too.
    const pushed = () => frames.find((f) => f.t === 'event' && f.event === 'sources.changed');
    while (!pushed() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(pushed()).toMatchObject({ t: 'event', event: 'sources.changed' });
    ws.close();
  });

  it('hostile WebSocket input closes that socket at most, never the server: null, a frame too big, an unmasked frame; a flood of calls is bounded', async () => {
    const url = `ws://127.0.0.1:${server.port}/api/ws?token=${TOKEN}`;
    const open = async () => {
      const ws = new WebSocket(url, { origin: `http://127.0.0.1:${server.port}` });
      ws.on('error', () => undefined);
      await new Promise((r) => ws.once('open', r));
      return ws;
    };
    // The next answer: events (the engine's, pushed whenever they happen) may come before it.
    const next = (ws: WebSocket) =>
      new Promise<{ t: string; ok?: boolean; error?: { message: string } }>((r) => {
        const on = (d: unknown) => {
          const m = JSON.parse(String(d)) as { t: string };
          if (m.t === 'event') return;
          ws.off('message', on);
          r(m);
        };
        ws.on('message', on);
      });
    const a = await open();
    const answer = next(a);
    a.send('null');
    expect(await answer).toMatchObject({ t: 'res', ok: false, error: { message: 'not a JSON object' } });
    // A 9 MB message: past maxPayload, that socket is closed with 1009.
    const closed = new Promise<number>((r) => a.once('close', (code) => r(code)));
    a.send(JSON.stringify({ t: 'call', id: 1, name: 'config.set', req: { text: 'x'.repeat(9 * 1024 * 1024) } }));
    expect(await closed).toBe(1009);
    // An unmasked frame (a client must mask), written raw on the socket.
    const b = await open();
    const closedB = new Promise<number>((r) => b.once('close', (code) => r(code)));
    (b as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    expect(await closedB).toBe(1002);
    // 100 calls at once from one page: 32 answered, the others refused at once, saying why.
    const c = await open();
    const frames: { ok?: boolean; error?: { message: string } }[] = [];
    c.on('message', (d) => {
      const f = JSON.parse(String(d));
      if (f.t === 'res') frames.push(f);
    });
    for (let i = 0; i < 100; i++) c.send(JSON.stringify({ t: 'call', id: i, name: 'events.tail', req: { limit: 10 } }));
    const until = Date.now() + 10_000;
    while (frames.length < 100 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(frames.filter((f) => f.ok).length).toBeGreaterThanOrEqual(32);
    expect(frames.filter((f) => !f.ok).every((f) => /calls of this page are still being answered/.test(f.error!.message))).toBe(true);
    c.close();
    // Still serving.
    expect((await call('app.info', {})).status).toBe(200);
  });

  it('HTTP: a body too big is answered 413, a malformed percent-encoding 400', async () => {
    const big = await call('app.info', { pad: 'x'.repeat(9 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect(big.body).toContain('larger than');
    const bad = await http(`/%E0%A4%A?token=${TOKEN}`);
    expect(bad.status).toBe(400);
    const badCall = await http('/api/call/%ZZ', { method: 'POST', body: '{}', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(badCall.status).toBe(400);
  });
});
