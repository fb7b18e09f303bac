// vigil.yml as the UI edits it: the user's file, its link and its comments stay theirs.
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigFile } from '../../../electron/engine/config/config-file.js';
import { tempDir, waitFor } from '../../support/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function dir(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

const SOURCES = `# mine
sources:
  # A log Vigil writes itself so you can see it work. Remove this source to stop it.
  - name: demo
    type: file
    path: /tmp/demo.log
  - name: app
    type: file
    path: /tmp/app.log
  # the nightly job
  - name: job
    type: file
    path: /tmp/job.log
`;

describe('config file: edits from the UI', () => {
  it('a vigil.yml that is a link (kept with dotfiles): the file it points to is rewritten, the link and its mode stay', async () => {
    const d = dir();
    mkdirSync(join(d, 'dot'));
    const real = join(d, 'dot', 'vigil.yml');
    writeFileSync(real, SOURCES);
    chmodSync(real, 0o644);
    const link = join(d, 'vigil.yml');
    symlinkSync(real, link);
    const cfg = new ConfigFile(link);
    await cfg.load();
    expect((await cfg.addSource({ name: 'web', type: 'file', path: '/tmp/web.log' } as never)).ok).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toContain('name: web');
    expect(statSync(real).mode & 0o777).toBe(0o644);
  });

  it('a file made by Vigil is the user’s alone (channels may hold tokens); a mode the user set is kept', async () => {
    const d = dir();
    const path = join(d, 'vigil.yml');
    const cfg = new ConfigFile(path);
    await cfg.load('sources: []\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    chmodSync(path, 0o664);
    await cfg.addSource({ name: 'web', type: 'file', path: '/tmp/web.log' } as never);
    expect(statSync(path).mode & 0o777).toBe(0o664);
  });

  it.runIf(process.getuid?.() === 0)('an edit on a full disk fails with the reason, and leaves vigil.yml as it was and no half-written copy beside it (root: a small tmpfs)', async () => {
    const d = join(dir(), 'full');
    mkdirSync(d);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', d]);
    try {
      const path = join(d, 'vigil.yml');
      const cfg = new ConfigFile(path);
      await cfg.load('sources: []\n');
      const before = readFileSync(path, 'utf8');
      try {
        writeFileSync(join(d, 'filler'), Buffer.alloc(2 * 1024 * 1024));
      } catch {
        // Filled to the last byte.
      }
      await expect(cfg.addSource({ name: 'web', type: 'file', path: '/tmp/web.log' } as never)).rejects.toThrow(/ENOSPC/);
      expect(readFileSync(path, 'utf8')).toBe(before);
      expect(readdirSync(d).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      await cfg.close();
    } finally {
      execFileSync('umount', ['-l', d]);
    }
  });

  it('removing the first source takes the comment above it along (it stayed, above the next source); the others keep theirs', async () => {
    const d = dir();
    const path = join(d, 'vigil.yml');
    writeFileSync(path, SOURCES);
    const cfg = new ConfigFile(path);
    await cfg.load();
    await cfg.removeSource('demo');
    let text = readFileSync(path, 'utf8');
    expect(text).not.toContain('Remove this source');
    expect(text).toContain('# mine');
    expect(text).toMatch(/# the nightly job\n\s+- name: job/);
    await cfg.removeSource('app');
    text = readFileSync(path, 'utf8');
    expect(text).toMatch(/# the nightly job\n\s+- name: job/);
    expect(cfg.config.sources.map((s) => s.name)).toEqual(['job']);
  });

  it('an edit from the app changes only its own lines: comments aligned and blank lines elsewhere stay as the user wrote them', async () => {
    const laidOut = `# Vigil config
store:
  maxSize: 1GiB       # keep it small


# my sources
sources:
  - name: app         # the API
    type: file
    path: /tmp/app.log


  - name: web         # nginx
    type: file
    path: /tmp/web.log
  - name: job         # the nightly job
    type: file
    path: /tmp/job.log
`;
    const path = join(dir(), 'vigil.yml');
    writeFileSync(path, laidOut);
    const cfg = new ConfigFile(path);
    await cfg.load();
    expect((await cfg.setSourceEnabled('web', false)).ok).toBe(true);
    const disabled = laidOut.replace('path: /tmp/web.log\n', 'path: /tmp/web.log\n    enabled: false\n');
    expect(readFileSync(path, 'utf8')).toBe(disabled);
    expect((await cfg.addSource({ name: 'db', type: 'file', path: '/tmp/db.log' } as never)).ok).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(`${disabled}  - name: db\n    type: file\n    path: /tmp/db.log\n`);
    expect((await cfg.removeSource('job')).ok).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(disabled.replace(/  - name: job[^]*$/, '') + '  - name: db\n    type: file\n    path: /tmp/db.log\n');
    expect(cfg.config.sources.map((s) => [s.name, s.enabled ?? true])).toEqual([['app', true], ['web', false], ['db', true]]);
  });

  it('one-line sources (flow maps), long or spaced their own way, stay one line each when another source is edited', async () => {
    const path = join(dir(), 'vigil.yml');
    const text =
      'sources:\n' +
      '  - { name: web, type: file, path: /tmp/some/rather/long/folder/web.log, start: beginning, format: generic }\n' +
      '  - {name: api, type: file, path: /tmp/api.log}\n' +
      '  - name: job\n    type: file\n    path: /tmp/job.log\n';
    writeFileSync(path, text);
    const cfg = new ConfigFile(path);
    await cfg.load();
    expect((await cfg.setSourceEnabled('job', false)).ok).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(text + '    enabled: false\n');
    // The one-line source next to the long one edited: the long one stays as it was.
    expect((await cfg.setSourceEnabled('api', false)).ok).toBe(true);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[1]).toBe(text.split('\n')[1]);
    expect(lines[2]).toMatch(/^  - \{ ?name: api, type: file, path: \/tmp\/api\.log, enabled: false ?\}$/);
    expect(lines.slice(3).join('\n')).toBe('  - name: job\n    type: file\n    path: /tmp/job.log\n    enabled: false\n');
  });

  it('a layout the edit cannot be laid over (a list at the key’s own indent) is written in the library’s layout, holding what was asked', async () => {
    const path = join(dir(), 'vigil.yml');
    writeFileSync(path, 'sources:\n- name: app     # the API\n  type: file\n  path: /tmp/app.log\n');
    const cfg = new ConfigFile(path);
    await cfg.load();
    expect((await cfg.setSourceEnabled('app', false)).ok).toBe(true);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('# the API');
    const reread = new ConfigFile(path);
    await reread.load();
    expect(reread.config.sources).toEqual([expect.objectContaining({ name: 'app', path: '/tmp/app.log', enabled: false })]);
  });

  it('a linked vigil.yml edited where it points (the dotfile) is taken in at once, as an edit of a plain file is', async () => {
    const d = dir();
    mkdirSync(join(d, 'dot'));
    const real = join(d, 'dot', 'vigil.yml');
    writeFileSync(real, SOURCES);
    const link = join(d, 'vigil.yml');
    symlinkSync('dot/vigil.yml', link); // relative, as dotfile managers make them
    const near = join(d, 'near.yml');
    writeFileSync(join(d, 'near.real.yml'), SOURCES);
    symlinkSync('near.real.yml', near); // and to a file beside it
    const nearSeen: string[][] = [];
    const nearCfg = new ConfigFile(near, { onDidChange: (c) => nearSeen.push(c.sources.map((s) => s.name)) });
    await nearCfg.load();
    nearCfg.watch();
    cleanups.push(() => void nearCfg.close());
    const seen: string[][] = [];
    const cfg = new ConfigFile(link, { onDidChange: (c) => seen.push(c.sources.map((s) => s.name)) });
    await cfg.load();
    cfg.watch();
    cleanups.push(() => void cfg.close());
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(real, SOURCES + '  - name: added\n    type: file\n    path: /tmp/added.log\n');
    await waitFor(() => seen.some((s) => s.includes('added')), { what: 'the edit taken in', timeoutMs: 5000 });
    expect(cfg.config.sources.map((s) => s.name)).toEqual(['demo', 'app', 'job', 'added']);
    writeFileSync(join(d, 'near.real.yml'), SOURCES + '  - name: beside\n    type: file\n    path: /tmp/beside.log\n');
    await waitFor(() => nearSeen.some((s) => s.includes('beside')), { what: 'the edit beside the link taken in', timeoutMs: 5000 });
  });

  it('a config an older Vigil ran, with a key this one refuses (a misspelt key it dropped): it still starts, with that key dropped, and the file is reported', async () => {
    const d = dir();
    const text = `sources:\n  - { name: app, type: file, path: /tmp/app.log }\nrules:\n  - name: pay\n    regex: FAILED\n    sevrity: critical\ndetecton:\n  enabled: false\nformats:\n  - { name: mine, kind: json, timestmp: { field: t } }\n`;
    writeFileSync(join(d, 'vigil.yml'), text);
    writeFileSync(join(d, 'last-good.yml'), text); // the copy the older Vigil kept when it ran it
    const invalid: string[][] = [];
    const cfg = new ConfigFile(join(d, 'vigil.yml'), { onInvalid: (errors) => invalid.push(errors.map((e) => e.key)) }, join(d, 'last-good.yml'));
    const config = await cfg.load();
    expect(config.sources.map((s) => s.name)).toEqual(['app']);
    expect(config.rules).toEqual([{ name: 'pay', regex: 'FAILED' }]);
    expect(invalid).toEqual([['rules.0', 'detecton']]);
    // Not so for the file itself: an edit with an unknown key is refused.
    expect(await cfg.setText(text)).toMatchObject({ ok: false });
  });
});

describe('config file: what a hand edit cannot do to the running engine', () => {
  it('101 sources merging one anchor (<<: *common) are a config like any other; a billion-laughs file is refused with a reason, and the config in force stays', async () => {
    const d = dir();
    const path = join(d, 'vigil.yml');
    const many = `x-common: &common\n  type: file\n  start: end\nsources:\n${Array.from({ length: 101 }, (_, i) => `  - <<: *common\n    name: s${i}\n    path: /tmp/l/s${i}.log\n`).join('')}`;
    writeFileSync(path, many);
    const invalid: string[][] = [];
    const cfg = new ConfigFile(path, { onInvalid: (e) => invalid.push(e.map((x) => `${x.key}: ${x.reason}`)) });
    expect((await cfg.load()).sources).toHaveLength(101);
    cfg.watch();
    cleanups.push(() => void cfg.close());
    const laughs = ['x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let k = 1; k < 9; k++) laughs.push(`x-${'abcdefghij'[k]}: &${'abcdefghij'[k]} [${Array(10).fill(`*${'abcdefghij'[k - 1]}`).join(', ')}]`);
    writeFileSync(path, `${laughs.join('\n')}\nsources: []\n`);
    await waitFor(() => invalid.length > 0, { what: 'the file refused', timeoutMs: 5000 });
    expect(invalid.at(-1)!.join('\n')).toMatch(/^\(yaml\): anchors \(&name, \*name, <<: \*name\) expand too far: .* \(at most 10000 uses\)$/);
    expect(cfg.config.sources).toHaveLength(101);
  });

  it('a file emptied while it runs (a save cut short, `> vigil.yml`) does not drop the sources in force; "sources: []" does', async () => {
    const d = dir();
    const path = join(d, 'vigil.yml');
    writeFileSync(path, SOURCES);
    const invalid: string[][] = [];
    const cfg = new ConfigFile(path, { onInvalid: (e) => invalid.push(e.map((x) => `${x.key}: ${x.reason}`)) });
    await cfg.load();
    cfg.watch();
    cleanups.push(() => void cfg.close());
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(path, '# nothing here yet\n\n');
    await waitFor(() => invalid.length > 0, { what: 'the empty file reported', timeoutMs: 5000 });
    expect(invalid.at(-1)).toEqual(['vigil.yml: is empty now (a save cut short?), so the config in force stays; to watch nothing, write "sources: []"']);
    expect(cfg.config.sources.map((s) => s.name)).toEqual(['demo', 'app', 'job']);
    writeFileSync(path, 'sources: []\n');
    await waitFor(() => cfg.config.sources.length === 0, { what: 'no sources, as written', timeoutMs: 5000 });
  });

  it('edits from the app at the same moment are all kept, in the file and in force, with no error', async () => {
    const d = dir();
    const path = join(d, 'vigil.yml');
    writeFileSync(path, SOURCES);
    const cfg = new ConfigFile(path);
    await cfg.load();
    cfg.watch();
    cleanups.push(() => void cfg.close());
    const src = (name: string) => ({ name, type: 'file', path: `/tmp/${name}.log` }) as never;
    const results = await Promise.all([cfg.addSource(src('a1')), cfg.addSource(src('a2')), cfg.setSourceEnabled('app', false), cfg.addSource(src('a3'))]);
    expect(results.map((r) => (r.ok ? 'ok' : r.errors.map((e) => e.reason).join()))).toEqual(['ok', 'ok', 'ok', 'ok']);
    const names = ['demo', 'app', 'job', 'a1', 'a2', 'a3'];
    expect(cfg.config.sources.map((s) => s.name)).toEqual(names);
    const onDisk = new ConfigFile(path);
    expect((await onDisk.load()).sources.map((s) => [s.name, s.enabled ?? true])).toEqual(names.map((n) => [n, n !== 'app']));
    expect(readFileSync(path, 'utf8')).toContain('# the nightly job');
  });

  it('a hand edit saved just after an edit from the app is taken in', async () => {
    const d = dir();
    const path = join(d, 'vigil.yml');
    writeFileSync(path, SOURCES);
    const changes: string[][] = [];
    const cfg = new ConfigFile(path, { onDidChange: (c) => changes.push(c.sources.map((s) => s.name)) });
    await cfg.load();
    cfg.watch();
    cleanups.push(() => void cfg.close());
    expect((await cfg.addSource({ name: 'fromApp', type: 'file', path: '/tmp/x.log' } as never)).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(path, readFileSync(path, 'utf8') + '  - name: byHand\n    type: file\n    path: /tmp/h.log\n');
    await waitFor(() => cfg.config.sources.some((s) => s.name === 'byHand'), { what: 'the hand edit in force', timeoutMs: 5000 });
    expect(cfg.config.sources.map((s) => s.name)).toEqual(['demo', 'app', 'job', 'fromApp', 'byHand']);
  });

  it('a hand edit saved while an edit from the app is being made is kept: the edit is made again on it', async () => {
    const d = dir();
    const path = join(d, 'vigil.yml');
    writeFileSync(path, SOURCES);
    const cfg = new ConfigFile(path);
    await cfg.load();
    let calls = 0;
    const r = await cfg.edit((doc) => {
      // The user saves the file while the app's edit is under way.
      if (calls++ === 0) writeFileSync(path, readFileSync(path, 'utf8') + 'rules:\n  - { name: byHand, regex: boom }\n');
      doc.setIn(['sources', 1, 'enabled'], false);
    });
    expect(r.ok).toBe(true);
    expect(calls).toBe(2);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('name: byHand');
    expect(cfg.config.rules?.map((x) => x.name)).toEqual(['byHand']);
    expect(cfg.config.sources[1]).toMatchObject({ name: 'app', enabled: false });
  });
});
