import { timingSafeEqual, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokensEqual(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A local port is reachable by every web page the user opens, and DNS rebinding lets a
 * page reach it under its own host name. So the Host header must name this machine by an
 * IP literal or "localhost" (or a name the user allowed), with our port.
 */
export function hostAllowed(hostHeader: string | undefined, port: number, extraHosts: string[] = []): boolean {
  if (!hostHeader) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.trim().toLowerCase());
  if (!m) return false;
  const host = m[1]!.replace(/^\[|\]$/g, '');
  // A name the user allowed may come through a reverse proxy, on its port or none (443).
  if (extraHosts.map((h) => h.toLowerCase()).includes(host)) return true;
  const p = m[2] ? Number(m[2]) : 80;
  if (p !== port) return false;
  return host === 'localhost' || isIP(host) !== 0;
}

/** A browser sends Origin on cross-origin requests and on WebSocket upgrades: it must be us. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true; // not a browser cross-origin request (curl, the CLI)
  if (!hostHeader) return false;
  // https: behind a TLS proxy, the page's origin is https://, the Host the same.
  const o = origin.toLowerCase();
  const h = hostHeader.toLowerCase();
  return o === `http://${h}` || o === `https://${h}`;
}

export function requestToken(req: IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return url.searchParams.get('token');
}

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
