import { appendFileSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { tempDir, waitFor } from '../support/tmp.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startEngine(dir: string, configText: string) {
  writeFileSync(join(dir, 'vigil.yml'), configText);
  const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
  return engine;
}

function lines(engine: Engine, source: string): string[] {
  return (engine.store.db.prepare('SELECT raw FROM events WHERE source = ? ORDER BY id').pluck().all(source) as string[]);
}

describe('engine: source -> store -> UI', () => {
  it('a relative path in the config is read from the config file\'s folder, not the working folder', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'app.log'), '');
    expect(process.cwd()).not.toBe(dir);
    const engine = await startEngine(dir, 'sources:\n  - { name: app, type: file, path: logs/app.log, start: beginning }\n');
    cleanups.push(() => engine.close());
    expect(engine.handlers['sources.list']({} as never)).toMatchObject([{ config: { path: join(dir, 'logs', 'app.log') } }]);
    appendFileSync(join(dir, 'logs', 'app.log'), '2026-11-21T10:00:00Z INFO relative\n');
    await waitFor(() => lines(engine, 'app').length === 1, { what: 'the line of the relative path' });
    expect(lines(engine, 'app')).toEqual(['2026-11-21T10:00:00Z INFO relative']);
  });

  it('stores appended lines, emits them to the UI, and keeps them across a restart', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    writeFileSync(log, 'old line before the source existed\n');
    const cfg = `sources:\n  - name: app\n    type: file\n    path: ${log}\n`;
    let engine = await startEngine(dir, cfg);
    const seen: string[] = [];
    engine.on('events.appended', (evs) => seen.push(...evs.map((e) => e.raw)));
    appendFileSync(log, '2026-11-21T10:00:00Z INFO first\n2026-11-21T10:00:01Z ERROR second\n');
    await waitFor(() => lines(engine, 'app').length === 2, { what: 'two lines stored' });
    // start: end (the default) skips what was there before the source existed.
    expect(lines(engine, 'app')).toEqual(['2026-11-21T10:00:00Z INFO first', '2026-11-21T10:00:01Z ERROR second']);
    await waitFor(() => seen.length === 2, { what: 'UI event' });
    const row = engine.store.db.prepare("SELECT * FROM events WHERE raw LIKE '%second'").get() as Record<string, unknown>;
    expect(row).toMatchObject({ source: 'app', path: log, level: 'error', ts: Date.parse('2026-11-21T10:00:01Z') });
    await engine.close();

    appendFileSync(log, 'written while Vigil was stopped\n');
    engine = await startEngine(dir, cfg);
    cleanups.push(() => engine.close());
    await waitFor(() => lines(engine, 'app').length === 3, { what: 'line written while stopped' });
    expect(lines(engine, 'app')).toEqual([
      '2026-11-21T10:00:00Z INFO first',
      '2026-11-21T10:00:01Z ERROR second',
      'written while Vigil was stopped',
    ]);
  });

  it('adds a source through the contract, writing it to vigil.yml with comments kept', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const engine = await startEngine(dir, '# my comment\nsources: []\n');
    cleanups.push(() => engine.close());
    const log = join(dir, 'new.log');
    writeFileSync(log, 'a line that was there already\n');
    const r = await engine.handlers['sources.add']({ name: 'new', type: 'file', path: log, start: 'beginning' });
    expect(r.ok).toBe(true);
    const text = readFileSync(join(dir, 'vigil.yml'), 'utf8');
    expect(text).toContain('# my comment');
    expect(text).toContain(`path: ${log}`);
    await waitFor(() => lines(engine, 'new').length === 1, { what: 'start: beginning reads existing line' });
    const bad = await engine.handlers['sources.add']({ name: 'new', type: 'file', path: log });
    expect(bad).toMatchObject({ ok: false });
  });

  it('refuses an invalid config edit, naming the key, and keeps the last good config', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const engine = await startEngine(dir, 'sources: []\n');
    cleanups.push(() => engine.close());
    const r = await engine.handlers['config.set']({ text: 'sources:\n  - name: x\n    type: file\n' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toContainEqual({ key: 'sources.0.path', reason: expect.stringMatching(/./) });
    expect(engine.config.config.sources).toEqual([]);
    const invalid: unknown[] = [];
    engine.on('config.invalid', (e) => invalid.push(e));
    writeFileSync(join(dir, 'vigil.yml'), 'sources: [ {name: y, type: nope} ]\n');
    await waitFor(() => invalid.length > 0, { what: 'invalid config reported' });
    expect(JSON.stringify(invalid[0])).toContain('sources.0');
    expect(engine.config.config.sources).toEqual([]);
  });

  it('two windows editing the config: the second save, made on the text before the first, is refused instead of undoing it', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const engine = await startEngine(dir, '# mine\nsources: []\n');
    cleanups.push(() => engine.close());
    const opened = (await engine.handlers['config.get']({})).text;
    // Window A saves a channel; window B, opened before, saves its own edit of the old text.
    expect(await engine.handlers['config.set']({ text: opened + 'channels:\n  - { name: a, type: webhook, url: "http://127.0.0.1:9/x" }\n', base: opened })).toMatchObject({ ok: true });
    const b = await engine.handlers['config.set']({ text: opened.replace('# mine', '# mine, edited'), base: opened });
    expect(b).toMatchObject({ ok: false, errors: [{ key: 'vigil.yml', reason: expect.stringMatching(/^changed since you opened it/) }] });
    expect(readFileSync(join(dir, 'vigil.yml'), 'utf8')).toContain('name: a');
    // Made on the text as it is now, it goes through.
    const now = (await engine.handlers['config.get']({})).text;
    expect(await engine.handlers['config.set']({ text: now.replace('# mine', '# mine, edited'), base: now })).toMatchObject({ ok: true });
  });

  it('vigil.yml left invalid when Vigil stops: the next start runs the last config that was in force, and says why; a config never valid refuses to start', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const good = `sources:\n  - name: app\n    type: file\n    path: ${log}\n`;
    let engine = await startEngine(dir, good);
    await engine.close();
    const broken = `${good}channels:\n  - name: hook\n    type: teams\n    url: htp:/not a url\n`;
    writeFileSync(join(dir, 'vigil.yml'), broken);
    const logged: string[] = [];
    engine = await Engine.start({ dataDir: dir, host: 'cli', log: (m) => logged.push(m) });
    cleanups.push(() => engine.close());
    expect(engine.config.config.sources.map((s) => s.name)).toEqual(['app']);
    const shown = await engine.handlers['config.get']({});
    expect(shown.text).toBe(broken);
    expect(shown.fileErrors.map((e) => e.key)).toEqual(['channels.0.type']);
    expect(logged.join('\n')).toMatch(/is invalid; keeping the last good one:\n {2}channels\.0\.type/);
    appendFileSync(log, 'still watched\n');
    await waitFor(() => lines(engine, 'app').length === 1, { what: 'the source of the last good config at work' });
    // The file itself is left as the user wrote it.
    expect(readFileSync(join(dir, 'vigil.yml'), 'utf8')).toBe(broken);

    const fresh = tempDir();
    cleanups.push(fresh.cleanup);
    await expect(startEngine(fresh.dir, broken)).rejects.toThrow(/invalid config .*\n.*channels\.0\.type/);
  });

  it('a change from the app while vigil.yml holds an invalid hand edit is refused, not written over it; the file and its errors are shown; fixed, it applies', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const engine = await startEngine(dir, `# mine\nsources:\n  - name: demo\n    type: file\n    path: ${log}\n`);
    cleanups.push(() => engine.close());
    const path = join(dir, 'vigil.yml');
    // A source added by hand, with a typo; the app is used at once, before the watcher has seen the file.
    const handEdit = `${readFileSync(path, 'utf8')}  - name: payments\n    type: file\n    path: ${log}\n    start: begining\n`;
    writeFileSync(path, handEdit);
    const refused = await engine.handlers['sources.setEnabled']({ name: 'demo', enabled: false });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.errors[0]).toEqual({ key: 'vigil.yml', reason: expect.stringMatching(/^was edited and is not valid now, so this change was not made/) });
      expect(refused.errors.slice(1)).toEqual([{ key: 'sources.1.start', reason: expect.stringMatching(/./) }]);
    }
    expect(readFileSync(path, 'utf8')).toBe(handEdit);
    // The same for every edit through the contract (channels go through the same path).
    expect((await engine.handlers['sources.add']({ name: 'other', type: 'file', path: log })).ok).toBe(false);
    const hook = { channel: { name: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/x' }, storeSecrets: false } as never;
    expect(await engine.handlers['channels.upsert'](hook)).toMatchObject({ ok: false, errors: [{ key: 'vigil.yml' }, { key: 'sources.1.start' }] });
    expect(readFileSync(path, 'utf8')).toBe(handEdit);
    // What the config view shows: the file as it is, and why it is not in force.
    const shown = await engine.handlers['config.get']({});
    expect(shown.text).toBe(handEdit);
    expect(shown.fileErrors.map((e) => e.key)).toEqual(['sources.1.start']);
    expect(shown.config.sources.map((s) => s.name)).toEqual(['demo']);

    // Fixed by hand: in force, the errors gone, and the app's change applies on top of it.
    const changed: unknown[] = [];
    engine.events.on('config.changed', (c) => changed.push(c));
    writeFileSync(path, handEdit.replace('begining', 'beginning'));
    await waitFor(() => changed.length > 0, { what: 'the fixed file in force' });
    expect((await engine.handlers['config.get']({})).fileErrors).toEqual([]);
    expect(await engine.handlers['sources.setEnabled']({ name: 'demo', enabled: false })).toMatchObject({ ok: true });
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('# mine');
    expect(text).toMatch(/name: payments\n(?:.*\n)*?\s+start: beginning/);
    expect(engine.config.config.sources.map((s) => [s.name, s.enabled ?? true])).toEqual([['demo', false], ['payments', true]]);
    expect(await engine.handlers['channels.upsert'](hook)).toMatchObject({ ok: true });
  });
});

