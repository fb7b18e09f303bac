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
/** What may wait to go to one WebSocket client before it is taken for gone (see sendTo). */
const MAX_BUFFERED = 32 * 1024 * 1024;
/** Calls one WebSocket client may have in the engine at once (the UI has a few). */
const MAX_IN_FLIGHT = 32;
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
    // The UI's own scripts and styles are the same for everyone and hold no data: they load
    // without the token, so no cookie has to carry it (a cookie for 127.0.0.1 goes to every
    // port of it: any other local web server got the token).
    if (req.method === 'GET' && url.pathname.startsWith('/assets/')) return null;
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
      const name = decodePath(url.pathname.slice('/api/call/'.length));
      if (name === null) return send(res, 400, { ok: false, error: { code: 'invalid-request', message: 'the call name is not valid percent-encoding' } });
      let body: unknown;
      try {
        const text = await readBody(req);
        body = text.length ? JSON.parse(text) : {};
      } catch (err) {
        return send(res, err instanceof TooLarge ? 413 : 400, { ok: false, error: { code: 'invalid-request', message: `body: ${(err as Error).message}` } });
      }
      const out = await dispatch(opts.handlers, name, body);
      const status = out.ok ? 200 : out.error.code === 'unknown-call' ? 404 : out.error.code === 'invalid-request' ? 400 : 500;
      return send(res, status, out);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { ok: false, error: { code: 'invalid-request', message: 'method not allowed' } });
    // The page is opened with ?token=…, which its scripts send with each call and socket.
    await serveStatic(url.pathname, res);
  }

  async function serveStatic(pathname: string, res: ServerResponse): Promise<void> {
    const decoded = decodePath(pathname);
    if (decoded === null) return send(res, 400, { ok: false, error: { code: 'invalid-request', message: 'the path is not valid percent-encoding' } });
    const rel = pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
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
      inFlight.set(ws, 0);
      ws.on('close', () => {
        sockets.delete(ws);
        inFlight.delete(ws);
      });
      // A frame the protocol refuses (too big, unmasked, not UTF-8): that socket closes with
      // the code saying why; without a listener the error ended the process.
      ws.on('error', (err) => opts.log?.(`a WebSocket client was disconnected: ${err.message}`));
      ws.on('message', (data) => {
        void onMessage(ws, data.toString()).catch((err) => opts.log?.(`a WebSocket call failed: ${(err as Error).message}`));
      });
    });
  });

  /** Calls of each socket still being answered. */
  const inFlight = new Map<WebSocket, number>();

  /**
   * Sends a frame, unless the client reads too slowly: past MAX_BUFFERED waiting to go, the
   * socket is closed instead (the page reconnects and reloads what it shows). Dropping
   * frames left holes in a page's Live view with nothing to say so, and answers to calls it
   * did not read grew the server by gigabytes.
   */
  function sendTo(ws: WebSocket, frame: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount + frame.length > MAX_BUFFERED) {
      opts.log?.('a WebSocket client read too slowly and was disconnected (it reconnects and reloads)');
      ws.close(1013, 'reading too slowly; reconnect');
      setTimeout(() => ws.terminate(), 1000).unref();
      return;
    }
    ws.send(frame);
  }

  async function onMessage(ws: WebSocket, text: string): Promise<void> {
    let msg: { t?: string; id?: unknown; name?: unknown; req?: unknown } | null;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = null;
    }
    if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
      sendTo(ws, JSON.stringify({ t: 'res', id: null, ok: false, error: { code: 'invalid-request', message: 'not a JSON object' } }));
      return;
    }
    if (msg.t !== 'call') return;
    const busy = inFlight.get(ws) ?? 0;
    if (busy >= MAX_IN_FLIGHT) {
      sendTo(ws, JSON.stringify({ t: 'res', id: msg.id ?? null, ok: false, error: { code: 'failed', message: `${busy} calls of this page are still being answered; wait for them` } }));
      return;
    }
    inFlight.set(ws, busy + 1);
    let out: Awaited<ReturnType<typeof dispatch>>;
    try {
      out = await dispatch(opts.handlers, msg.name, msg.req);
    } finally {
      if (inFlight.has(ws)) inFlight.set(ws, (inFlight.get(ws) ?? 1) - 1);
    }
    if (ws.readyState !== ws.OPEN) return;
    let frame: string;
    try {
      frame = JSON.stringify({ t: 'res', id: msg.id, ...out });
    } catch (err) {
      // An answer too big to be one string (V8's limit): say so, instead of dying of it.
      frame = JSON.stringify({ t: 'res', id: msg.id, ok: false, error: { code: 'failed', message: `the answer could not be sent: ${(err as Error).message}` } });
    }
    sendTo(ws, frame);
  }

  const unsubs = EVENT_NAMES.map((event) =>
    opts.subscribe(event, (payload) => {
      if (!sockets.size) return;
      const frame = JSON.stringify({ t: 'event', event, payload });
      for (const ws of sockets) sendTo(ws, frame);
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

class TooLarge extends Error {}

/** decodeURIComponent, or null for text that is not percent-encoded UTF-8 (`%ZZ`, `%E0%A4%A`). */
function decodePath(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (size > MAX_BODY) return; // refused already: the rest is read and dropped
      size += c.length;
      if (size > MAX_BODY) {
        // Answered (413) once the request is read: destroying it reset the connection, and
        // the client never learned why.
        chunks.length = 0;
        reject(new TooLarge(`larger than ${MAX_BODY} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
