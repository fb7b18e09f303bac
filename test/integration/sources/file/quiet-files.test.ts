// A folder of many files nobody writes any more (finished jobs' logs): looking at each of
// them every tick cost a fifth of a core at 5,000 files, so quiet files are looked at less
// often; a write to one is still read at once (its change event), and one written with no
// event in the watched folder is still found by the tick.
import { appendFileSync, linkSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileSource } from '../../../../electron/engine/sources/file/file-source.js';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { FAST, Rig } from './rig.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function quietFolder(files: number): Promise<{ dir: string; logs: string; rig: Rig }> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const logs = join(dir, 'jobs');
  mkdirSync(logs);
  const dayAgo = new Date(Date.now() - 86_400_000);
  for (let i = 0; i < files; i++) {
    const p = join(logs, `job-${i}.log`);
    writeFileSync(p, `job ${i} done\n`);
    utimesSync(p, dayAgo, dayAgo);
  }
  const rig = await Rig.start({ dir, source: { path: logs, start: 'beginning' } });
  cleanups.push(() => rig.close());
  await waitFor(() => rig.count() === files, { what: 'every job log read' });
  return { dir, logs, rig };
}

describe('file source: many quiet files', () => {
  it('files last written a day ago are looked at by the tick a thirtieth as often; a write to one is read at its change event', async () => {
    const files = 300;
    const { logs, rig } = await quietFolder(files);
    // Let every file have its first look since it was read.
    await new Promise((r) => setTimeout(r, 5 * FAST.tickMs!));
    const looks = vi.spyOn(FileSource.prototype as unknown as { syncPath(p: string): Promise<void> }, 'syncPath');
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 40 * FAST.tickMs!));
    const ticks = (Date.now() - t0) / FAST.tickMs!;
    // Every tick, every file: files x ticks looks. A thirtieth of that, give or take a tick.
    expect(looks.mock.calls.length).toBeLessThan((files * ticks) / 10);
    appendFileSync(join(logs, 'job-7.log'), 'job 7 ran again\n');
    await waitFor(() => rig.lines().at(-1) === 'job 7 ran again', { what: 'the new line' });
    expect(looks.mock.calls.some(([p]) => p === join(logs, 'job-7.log'))).toBe(true);
  });

  it('a quiet file written where the watched folder sees no event (through a hard link elsewhere) is still read by the tick', async () => {
    const { dir, logs, rig } = await quietFolder(50);
    mkdirSync(join(dir, 'elsewhere'));
    const link = join(dir, 'elsewhere', 'job-3.log');
    linkSync(join(logs, 'job-3.log'), link);
    appendFileSync(link, 'job 3 wrote through its other name\n');
    await waitFor(() => rig.lines().at(-1) === 'job 3 wrote through its other name', { what: 'the line written through the link' });
    expect(rig.lines().filter((l) => l.startsWith('job 3 '))).toEqual(['job 3 done', 'job 3 wrote through its other name']);
  });
});
