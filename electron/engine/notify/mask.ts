// Secrets are never shown in full: the UI gets masked configs, logs and stored errors get
// redacted text.
import type { AnyChannelConfig } from '../../../shared/types.js';
import { SECRET_PREFIX } from './secret-store.js';

/** Field paths of a channel config that may hold a secret; `headers.*` is every header value. */
export const SECRET_FIELDS = ['url', 'password', 'signing.secret', 'headers.*'] as const;

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
  while (segments.length > 1 && /^[a-z][a-z-]{0,20}$/i.test(segments[0]!)) path += `/${segments.shift()}`;
  const rest = segments.join('/');
  if (rest.length > 8) path += `/${rest.slice(0, 2)}…${rest.includes('/') ? '/…' : ''}${rest.slice(-4)}`;
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

/** Replaces every occurrence of the given secret values (and their URL-encoded forms) in text. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 6) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join(s.includes('://') ? maskUrl(s) : maskToken(s));
  }
  return out;
}
