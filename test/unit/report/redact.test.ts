import { describe, expect, it } from 'vitest';
import type { IncidentReport } from '../../../shared/types.js';
import { Redactor, redactReport } from '../../../electron/engine/report/redact.js';

const red = (s: string) => new Redactor().text(s);

describe('report redaction', () => {
  it('IPv4 and IPv6 addresses become numbered placeholders, the same address the same one', () => {
    const r = new Redactor();
    expect(r.text('from 10.0.0.5 to 10.0.0.6, again 10.0.0.5')).toBe('from <ip-1> to <ip-2>, again <ip-1>');
    expect(r.text('peer [2001:db8::ff00:42:8329]:443 and fe80::1')).toBe('peer [<ip-3>]:443 and <ip-4>');
    expect(r.text('full 2001:0db8:85a3:0000:0000:8a2e:0370:7334 and 10.0.0.6')).toBe('full <ip-5> and <ip-2>');
    expect(r.counts).toEqual({ ip: 5, email: 0, secret: 0 });
    // An IPv4-mapped prefix is not part of the address.
    const t = new Redactor();
    expect(t.text('from ::ffff:10.0.0.6 now')).toBe('from ::ffff:<ip-1> now');
    expect(t.counts.ip).toBe(1);
    // A template keeps what its lines share of an address around the miner's <*> (`db8` of
    // 2001:db8::1, 2001:db8::2): that part goes too. Times stay (`<*>:<*>:<*>`).
    expect(t.text('ipv6 <*>:db8::<*> and fe80::<*> at <*>:<*>:<*>, host <*>:<*>')).toBe('ipv6 <ip-2> and <ip-3> at <*>:<*>:<*>, host <*>:<*>');
  });

  it('leaves what only looks like an address: times, versions, Java and C++ names, hashes', () => {
    const keep = [
      '2026-11-22 10:00:01.123 INFO started',
      'at 10:00:01 and 23:59:59',
      'version 1.2.3 and 1.2.3.4.5',
      'std::vector<int> Foo::bar',
      'commit 3f786850e387550fdab836ed7e6dc881de23001b',
      'trace 4bf92f3577b34da6a3ce929d0e0e4736',
      'a/very/long/path/with/Mixed/Case/and/numbers/1234567890/file.log',
      'durations 1.5 2.25',
      'ver 10.2.0.1-beta',
    ];
    for (const s of keep) expect(red(s)).toBe(s);
  });

  it('zero-padded IPv4 addresses too', () => {
    expect(red('from 192.168.001.010 port 22')).toBe('from <ip-1> port 22');
  });

  it('e-mail addresses', () => {
    expect(red('mail to Ops.Team+alerts@example.co.uk failed')).toBe('mail to <email-1> failed');
  });

  it('secrets: key=value, JSON keys, Authorization, URL credentials, JWTs, well-known token shapes, long random strings', () => {
    expect(red('login user=bob password=hunter2 ok')).toBe('login user=bob password=<secret> ok');
    expect(red('{"db_password": "s3cr3t", "apiKey":"abc123"}')).toBe('{"db_password": "<secret>", "apiKey":"<secret>"}');
    expect(red('Authorization: Bearer abcdefghijklmnop')).toContain('Bearer <secret>');
    expect(red('GET https://bob:pa55@example.com/x')).toBe('GET https://<secret>@example.com/x');
    expect(red('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature-1')).toBe('token <secret>');
    // In a template the miner cut the token, keeping the part every line shares (its payload).
    expect(red('Authorization: Bearer <*>.eyJzdWIiOiIxIn0.<*> from <*>')).toBe('Authorization: Bearer <secret> from <*>');
    expect(red('jwt=<*> payload eyJzdWIiOiIxIn0 seen')).toBe('jwt=<*> payload <secret> seen');
    expect(red('key AKIAIOSFODNN7EXAMPLE used')).toBe('key <secret> used');
    expect(red('gh ghp_1234567890abcdefghijklmnopqrstuvwxyz12')).toBe('gh <secret>');
    expect(red('session 9fJ2kLm8QpR4sT6uVwX0yZ1aB3cD5eF7gH9iJ2kL4mN6 end')).toBe('session <secret> end');
    expect(red('cookie: sid=xyz')).toBe('cookie: <secret>');
    // Digest: every field of it; a Cookie header: every cookie in it.
    expect(red('Authorization: Digest username="bob", realm="x", response="6629fae49393a05397450978507c4ef1" next')).toBe('Authorization: Digest <secret> next');
    expect(red('Cookie: theme=dark; JSESSIONID=ABC123DEF456; connect.sid=s%3Aabc.def')).toBe('Cookie: <secret>');
    expect(red('authorization: digest username="bob", response="6629fae49393a05397450978507c4ef1"')).toBe('authorization: digest <secret>');
    // A key about a secret, not the secret: kept.
    expect(red('"tokens_used": 812, token_type=Bearer, password_length=12, tokensUsed: 9')).toBe('"tokens_used": 812, token_type=Bearer, password_length=12, tokensUsed: 9');
    expect(red('password_plain=hunter2 session_id=abc123')).toBe('password_plain=<secret> session_id=<secret>');
    // An AWS secret access key alone on its line, / and + in it.
    expect(red('aws configure set wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY done')).toBe('aws configure set <secret> done');
    expect(red('key=AbCd+efGh/1234567890abcdefghijKLMNOPqrst')).toBe('key=<secret>');
    // A path of the same length is a path.
    expect(red('read /srv/data/Reports2026/January/summary')).toBe('read /srv/data/Reports2026/January/summary');
  });

  it('an authorization scheme in any case, and a quoted secret with spaces in it, are redacted whole', () => {
    expect(red('authorization: bearer opaqueTokenValue123')).toBe('authorization: bearer <secret>');
    expect(red('AUTHORIZATION=BEARER QWERTY123456 next')).toBe('AUTHORIZATION=BEARER <secret> next');
    expect(red('password="correct horse battery staple" user=bob')).toBe('password="<secret>" user=bob');
    expect(red("api_key: 'k e y' ok")).toBe("api_key: '<secret>' ok");
    expect(red('{"token": "my token value", "n": 1}')).toBe('{"token": "<secret>", "n": 1}');
    expect(red('password="a \\" b" tail')).toBe('password="<secret>" tail');
    // Words that only look like a scheme are words.
    expect(red('token validation failed for basic auth')).toBe('token validation failed for basic auth');
  });

  it('a whole report: details under secret keys, the category and the fingerprints too; a title cut short loses its cut word', () => {
    const anomaly = {
      id: 5, title: 'New error in app: peer address 172.16.254.…', message: 'login failures for admin@corp.example from 203.0.113.77',
      category: 'security 203.0.113.77', fingerprint: 'alert/alerts/brute force admin@corp.example 203.0.113.77',
      fingerprints: ['alert/alerts/brute force admin@corp.example 203.0.113.77'],
      details: { name: 'brute force admin@corp.example', password: 'hunter2', nested: { token: 'abcd1234efgh' }, tokens_used: 812 },
    };
    const base = { generatedAt: 0, vigilVersion: '0', host: 'h', timeZone: 'UTC', source: { name: 'a', type: 'file', where: null }, timeline: [], rates: { bucketMs: 1000, points: [] }, templates: [], lines: [], evidenceStored: 0, notifications: [], redacted: false };
    const r = redactReport({ ...base, anomaly } as unknown as IncidentReport);
    const all = JSON.stringify(r);
    for (const leak of ['hunter2', 'abcd1234efgh', 'admin@corp.example', '203.0.113.77', '172.16.254']) expect(all).not.toContain(leak);
    expect(r.anomaly).toMatchObject({
      title: 'New error in app: peer address …',
      category: 'security <ip-1>',
      fingerprint: 'alert/alerts/brute force <email-1> <ip-1>',
      details: { name: 'brute force <email-1>', password: '<secret>', nested: { token: '<secret>' }, tokens_used: 812 },
    });
  });

  it('a long line is redacted whole, with nothing lost around the placeholders', () => {
    const chunk = 'x'.repeat(1000) + ' 10.1.1.1 ';
    const line = chunk.repeat(1024); // about 1 MiB
    const out = red(line);
    expect(out).toBe(('x'.repeat(1000) + ' <ip-1> ').repeat(1024));
    // A megabyte without any separator: none of the patterns backtracks over it.
    const flat = 'a1:'.repeat(350_000);
    expect(red(flat)).toBe(flat);
  });
});
