import type { IncidentReport } from '../../../shared/types.js';

// Redaction for a report that leaves the machine: addresses become numbered placeholders
// (the same address is the same placeholder all through one report, so "10 requests from
// <ip-1>" still reads), secrets become <secret>. Every pattern is linear: no nested
// quantifiers over the same characters, so a 1 MiB line costs a few scans.

// Zero-padded octets too (192.168.001.010, as some devices write them).
const OCTET = '(?:25[0-5]|2[0-4]\\d|[01]?\\d?\\d)';
/** Keys whose values are secrets: `password=x`, `"api_key": "x"`, `Authorization: x`. */
const SECRET_KEY = '(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|authorization|credentials?|session[_-]?id|cookie)';

const PATTERNS: { re: RegExp; kind: 'secret' | 'long' | 'email' | 'ip' | 'kv' | 'userinfo' | 'scheme' | 'after' | 'quoted'; needs?: string }[] = [
  // user:password@ in a URL (the user goes too: it is half of the credential).
  { re: /\b([a-z][a-z0-9+.-]{1,15}:\/\/)[^\s/:@]{1,256}:[^\s/@]{1,256}@/gi, kind: 'userinfo', needs: '://' },
  // Digest credentials are a list of fields (username="bob", response="…"): all of it.
  { re: /\b(Digest)(\s+)(?:[\w-]+=(?:"[^"\n]*"|[^\s,"]+)(?:,\s*)?)+/gi, kind: 'scheme' },
  // Authorization schemes with their credential.
  { re: /\b(Bearer|Basic|Token)(\s+)[A-Za-z0-9._~+/=-]{8,}/g, kind: 'scheme' },
  // A Cookie header is every cookie in it (a session id is one of many; `;` ends none of them).
  { re: /\b((?:Set-)?Cookie\s{0,8}:\s{0,8})[^\r\n]+/gi, kind: 'after' },
  // The same after an authorization key, in any case (`authorization: bearer x`, `AUTHORIZATION=BEARER X`).
  { re: /(authorization["']?\s{0,8}[=:]\s{0,8}["']?(?:bearer|basic|token|digest)\s{1,8})([^\s"'&,;}\]<>]+)/gi, kind: 'after' },
  // A quoted secret value, spaces and all: password="correct horse battery staple".
  { re: new RegExp(`(${SECRET_KEY}[\\w.-]{0,40}"?\\s{0,8}[=:]\\s{0,8}(["']))((?:(?!\\2)[^\\n\\\\]|\\\\.){1,512})\\2`, 'gi'), kind: 'quoted' },
  // In a template, a credential the miner cut into pieces: `Bearer <*>.eyJzdWIi….<*>`.
  { re: /\b(Bearer|Basic|Token)(\s+)(?=[^\s<]*<\*>)\S+/g, kind: 'scheme', needs: '<*>' },
  // JSON Web Tokens; and a piece of one (a template keeps the part every line shares): the
  // base64 of a JSON object starts eyJ.
  { re: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, kind: 'secret' },
  { re: /\beyJ[A-Za-z0-9_-]{8,}/g, kind: 'secret' },
  // Well-known token shapes: AWS access key ids, GitHub, Slack, GitLab, OpenAI-style keys.
  { re: /\b(?:(?:AKIA|ASIA)[A-Z0-9]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9_-]{20,})\b/g, kind: 'secret' },
  // key = value, key: value, "key": "value" where the key names a secret.
  // (Only the value is replaced, so the key's own prefix, `db_` of `db_password`, need not be matched.)
  { re: new RegExp(`(${SECRET_KEY}[\\w.-]{0,40}"?\\s{0,8}[=:]\\s{0,8}["']?)([^\\s"'&,;}\\]<>]+)`, 'gi'), kind: 'kv' },
  { re: /\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b/g, kind: 'email', needs: '@' },
  // Not a version's head (10.2.0.1-beta).
  { re: new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w-]|\\.\\d)`, 'g'), kind: 'ip', needs: '.' },
  // IPv6: a run of hex groups and colons, taken as an address when it has "::" or all eight groups
  // (so times like 10:00:01 and Java's Foo::bar are left alone: see isIpv6).
  { re: /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])/g, kind: 'ip', needs: ':' },
  // In a template, what is left of one around the miner's <*>: `<*>:db8::<*>` (checked in templateIpv6).
  { re: /(?:<\*>|\b[0-9A-Fa-f]{1,4})(?::{1,2}(?:[0-9A-Fa-f]{1,4}\b|<\*>)){1,7}:{0,2}/g, kind: 'ip', needs: '<*>' },
  // Long random-looking strings with upper and lower case and digits (base64 keys, session
  // ids). Not hex alone: hashes and trace ids are what a reader follows, not secrets.
  { re: /(?<![\w+/=-])[A-Za-z0-9+_-]{40,}={0,2}(?![\w+/=-])/g, kind: 'long' },
  // An AWS secret access key: 40 characters of base64, with its / and + (a path has dots,
  // dashes or a leading slash, and words: see the 'long' case).
  { re: /(?<![\w+/.-])[A-Za-z0-9][A-Za-z0-9+/]{39}(?![\w+/=.-])/g, kind: 'long' },
];

export interface RedactionCounts {
  ip: number;
  email: number;
  secret: number;
}

export class Redactor {
  private readonly ips = new Map<string, string>();
  private readonly emails = new Map<string, string>();
  secrets = 0;

  get counts(): RedactionCounts {
    return { ip: this.ips.size, email: this.emails.size, secret: this.secrets };
  }

  text(s: string): string {
    let out = s;
    for (const { re, kind, needs } of PATTERNS) {
      if (needs && !out.includes(needs)) continue;
      re.lastIndex = 0;
      out = out.replace(re, (m: string, a?: string, b?: string) => {
        switch (kind) {
          case 'userinfo':
            this.secrets++;
            return `${a}<secret>@`;
          case 'scheme':
            this.secrets++;
            return `${a}${b}<secret>`;
          case 'after':
            this.secrets++;
            return `${a}<secret>`;
          case 'quoted':
            if (b === undefined || /^<secret>$/.test(m.slice(a!.length, -1)) || aboutSecret(a!)) return m;
            this.secrets++;
            return `${a}<secret>${b}`;
          case 'kv':
            // `Authorization: Bearer <secret>`: the scheme pattern took the credential already.
            if (/^(bearer|basic|token|digest)$/i.test(b!) || b === '<secret>' || aboutSecret(a!)) return m;
            this.secrets++;
            return `${a}<secret>`;
          case 'email':
            return this.placeholder(this.emails, 'email', m);
          case 'ip':
            if (m.includes('<*>')) {
              if (!templateIpv6(m)) return m;
            } else if (m.includes(':') && !isIpv6(m)) return m;
            return this.placeholder(this.ips, 'ip', m);
          case 'long':
            if (!(/[a-z]/.test(m) && /[A-Z]/.test(m) && /\d/.test(m))) return m;
            this.secrets++;
            return '<secret>';
          default:
            this.secrets++;
            return '<secret>';
        }
      });
    }
    return out;
  }

  private placeholder(map: Map<string, string>, kind: string, value: string): string {
    const key = value.toLowerCase();
    let p = map.get(key);
    if (!p) map.set(key, (p = `<${kind}-${map.size + 1}>`));
    return p;
  }
}

/**
 * A key that names something about a secret, not the secret: tokens_used, token_type,
 * password_length, secret_name, expires_in (docs/reports.md keeps `tokens_used: 812`).
 */
function aboutSecret(keyPart: string): boolean {
  return (
    /[_.-](?:count|used|total|num|len|length|size|ttl|expires?|expiry|age|type|name|kind|changed|updated|created|at|in)["']?\s{0,8}[=:]/i.test(keyPart) ||
    /[a-z](?:Count|Used|Total|Length|Size|Ttl|Expires|ExpiresIn|ExpiresAt|Expiry|Type|Name|Kind)["']?\s{0,8}[=:]/.test(keyPart)
  );
}

function isIpv6(m: string): boolean {
  if (!/[0-9A-Fa-f]/.test(m)) return false;
  // A lone colon at either end belongs to what is around it (a template's `<*>:db8::<*>`,
  // `::ffff:` before an IPv4 address already replaced).
  if ((m.startsWith(':') && !m.startsWith('::')) || (m.endsWith(':') && !m.endsWith('::'))) return false;
  if (m.includes('::')) return m.split('::').length === 2 && m.split(/:+/).filter(Boolean).length >= 2;
  return m.split(':').length === 8;
}

/** A template's IPv6 address around its <*>: a "::" and a hex group of its own (`<*>:<*>:<*>` is a time). */
function templateIpv6(m: string): boolean {
  return m.includes('::') && m.split(/:+/).some((g) => /^[0-9A-Fa-f]{1,4}$/.test(g));
}

/** A copy of the report with every text a reader sees redacted (the same placeholders throughout). */
export function redactReport(r: IncidentReport): IncidentReport & { redactions: RedactionCounts } {
  const x = new Redactor();
  const t = (s: string) => x.text(s);
  const tn = (s: string | null | undefined) => (s == null ? s : x.text(s));
  // A title or message cut short (…) may end in half an address or key no pattern knows: the
  // cut word goes too.
  const cut = (s: string) => (s.endsWith('…') ? t(s).replace(/[^\s<>]*…$/, '…') : t(s));
  const out: IncidentReport = {
    ...r,
    anomaly: {
      ...r.anomaly,
      title: cut(r.anomaly.title),
      message: cut(r.anomaly.message),
      category: tn(r.anomaly.category) ?? r.anomaly.category,
      fingerprint: t(r.anomaly.fingerprint),
      ...(r.anomaly.fingerprints ? { fingerprints: r.anomaly.fingerprints.map(t) } : {}),
      details: deep(r.anomaly.details, t, x),
    },
    timeline: r.timeline.map((e) => ({ ...e, what: t(e.what) })),
    templates: r.templates.map((tp) => ({ ...tp, template: t(tp.template) })),
    lines: r.lines.map((l) => ({ ...l, raw: t(l.raw), message: t(l.message), template: tn(l.template) ?? null })),
    notifications: r.notifications.map((n) => ({ ...n, error: tn(n.error) ?? null })),
    redacted: true,
  };
  return { ...out, redactions: x.counts };
}

/** Details (an upstream alert's JSON): texts redacted, and the whole value of a key that names a secret. */
function deep(v: unknown, t: (s: string) => string, x: Redactor): unknown {
  if (typeof v === 'string') return t(v);
  if (Array.isArray(v)) return v.map((e) => deep(e, t, x));
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v).map(([k, e]) => {
        // A number or a flag under such a key (tokens_used: 812) is not a secret.
        if (SECRET_KEY_NAME.test(k) && ((typeof e === 'string' && e !== '') || (e !== null && typeof e === 'object' && Object.keys(e).length))) {
          x.secrets++;
          return [k, '<secret>'];
        }
        return [k, deep(e, t, x)];
      }),
    );
  }
  return v;
}

const SECRET_KEY_NAME = new RegExp(`^[\\w.-]{0,40}${SECRET_KEY}[\\w.-]{0,40}$`, 'i');