describe('engine: decoding and user formats', () => {
  it('decodes with the detected format, mines templates, and refuses a user format that does not compile', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'svc.log');
    writeFileSync(log, '');
    const engine = await startEngine(dir, `sources:\n  - name: svc\n    type: file\n    path: ${log}\n`);
    cleanups.push(() => engine.close());
    appendFileSync(log, '{"time":"2026-11-21T10:00:00.000Z","level":"error","msg":"disk 93% full on /dev/sda1"}\n{"time":"2026-11-21T10:00:01.000Z","level":"error","msg":"disk 97% full on /dev/sdb2"}\n');
    await waitFor(() => lines(engine, 'svc').length === 2, { what: 'json lines stored' });
    const rows = engine.store.db.prepare("SELECT level, message, format, template_id, template FROM events WHERE source = 'svc' ORDER BY id").all() as Record<string, unknown>[];
    expect(rows[0]).toMatchObject({ level: 'error', message: 'disk 93% full on /dev/sda1' });
    expect(String(rows[0]!.format)).toMatch(/json/);
    expect(rows[0]!.template_id).toBe(rows[1]!.template_id);
    expect(rows[1]!.template).toContain('<*>');

    const bad = await engine.handlers['config.set']({
      text: `sources: []\nformats:\n  - name: mine\n    regex: "^(?<ts>\\\\d+ (unclosed"\n`,
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatchObject({ key: 'formats.0' });
    expect(engine.config.config.sources.map((s) => s.name)).toEqual(['svc']);
  });
});
