import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Engine } from '../../../../electron/engine/engine.js';
import { tempDir, waitFor } from '../../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// Editing a source's settings restarts it. Its decoder may hold lines (sampling, a
// multi-line record) and its batches may be queued: each restart goes on from the
// checkpoint, so every line is stored once, whatever was in flight.
it("a source's settings edited twelve times (format, multi-line rule, line limit) while lines stream in: every line once, in order", async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const cfg = (extra: string) => `sources:\n  - name: app\n    type: file\n    path: ${log}\n    start: beginning\n${extra}`;
  writeFileSync(join(dir, 'vigil.yml'), cfg(''));
  const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
  cleanups.push(() => engine.close());
  const variants = ['', '    format: iso-level\n', '    multiline: { start: "^\\\\d{4}-" }\n', '    maxLineBytes: 4096\n', '    format: generic\n'];
  const written: string[] = [];
  let n = 0;
  const writer = setInterval(() => {
    let chunk = '';
    for (let k = 0; k < 50; k++) {
      n++;
      const l = `2026-11-21T10:00:00.000Z ${n % 7 === 0 ? 'ERROR' : 'INFO'} line ${n}`;
      written.push(l);
      chunk += l + '\n';
      if (n % 11 === 0) {
        written.push(`    at frame ${n}`);
        chunk += `    at frame ${n}\n`;
      }
    }
    appendFileSync(log, chunk);
  }, 5);
  for (let i = 0; i < 12; i++) {
    await new Promise((r) => setTimeout(r, 150));
    const res = await engine.config.setText(cfg(variants[i % variants.length]!));
    expect(res.ok, JSON.stringify(res)).toBe(true);
  }
  clearInterval(writer);
  const rawLines = () => (engine.store.db.prepare("SELECT raw FROM events WHERE source = 'app' ORDER BY id").pluck().all() as string[]).flatMap((r) => r.split('\n'));
  await waitFor(() => rawLines().length >= written.length, { what: 'all lines', timeoutMs: 30_000 });
  await new Promise((r) => setTimeout(r, 1500));
  const got = rawLines();
  expect(got).toEqual(written);
});

it('a source renamed in the config goes on from its checkpoints under its new name: with start: beginning its lines were stored a second time', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, 'x.log');
  writeFileSync(log, Array.from({ length: 1000 }, (_, i) => `2026-11-22T10:00:00.000Z INFO line ${i + 1}`).join('\n') + '\n');
  const cfg = (name: string) => `sources:\n  - name: ${name}\n    type: file\n    path: ${log}\n    start: beginning\n`;
  writeFileSync(join(dir, 'vigil.yml'), cfg('web'));
  const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
  cleanups.push(() => engine.close());
  const bySource = () => engine.store.db.prepare('SELECT source, count(*) AS n FROM events GROUP BY 1 ORDER BY 1').all();
  await waitFor(() => (engine.store.db.prepare('SELECT count(*) FROM records').pluck().get() as number) >= 1000, { what: 'the file read' });
  expect((await engine.config.setText(cfg('frontend'))).ok).toBe(true);
  appendFileSync(log, '2026-11-22T10:00:01.000Z INFO line 1001\n');
  await waitFor(() => (engine.store.db.prepare('SELECT count(*) FROM records').pluck().get() as number) >= 1001, { what: 'the line after the rename' });
  await new Promise((r) => setTimeout(r, 1000));
  expect(bySource()).toEqual([{ source: 'frontend', n: 1001 }]);
  expect((await engine.handlers['sources.list']({} as never)).map((v) => [v.config.name, v.status.state])).toEqual([['frontend', 'watching']]);
});

it("a folder or glob source added over another source's file leaves that file to it: each line stored once (twice before), rotated generations too, and the status says why; that source removed, it goes on from where that one stopped", async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const known = join(logs, 'known.log');
  const other = join(logs, 'other.log');
  writeFileSync(known, '');
  writeFileSync(other, '');
  const one = `sources:\n  - { name: known, type: file, path: ${JSON.stringify(known)} }\n`;
  const both = `${one}  - { name: all, type: file, path: ${JSON.stringify(join(logs, '*'))} }\n`;
  writeFileSync(join(dir, 'vigil.yml'), one);
  const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
  cleanups.push(() => engine.close());
  const list = async () => (await engine.handlers['sources.list']({} as never)).map((v) => [v.config.name, v.status.state, v.status.message ?? null]);
  await waitFor(async () => (await list())[0]?.[1] === 'watching', { what: 'known watching' });
  expect((await engine.config.setText(both)).ok).toBe(true);
  await waitFor(async () => (await list()).every((s) => s[1] === 'watching'), { what: 'both watching' });
  appendFileSync(known, '2026-11-22T10:00:00.000Z ERROR dupcheck one\n');
  appendFileSync(other, '2026-11-22T10:00:00.000Z INFO other one\n');
  const rows = () => engine.store.db.prepare("SELECT source, message FROM events WHERE message LIKE '%one' OR message LIKE '%two' OR message LIKE '%three' ORDER BY message, source").all();
  await waitFor(() => rows().length >= 2, { what: 'both lines' });
  // known.log rotated (renamed, a new one made): `all` matches known.log.1, but those lines were read.
  renameSync(known, `${known}.1`);
  writeFileSync(known, '2026-11-22T10:00:01.000Z ERROR dupcheck two\n');
  await waitFor(() => rows().length >= 3, { what: 'the line after the rotation' });
  await new Promise((r) => setTimeout(r, 1500));
  expect(rows()).toEqual([
    { source: 'known', message: 'dupcheck one' },
    { source: 'known', message: 'dupcheck two' },
    { source: 'all', message: 'other one' },
  ]);
  expect((await list())[1]![2]).toMatch(/known\.log(\.1)? \(and 1 more\) read by source "known", which comes first in the config/);

  // `known` removed: `all` takes its files on from where it stopped (it read them from their start).
  expect((await engine.config.setText(`sources:\n  - { name: all, type: file, path: ${JSON.stringify(join(logs, '*'))} }\n`)).ok).toBe(true);
  await waitFor(async () => (await list()).length === 1 && (await list())[0]![1] === 'watching', { what: 'all alone' });
  appendFileSync(known, '2026-11-22T10:00:02.000Z ERROR dupcheck three\n');
  await waitFor(() => rows().length >= 4, { what: 'the line after the removal' });
  await new Promise((r) => setTimeout(r, 1500));
  expect(rows()).toEqual([
    { source: 'known', message: 'dupcheck one' },
    { source: 'all', message: 'dupcheck three' },
    { source: 'known', message: 'dupcheck two' },
    { source: 'all', message: 'other one' },
  ]);
  expect(engine.store.db.prepare('SELECT count(*) FROM records').pluck().get()).toBe(4);
});
