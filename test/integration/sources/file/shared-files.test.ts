// Two file sources whose paths take one file: it is read by the first in the config, every
// line stored once, through reordering, removal, restarts, rotation and links; and what the
// first never reads (old generations, other programs' files) is still the later one's.
import { appendFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, expect, it } from 'vitest';
import { Engine } from '../../../../electron/engine/engine.js';
import { tempDir, waitFor } from '../../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup() {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  let engine: Engine | null = null;
  cleanups.push(() => engine?.close());
  const src = (name: string, path: string, start = 'beginning') => `  - { name: ${name}, type: file, path: ${JSON.stringify(path)}, start: ${start} }\n`;
  return {
    dir,
    logs,
    src,
    async start(sources: string) {
      writeFileSync(join(dir, 'vigil.yml'), `sources:\n${sources}`);
      engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
      await waitFor(async () => (await engine!.handlers['sources.list']({} as never)).every((v) => v.status.state !== 'starting'), { what: 'sources started' });
    },
    async stop() {
      await engine!.close();
      engine = null;
    },
    async set(sources: string) {
      expect((await engine!.config.setText(`sources:\n${sources}`)).ok).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      await waitFor(async () => (await engine!.handlers['sources.list']({} as never)).every((v) => v.status.state !== 'starting'), { what: 'sources started' });
    },
    async status(name: string) {
      return (await engine!.handlers['sources.list']({} as never)).find((v) => v.config.name === name)!.status;
    },
    /** raw -> how many times stored, once every line of `want` is there. */
    async stored(want: number) {
      const count = () => engine!.store.db.prepare('SELECT count(DISTINCT raw) FROM records').pluck().get() as number;
      await waitFor(() => count() >= want, { what: `${want} lines`, timeoutMs: 15_000 });
      await new Promise((r) => setTimeout(r, 1200));
      return engine!.store.db.prepare('SELECT raw, count(*) AS n FROM records GROUP BY raw HAVING n > 1').all();
    },
    lines(source: string) {
      return engine!.store.db.prepare('SELECT raw FROM events WHERE source = ? ORDER BY id').pluck().all(source) as string[];
    },
  };
}

const write = (file: string, from: number, to: number) => {
  let s = '';
  for (let i = from; i <= to; i++) s += `2026-11-22T10:00:00.000Z INFO line-${i}\n`;
  appendFileSync(file, s);
};

it('put back first (reordered, or removed and added again), the single-file source goes on from where the folder source stopped: every line once', async () => {
  const t = setup();
  const app = join(t.logs, 'app.log');
  write(app, 1, 10);
  const a = t.src('a', app);
  const b = t.src('b', join(t.logs, '*.log'));
  await t.start(a + b);
  write(app, 11, 15);
  await t.set(b + a);
  write(app, 16, 20);
  await t.set(a + b);
  write(app, 21, 25);
  await t.set(b);
  write(app, 26, 30);
  await t.set(a + b);
  write(app, 31, 35);
  expect(await t.stored(35)).toEqual([]);
});

it('a single-file source added before a folder source while Vigil was stopped reads the lines written meanwhile (start: end lost them)', async () => {
  const t = setup();
  const app = join(t.logs, 'app.log');
  write(app, 1, 10);
  const b = t.src('b', join(t.logs, '*.log'), 'end');
  await t.start(b);
  write(app, 11, 15);
  await t.stored(5);
  await t.stop();
  write(app, 16, 20);
  await t.start(t.src('a', app, 'end') + b);
  write(app, 21, 25);
  expect(await t.stored(15)).toEqual([]);
  expect(t.lines('a')).toEqual(Array.from({ length: 10 }, (_, i) => `2026-11-22T10:00:00.000Z INFO line-${i + 16}`));
});

it("what the first source never reads is the folder source's: old generations, another program's dated files; a file reached through a link is the first one's", async () => {
  const t = setup();
  const app = join(t.logs, 'app.log');
  writeFileSync(app, '2026-11-22T10:00:00.000Z INFO app now\n');
  writeFileSync(`${app}.1`, '2026-11-21T10:00:00.000Z INFO app yesterday\n');
  writeFileSync(`${app}.2.gz`, gzipSync('2026-11-20T10:00:00.000Z INFO app two days ago\n'));
  writeFileSync(join(t.logs, 'svc.log.2026-11-22'), '2026-11-22T10:00:00.000Z INFO svc today\n');
  const links = join(t.dir, 'links');
  mkdirSync(links);
  symlinkSync(app, join(links, 'app.log'));
  // `l` reads app.log through the link; `a` names it; `s` names a file that is not there.
  await t.start(t.src('l', join(links, 'app.log')) + t.src('s', join(t.logs, 'svc.log')));
  await t.stored(1);
  await t.set(t.src('l', join(links, 'app.log')) + t.src('s', join(t.logs, 'svc.log')) + t.src('all', t.logs));
  appendFileSync(join(t.logs, 'svc.log.2026-11-22'), '2026-11-22T10:00:01.000Z INFO svc later\n');
  appendFileSync(app, '2026-11-22T10:00:01.000Z INFO app later\n');
  expect(await t.stored(6)).toEqual([]);
  expect(t.lines('l')).toEqual(['2026-11-22T10:00:00.000Z INFO app now', '2026-11-22T10:00:01.000Z INFO app later']);
  expect(t.lines('all').sort()).toEqual([
    '2026-11-20T10:00:00.000Z INFO app two days ago',
    '2026-11-21T10:00:00.000Z INFO app yesterday',
    '2026-11-22T10:00:00.000Z INFO svc today',
    '2026-11-22T10:00:01.000Z INFO svc later',
  ]);
  expect((await t.status('all')).message).toMatch(/app\.log read by source "l", which comes first in the config/);
});
