import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES, type EventName, type Events, type Handlers } from '../../shared/contract.js';
import { dispatch } from '../engine/dispatch.js';
import { CSP, hostAllowed, originAllowed, requestToken, tokensEqual } from './security.js';

export interface ServerOptions {
  handlers: Handlers;
  /** Subscribe to an engine event; returns the unsubscribe function. */
  subscribe<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void;
  host: string;
  port: number;
  token: string;
  /** The built UI (dist/renderer). */
  staticDir: string;
  /** Host names allowed besides IP literals and localhost. */
  allowHosts?: string[];
  log?: (msg: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 8 * 1024 * 1024;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The headless host: the same contract as the Electron IPC, over HTTP (POST /api/call/NAME)
 * and a WebSocket (/api/ws: calls and pushed events), and the same UI as static files.
 * Every request needs the run's token and a Host/Origin that is this machine.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  let port = opts.port;
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY });

  const guard = (req: IncomingMessage): { status: number; message: string } | null => {
    if (!hostAllowed(req.headers.host, port, opts.allowHosts)) return { status: 403, message: 'Host header not allowed' };
    if (!originAllowed(req.headers.origin, req.headers.host)) return { status: 403, message: 'Origin not allowed' };
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!tokensEqual(requestToken(req, url), opts.token)) return { status: 401, message: 'a valid token is required (use the URL Vigil printed)' };
    return null;
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err) => {
      opts.log?.(`request failed: ${(err as Error).message}`);
      if (!res.headersSent) send(res, 500, { ok: false, error: { code: 'failed', message: 'internal error' } });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    const denied = guard(req);
    if (denied) return send(res, denied.status, { ok: false, error: { code: 'unauthorized', message: denied.message } });
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/call/')) {
      if (req.method !== 'POST') return send(res, 405, { ok: false, error: { code: 'invalid-request', message: 'use POST' } });
      const name = decodeURIComponent(url.pathname.slice('/api/call/'.length));
      let body: unknown;
      try {
        const text = await readBody(req);
        body = text.length ? JSON.parse(text) : {};
      } catch (err) {
        return send(res, 400, { ok: false, error: { code: 'invalid-request', message: `body: ${(err as Error).message}` } });
      }
      const out = await dispatch(opts.handlers, name, body);
      const status = out.ok ? 200 : out.error.code === 'unknown-call' ? 404 : out.error.code === 'invalid-request' ? 400 : 500;
      return send(res, status, out);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { ok: false, error: { code: 'invalid-request', message: 'method not allowed' } });
    // The page is opened with ?token=…; a cookie lets its scripts and sockets authenticate.
    const q = url.searchParams.get('token');
    if (q) res.setHeader('Set-Cookie', `vigil_token=${encodeURIComponent(q)}; HttpOnly; SameSite=Strict; Path=/`);
    await serveStatic(url.pathname, res);
  }

  async function serveStatic(pathname: string, res: ServerResponse): Promise<void> {
    const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = normalize(join(opts.staticDir, rel));
    if (!file.startsWith(normalize(opts.staticDir) + sep)) return send(res, 404, { ok: false, error: { code: 'invalid-request', message: 'not found' } });
    let target = file;
    try {
      if (!(await stat(target)).isFile()) throw new Error('not a file');
    } catch {
      // Unknown paths get the app (client-side routes); assets must exist.
      if (rel.startsWith('assets/')) return send(res, 404, { ok: false, error: { code: 'invalid-request', message: 'not found' } });
      target = join(opts.staticDir, 'index.html');
    }
    let data: Buffer;
    try {
      data = await readFile(target);
    } catch {
      return send(res, 503, { ok: false, error: { code: 'failed', message: `the UI is not built (${opts.staticDir}); run npm run build` } });
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(target)] ?? 'application/octet-stream', 'Content-Security-Policy': CSP });
    res.end(data);
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const denied = url.pathname === '/api/ws' ? guard(req) : { status: 404, message: 'not found' };
    if (denied) {
      socket.end(`HTTP/1.1 ${denied.status} ${denied.status === 404 ? 'Not Found' : 'Forbidden'}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${denied.message}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => void onMessage(ws, data.toString()));
    });
  });

  async function onMessage(ws: WebSocket, text: string): Promise<void> {
    let msg: { t?: string; id?: unknown; name?: unknown; req?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      ws.send(JSON.stringify({ t: 'res', id: null, ok: false, error: { code: 'invalid-request', message: 'not JSON' } }));
      return;
    }
    if (msg.t !== 'call') return;
    const out = await dispatch(opts.handlers, msg.name, msg.req);
    if (ws.readyState !== ws.OPEN) return;
    let frame: string;
    try {
      frame = JSON.stringify({ t: 'res', id: msg.id, ...out });
    } catch (err) {
      // An answer too big to be one string (V8's limit): say so, instead of dying of it.
      frame = JSON.stringify({ t: 'res', id: msg.id, ok: false, error: { code: 'failed', message: `the answer could not be sent: ${(err as Error).message}` } });
    }
    ws.send(frame);
  }

  const unsubs = EVENT_NAMES.map((event) =>
    opts.subscribe(event, (payload) => {
      if (!sockets.size) return;
      const frame = JSON.stringify({ t: 'event', event, payload });
      for (const ws of sockets) if (ws.readyState === ws.OPEN && ws.bufferedAmount < 16 * 1024 * 1024) ws.send(frame);
    }),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as { port: number }).port;
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${shownHost}:${port}/?token=${encodeURIComponent(opts.token)}`,
    port,
    close: async () => {
      for (const u of unsubs) u();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  let text: string;
  try {
    text = JSON.stringify(body);
  } catch (err) {
    status = 500;
    text = JSON.stringify({ ok: false, error: { code: 'failed', message: `the answer could not be sent: ${(err as Error).message}` } });
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
