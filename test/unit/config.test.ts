import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../electron/engine/config/config-file.js';
import { defaultConfigText } from '../../electron/engine/config/default-config.js';

describe('config loader: vigil.yml', () => {
  it('accepts the documented shape and fills defaults', () => {
    const r = parseConfig('sources:\n  - name: app\n    type: file\n    path: /var/log/app/*.log\n    start: end\n');
    expect(r).toMatchObject({ ok: true, config: { sources: [{ name: 'app', type: 'file', path: '/var/log/app/*.log', start: 'end' }], channels: [], rules: [] } });
  });

  it('a source\'s maxLineBytes is bytes or a size, as the store\'s sizes are', () => {
    for (const v of ['2MiB', '512KiB', '1048576', '300']) {
      expect(parseConfig(`sources:\n  - name: app\n    type: file\n    path: /x\n    maxLineBytes: ${v}\n`).ok, v).toBe(true);
    }
  });

  it('accepts the default config it writes on first start', () => {
    const r = parseConfig(defaultConfigText('/home/u/.config/Vigil/demo/demo.log'));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.sources[0]).toMatchObject({ name: 'demo', type: 'file', start: 'beginning' });
  });

  it('the commented examples in the default config are valid once uncommented', () => {
    const text = defaultConfigText('/tmp/demo.log')
      .split('\n')
      .map((l) => l.replace(/^(\s*)# ?(\s*(?:- )?\w+:.*)$/, (_m, indent: string, rest: string) => (/^\s*Vigil/.test(rest) ? _m : indent + rest)))
      .join('\n')
      .replace(/^channels: \[\]$/m, 'channels:')
      .replace(/^rules: \[\]$/m, 'rules:');
    const r = parseConfig(text);
    expect(r.ok ? 'valid' : r.errors).toBe('valid');
    if (r.ok) {
      expect(r.config.sources.map((s) => s.type)).toEqual(['file', 'file', 'docker', 'journald', 'file']);
      expect(r.config.channels.length).toBe(2);
      expect(r.config.rules.length).toBe(1);
      expect(r.config.store).toEqual({ maxSize: '4GiB', keepFree: '2GiB', maxAge: '30d' });
    }
  });

  it('an empty file is an empty config', () => {
    expect(parseConfig('')).toMatchObject({ ok: true, config: { sources: [] } });
  });

  it('the default config with its demo source removed, as its comment says, has no sources (an empty `sources:` is no list)', () => {
    const lines = defaultConfigText('/tmp/demo.log').split('\n');
    const at = lines.findIndex((l) => l.includes('- name: demo'));
    const text = [...lines.slice(0, at - 1), ...lines.slice(at + 4)].join('\n');
    expect(text).toMatch(/^sources:\n  # - name: app/m);
    expect(parseConfig(text)).toMatchObject({ ok: true, config: { sources: [], channels: [], rules: [] } });
    expect(parseConfig('sources:\nchannels:\nrules:\n')).toMatchObject({ ok: true, config: { sources: [], channels: [], rules: [] } });
  });

  it.each([
    ['sources:\n  - name: a\n    type: file\n', 'sources.0.path'],
    ['sources:\n  - name: a\n    type: ftp\n    path: /x\n', 'sources.0.type'],
    ['sources:\n  - name: j\n    type: journald\n    units: ["nginx service"]\n', 'sources.0.units.0'],
    ['sources:\n  - name: j\n    type: journald\n    identifiers: ["SYSLOG_IDENTIFIER=sshd"]\n', 'sources.0.identifiers.0'],
    ['sources:\n  - name: a\n    type: file\n    path: /x\n    start: middle\n', 'sources.0.start'],
    ['sources:\n  - name: a\n    type: file\n    path: /x\n    maxLineBytes: 10\n', 'sources.0.maxLineBytes'],
    ['sources:\n  - name: a\n    type: file\n    path: /x\n    maxLineBytes: 1GiB\n', 'sources.0.maxLineBytes'],
    ['sources:\n  - name: a\n    type: file\n    path: /x\n    maxLineBytes: 10%\n', 'sources.0.maxLineBytes'],
    ['sources:\n  - name: a\n    type: file\n    path: /x\n    maxLineBytes: 1000.5\n', 'sources.0.maxLineBytes'],
    ['sources:\n  - name: a\n    type: file\n    path: /x\n    multiline: { start: "(" }\n', 'sources.0.multiline.start'],
    ['sources:\n  - name: a\n    type: file\n    path: /x\n    colour: red\n', 'sources.0'],
    ['sources: {}\n', 'sources'],
    ['channels:\n  - name: c\n    type: pager\n', 'channels.0.type'],
    ['channels:\n  - name: c\n    type: slack\n    url: not a url\n', 'channels.0.url'],
    ['store:\n  maxSize: lots\n', 'store.maxSize'],
    ['store:\n  keepFree: 150%\n', 'store.keepFree'],
    ['store:\n  maxSize: -1\n', 'store.maxSize'],
    ['store:\n  maxSize: 0\n', 'store.maxSize'],
    ['store:\n  maxSize: 0%\n', 'store.maxSize'],
    ['store:\n  maxSize: 100KiB\n', 'store.maxSize'],
    ['store:\n  maxAge: forever\n', 'store.maxAge'],
    ['store:\n  maxsize: 1G\n', 'store'],
    // Misspelt keys were dropped silently: the rule fired as medium, on every source; detection stayed on.
    ['rules:\n  - name: p\n    regex: FAILED\n    sevrity: critical\n', 'rules.0'],
    ['detecton:\n  enabled: false\n', 'detecton'],
    ['format:\n  - { name: x, kind: json }\n', 'format'],
  ])('refuses %j naming the key %s', (text, key) => {
    const r = parseConfig(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.key)).toContain(key);
  });

  it('refuses a multi-line start that would backtrack exponentially, saying why; accepts the usual ones', () => {
    const r = parseConfig('sources:\n  - name: a\n    type: file\n    path: /x\n    multiline: { start: "^(\\\\d+\\\\s?)*$" }\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([expect.objectContaining({ key: 'sources.0.multiline.start', reason: expect.stringMatching(/could backtrack catastrophically/) })]);
    const bad = parseConfig('sources:\n  - name: a\n    type: file\n    path: /x\n    multiline: { start: "(" }\n');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]!.reason).toMatch(/is not a valid regular expression \(/);
    expect(parseConfig('sources:\n  - name: a\n    type: file\n    path: /x\n    multiline: { start: "^\\\\d{4}-\\\\d{2}-\\\\d{2}\\\\s+.*" }\n').ok).toBe(true);
  });

  it('says what a misspelt key is, and leaves x- keys free (YAML anchors)', () => {
    const r = parseConfig('detecton:\n  enabled: false\n');
    expect(r).toMatchObject({ ok: false, errors: [{ key: 'detecton', reason: expect.stringMatching(/^is not a key of vigil.yml \(the keys are sources, channels, rules, notify, detection, formats, store/) }] });
    const rule = parseConfig('rules:\n  - name: p\n    regex: FAILED\n    sevrity: critical\n');
    expect(rule).toMatchObject({ ok: false, errors: [{ key: 'rules.0', reason: expect.stringMatching(/sevrity/) }] });
    expect(parseConfig('x-hook: &hook { type: webhook, url: "http://127.0.0.1:9/x" }\nchannels:\n  - { name: a, <<: *hook }\n').ok).toBe(true);
    // A rule naming a source not in the config is accepted (said in the log): refused, a
    // source removed from the UI left a config Vigil would not start with.
    expect(parseConfig('sources:\n  - { name: payments, type: file, path: /x }\nrules:\n  - { name: p, regex: x, sources: [alpha] }\n').ok).toBe(true);
  });

  it('refuses YAML syntax errors with the line', () => {
    const r = parseConfig('sources:\n  - name: a\n   type: [file\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.key).toMatch(/yaml line \d+/);
  });

  it('refuses a top level that is not a mapping', () => {
    expect(parseConfig('- a\n- b\n')).toMatchObject({ ok: false, errors: [{ key: '(root)' }] });
  });

  it('refuses duplicate keys rather than silently taking the last', () => {
    expect(parseConfig('sources: []\nsources: []\n').ok).toBe(false);
  });
});

describe('channel settings that could only fail at delivery are refused with their key', () => {
  const channel = (extra: string) => parseConfig(`channels:\n  - name: hook\n    type: webhook\n    url: http://127.0.0.1:9/x\n${extra}`);
  it('a header value HTTP cannot carry (not Latin-1): refused; Latin-1 and secret references pass', () => {
    expect(channel('    headers: { X-Team: 東京 }\n')).toMatchObject({ ok: false, errors: [{ key: 'channels.0.headers.X-Team', reason: expect.stringMatching(/Latin-1/) }] });
    expect(channel('    headers: { X-Team: Zürich }\n').ok).toBe(true);
    expect(channel('    headers: { X-Token: "secret:東京 token" }\n').ok).toBe(true);
  });

  it('a request timeout of 0 or past 10 minutes (25d overflowed the timer: every request "timed out" at once)', () => {
    for (const t of ['0', '25d', '11m', '50ms']) expect(channel(`    timeout: ${t}\n`)).toMatchObject({ ok: false, errors: [{ key: 'channels.0.timeout' }] });
    for (const t of ['100ms', '15s', '10m']) expect(channel(`    timeout: ${t}\n`).ok).toBe(true);
    expect(parseConfig('notify:\n  timeout: 25d\n')).toMatchObject({ ok: false, errors: [{ key: 'notify.timeout' }] });
  });
});
