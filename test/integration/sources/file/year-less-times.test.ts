// Syslog (RFC 3164) and other formats write no year: a line takes the year of the time it
// was written by, which for a file is its mtime. That time must be the file's mtime as each
// line is read, not as it was when the file was opened: a file followed across New Year
// (or a quiet file written again a year later) stored its new lines a year in the past.
import { appendFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDecoderFactory, loadFormats } from '../../../../electron/engine/decode/index.js';
import { tempDir } from '../../../support/tmp.js';
import { Rig } from './rig.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');
/** An RFC 3164 line at local time `d` (second resolution). */
const syslog = (d: Date, msg: string) =>
  `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} web1 backup[42]: ${msg}`;

describe('file source: timestamps without a year', () => {
  it('a line appended to a file last written a year ago takes the year it is written in, and the old lines keep theirs', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const log = join(dir, 'syslog');
    const now = new Date();
    now.setMilliseconds(0);
    // Last written 340 days ago: its lines are of that time, whatever today's date.
    const then = new Date(now.getTime() - 340 * 86_400_000);
    const old = [0, 1, 2].map((i) => new Date(then.getTime() - (3 - i) * 60_000));
    writeFileSync(log, old.map((d, i) => syslog(d, `old run ${i}`) + '\n').join(''));
    utimesSync(log, then, then);

    const rig = await Rig.start({ dir, decoders: createDecoderFactory(loadFormats().formats), source: { path: log, start: 'beginning' } });
    cleanups.push(() => rig.close());
    await rig.expectCount(3);
    // Written now: the file's mtime is now, and the line is of this year.
    appendFileSync(log, syslog(now, 'new run') + '\n');
    await rig.expectCount(4);

    const rows = rig.store.db.prepare('SELECT ts, message FROM events ORDER BY id').all() as { ts: number; message: string }[];
    expect(rows.map((r) => r.message)).toEqual(['old run 0', 'old run 1', 'old run 2', 'new run']);
    expect(rows.map((r) => r.ts)).toEqual([...old, now].map((d) => d.getTime()));
    const format = rig.store.db.prepare('SELECT format FROM events ORDER BY id DESC LIMIT 1').pluck().get();
    expect(format).toBe('syslog');
  });
});
