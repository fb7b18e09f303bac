// A real HTTP receiver on 127.0.0.1 for notification tests: records every request and
// answers as the test scripts it (status, headers, delay). It closes itself after
// `lifetimeMs` so a failed test cannot leave it running.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** JSON.parse(body), or undefined when it is not JSON. */
  json: unknown;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (a slow receiver). */
  delayMs?: number;
}

export interface Receiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Replaces how the next requests are answered; `n` counts requests from 1. */
  reply(fn: (req: ReceivedRequest, n: number) => Reply): void;
  close(): Promise<void>;
}

export async function startReceiver(opts: { port?: number; lifetimeMs?: number; path?: string } = {}): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let answer: (req: ReceivedRequest, n: number) => Reply = () => ({ status: 200, body: 'ok' });
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const r: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json };
      requests.push(r);
      const a = answer(r, requests.length);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(a.status ?? 200, { 'content-type': 'text/plain', ...a.headers });
        res.end(a.body ?? '');
      };
      if (a.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t);
          send();
        }, a.delayMs);
        timers.add(t);
      } else send();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      clearTimeout(lifetime);
      for (const t of timers) clearTimeout(t);
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  const lifetime = setTimeout(() => void close(), opts.lifetimeMs ?? 60_000);
  lifetime.unref();
  return {
    url: `http://127.0.0.1:${port}${opts.path ?? '/hook'}`,
    port,
    requests,
    reply: (fn) => {
      answer = fn;
    },
    close,
  };
}
