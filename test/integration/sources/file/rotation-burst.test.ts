// Rotations faster than the source follows: logrotate's copytruncate, then at once a rename
// rotation of the same file and its compression, round after round. The source meets the
// copy while the original already lost its name (detached), or before it read anything of
// the original, or after it finished a file that reappears under a name it matches.
import { appendFileSync, copyFileSync, existsSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../../../support/tmp.js';
import { Rig } from './rig.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('copytruncate, then at once a rename rotation and gzip, 20 rounds faster than the source reads: every line once', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const rig = await Rig.start({ dir, source: { path: join(dir, 'app.log*'), start: 'beginning' } });
  cleanups.push(() => rig.close());
  const written: string[] = [];
  const append = (k: number) => {
    let s = '';
    for (let i = 0; i < k; i++) {
      const l = `line ${written.length + 1} ${'z'.repeat(written.length % 97)}`;
      written.push(l);
      s += l + '\n';
    }
    appendFileSync(log, s);
  };
  const shift = () => {
    for (let i = 100; i >= 1; i--) {
      for (const ext of ['', '.gz']) if (existsSync(`${log}.${i}${ext}`)) renameSync(`${log}.${i}${ext}`, `${log}.${i + 1}${ext}`);
    }
  };
  for (let round = 0; round < 20; round++) {
    append(300 + ((round * 37) % 900));
    await new Promise((r) => setTimeout(r, (round * 13) % 40));
    shift(); // copytruncate
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    append(round % 3); // lines the program writes after the truncation
    shift(); // and at once a rename rotation
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    append(round % 4);
    if (round % 2 === 0) execFileSync('gzip', [`${log}.1`]);
    await new Promise((r) => setTimeout(r, (round * 7) % 30));
  }
  const got = await rig.expectCount(written.length, 'every line', 60_000);
  expect(got.length).toBe(written.length);
  expect(new Set(got).size).toBe(got.length);
  expect(new Set(got)).toEqual(new Set(written));
});
