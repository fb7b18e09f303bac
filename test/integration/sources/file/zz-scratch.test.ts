import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from '../../../support/tmp.js';
import { Rig, Writer } from './rig.js';

const shift = (base: string) => {
  for (let i = 99; i >= 1; i--) if (existsSync(`${base}.${i}`)) renameSync(`${base}.${i}`, `${base}.${i + 1}`);
};
for (let round = 0; round < 8; round++)
it('two renames right after restart ' + round, async () => {
  const { dir } = tempDir();
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const rig = await Rig.start({ dir, source: { path: join(dir, 'app.log*'), start: 'beginning' } });
  const w = new Writer(log);
  w.write(50);
  shift(log); renameSync(log, log + '.1'); writeFileSync(log, ''); w.write(3); w.reopen(); w.write(20);
  await rig.expectCount(73);
  await rig.close();
  w.write(10);
  await rig.open();
  await new Promise((r) => setTimeout(r, round * 3));
  for (let k = 0; k < 2; k++) {
    shift(log); renameSync(log, log + '.1'); writeFileSync(log, ''); w.write(3); w.reopen(); w.write(5);
    await new Promise((r) => setTimeout(r, round));
  }
  const got = await rig.expectCount(w.written.length, 'all', 5000).catch(() => rig.lines());
  expect([...got].sort()).toEqual([...w.written].sort());
  await rig.close();
});
