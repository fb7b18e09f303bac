// Secret-bearing fields of a channel: filling them in for sending, keeping them when the UI
// sends back masked values, and moving clear ones into the secret store.
import type { AnyChannelConfig } from '../../../shared/types.js';
import { maskToken, maskUrl, secretValues } from './mask.js';
import { SECRET_PREFIX, type SecretStore } from './secret-store.js';

function setField(config: AnyChannelConfig, path: string, value: string): void {
  const c = config as unknown as Record<string, Record<string, string>>;
  if (path === 'url' || path === 'password') (config as unknown as Record<string, string>)[path] = value;
  else if (path === 'signing.secret') c.signing!.secret = value;
  else if (path.startsWith('headers.')) c.headers![path.slice('headers.'.length)] = value;
}

function masked(path: string, value: string): string {
  return path === 'url' ? maskUrl(value) : maskToken(value);
}

/** A copy with every `secret:NAME` replaced by the stored value. Throws SecretError. */
export function resolveSecrets(config: AnyChannelConfig, store: SecretStore): AnyChannelConfig {
  const out = structuredClone(config);
  for (const [path, value] of secretValues(config)) if (value.startsWith(SECRET_PREFIX)) setField(out, path, store.resolve(value));
  return out;
}

/**
 * The UI edits what channels.list gave it, secrets masked. A field that comes back equal to
 * the mask of the stored value (or of the value a secret:NAME holds) keeps the stored value.
 */
export function keepMaskedSecrets(incoming: AnyChannelConfig, existing: AnyChannelConfig | undefined, store: SecretStore): AnyChannelConfig {
  if (!existing || existing.type !== incoming.type) return incoming;
  const out = structuredClone(incoming);
  const old = new Map(secretValues(existing));
  for (const [path, value] of secretValues(incoming)) {
    const prior = old.get(path);
    if (prior === undefined) continue;
    let clear = prior;
    try {
      clear = store.resolve(prior);
    } catch {
      /* a missing secret: compare with the reference itself */
    }
    if (value === masked(path, prior) || value === masked(path, clear)) setField(out, path, prior);
  }
  return out;
}

/**
 * Stores clear secret fields as `<channel>.<field>` and returns the config referring to them,
 * with `undo`, which puts back what the store held under those names (for an edit refused).
 */
export function storeSecrets(config: AnyChannelConfig, store: SecretStore): { config: AnyChannelConfig; undo(): void } {
  const out = structuredClone(config);
  const before: [string, string | null][] = [];
  for (const [path, value] of secretValues(config)) {
    if (value.startsWith(SECRET_PREFIX) || !value) continue;
    const name = secretName(config.name, path);
    before.push([name, store.has(name) ? store.get(name) : null]);
    store.set(name, value);
    setField(out, path, `${SECRET_PREFIX}${name}`);
  }
  return {
    config: out,
    undo: () => {
      for (const [name, value] of before.reverse()) {
        if (value === null) store.remove(name);
        else store.set(name, value);
      }
    },
  };
}

/** Secret names allow letters (any script), digits, space, dot, dash and underscore, as channel names do. */
export function secretName(channel: string, path: string): string {
  return `${channel}.${path}`.replace(/[^\p{L}\p{M}\p{N}_ .-]/gu, '_');
}

/** Secrets this module stored for a channel (`<channel>.<field>`), for removal with it. */
export function ownSecretNames(config: AnyChannelConfig): string[] {
  return secretValues(config)
    .filter(([path, v]) => v === `${SECRET_PREFIX}${secretName(config.name, path)}`)
    .map(([, v]) => v.slice(SECRET_PREFIX.length));
}
