// Secrets are never shown in full: the UI gets masked configs, logs and stored errors get
// redacted text.
import type { AnyChannelConfig } from '../../../shared/types.js';
import { SECRET_PREFIX } from './secret-store.js';

/** Field paths of a channel config that may hold a secret; `headers.*` is every header value. */
export const SECRET_FIELDS = ['url', 'password', 'signing.secret', 'headers.*'] as const;

/**
 * A path word that names an endpoint (services, api, webhooks, webhook-test), not a token:
 * short, letters and hyphens. A longer run of letters (`productionalertsecret`) may be the
 * token itself.
 */
const ENDPOINT_WORD = /^[a-z][a-z-]{0,11}$/i;

/**
 * Keeps what identifies the receiver (scheme, host, the first path word) and hides the
 * token: https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXabcd ->
 * https://hooks.slack.com/services/T0…/…abcd. User info and query are hidden whole.
 */
export function maskUrl(value: string): string {
  if (value.startsWith(SECRET_PREFIX)) return value;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return maskToken(value);
  }
  const userinfo = u.username || u.password ? '…@' : '';
  const segments = u.pathname.split('/').filter(Boolean);
  let path = '';
  // Leading plain words (services, api, webhooks) name the endpoint, not the token.
  while (segments.length > 1 && ENDPOINT_WORD.test(segments[0]!)) path += `/${segments.shift()}`;
  const rest = segments.join('/');
  // Six characters of a short token would give too much of it away.
  if (rest.length >= 16) path += `/${rest.slice(0, 2)}…${rest.includes('/') ? '/…' : ''}${rest.slice(-4)}`;
  else if (rest) path += '/…';
  return `${u.protocol}//${userinfo}${u.host}${path}${u.search ? '?…' : ''}`;
}

/** A password or token: its last four characters when long enough to keep it secret. */
export function maskToken(value: string): string {
  if (value.startsWith(SECRET_PREFIX)) return value;
  return value.length >= 16 ? `…${value.slice(-4)}` : '••••';
}

/** A copy of the config with every secret-bearing field masked (references stay readable). */
export function maskChannel(config: AnyChannelConfig): AnyChannelConfig {
  const c = structuredClone(config) as AnyChannelConfig & Record<string, unknown>;
  if ('url' in c && typeof c.url === 'string') c.url = maskUrl(c.url);
  if ('password' in c && typeof c.password === 'string') c.password = maskToken(c.password);
  if (c.type === 'webhook' && c.signing) c.signing.secret = maskToken(c.signing.secret);
  if ((c.type === 'webhook' || c.type === 'n8n') && c.headers) {
    for (const k of Object.keys(c.headers)) c.headers[k] = maskToken(c.headers[k]!);
  }
  return c;
}

/** Secret-bearing fields as [path, value] pairs (headers as `headers.<name>`). */
export function secretValues(config: AnyChannelConfig): [string, string][] {
  const out: [string, string][] = [];
  if ('url' in config && typeof config.url === 'string') out.push(['url', config.url]);
  if (config.type === 'email' && config.password) out.push(['password', config.password]);
  if (config.type === 'webhook' && config.signing) out.push(['signing.secret', config.signing.secret]);
  if ((config.type === 'webhook' || config.type === 'n8n') && config.headers) {
    for (const [k, v] of Object.entries(config.headers)) out.push([`headers.${k}`, v]);
  }
  return out;
}

/**
 * Replaces every occurrence of the given secret values in text. A URL is also redacted by
 * its parts (token-like path segments, query values, password), since receivers echo paths
 * back in error bodies in forms other than the URL as configured.
 */
export function redact(text: string, secrets: string[]): string {
  const pieces = new Map<string, string>();
  for (const s of secrets) {
    if (s.length < 6) continue;
    const isUrl = /^https?:\/\//i.test(s);
    pieces.set(s, isUrl ? maskUrl(s) : maskToken(s));
    pieces.set(encodeURIComponent(s), isUrl ? maskUrl(s) : maskToken(s));
    if (!isUrl) continue;
    try {
      const u = new URL(s);
      if (u.password) pieces.set(u.password, '…');
      for (const seg of u.pathname.split('/')) if (seg.length >= 8 && !ENDPOINT_WORD.test(seg)) pieces.set(seg, '…');
      for (const v of u.searchParams.values()) if (v.length >= 6) pieces.set(v, '…');
    } catch {
      /* not a URL after all */
    }
  }
  let out = text;
  // Longest first, so a whole URL is replaced before its parts.
  for (const [secret, mask] of [...pieces].sort((a, b) => b[0].length - a[0].length)) out = out.split(secret).join(mask);
  return out;
}
