// A source renamed while Vigil was stopped, with another setting changed too, is a new
// source: its files are not read again, they go on from where the old name left them.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Engine } from '../../../../electron/engine/engine.js';
import { tempDir, waitFor } from '../../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it.each(['beginning', 'end'])('renamed while stopped, its line limit changed too (start: %s): the lines written meanwhile stored once, none read again', async (start) => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, 'x.log');
  writeFileSync(log, Array.from({ length: 1000 }, (_, i) => `2026-11-22T10:00:00.000Z INFO line ${i + 1}`).join('\n') + '\n');
  const cfg = (name: string, extra = '') => `sources:\n  - name: ${name}\n    type: file\n    path: ${log}\n    start: beginning\n${extra}`;
  writeFileSync(join(dir, 'vigil.yml'), cfg('web'));
  let engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
  await waitFor(() => (engine.store.db.prepare('SELECT count(*) FROM records').pluck().get() as number) >= 1000, { what: 'the file read' });
  await engine.close();
  appendFileSync(log, '2026-11-22T10:00:01.000Z INFO line 1001\n2026-11-22T10:00:01.000Z INFO line 1002\n');
  writeFileSync(join(dir, 'vigil.yml'), cfg('frontend', `    maxLineBytes: 2097152\n`).replace('start: beginning', `start: ${start}`));
  engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
  cleanups.push(() => engine.close());
  await waitFor(() => (engine.store.db.prepare("SELECT count(*) FROM events WHERE source = 'frontend'").pluck().get() as number) >= 2, { what: 'the lines written while stopped' });
  appendFileSync(log, '2026-11-22T10:00:02.000Z INFO line 1003\n');
  await waitFor(() => (engine.store.db.prepare('SELECT count(*) FROM records').pluck().get() as number) >= 1003, { what: 'a line after the start' });
  await new Promise((r) => setTimeout(r, 1000));
  const rows = engine.store.db.prepare('SELECT source, message FROM events ORDER BY id').all() as { source: string; message: string }[];
  expect(rows.map((r) => r.message)).toEqual(Array.from({ length: 1003 }, (_, i) => `line ${i + 1}`));
  expect(rows.slice(1000).map((r) => r.source)).toEqual(['frontend', 'frontend', 'frontend']);
});
