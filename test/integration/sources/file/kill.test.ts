// SIGKILL of the engine process at arbitrary moments while a program appends: after a
// restart, the stored sequence equals the written one, each line exactly once. Checkpoints
// are committed in the same SQLite transaction as the records they follow.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineProcess, storedLines } from '../../../support/engine-process.js';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { Writer } from './rig.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('file source: SIGKILL mid-stream', () => {
  it('killed 6 times while a program appends: every line stored exactly once, in order', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    writeFileSync(join(dataDir, 'vigil.yml'), `sources:\n  - name: app\n    type: file\n    path: ${log}\n    start: beginning\n`);
    const w = new Writer(log);
    let writing = true;
    const pump = (async () => {
      while (writing) {
        w.write(1 + Math.floor(Math.random() * 200));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    cleanups.push(async () => {
      writing = false;
      await pump;
      w.close();
    });
    const opts = { dataDir, fileOptions: { tickMs: 50, rotateWaitMs: 500 } };
    for (let k = 0; k < 6; k++) {
      const p = await EngineProcess.start(opts);
      cleanups.push(() => p.kill());
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 350));
      await p.kill();
    }
    writing = false;
    await pump;
    const p = await EngineProcess.start(opts);
    cleanups.push(() => p.stop());
    const dbPath = join(dataDir, 'vigil.db');
    await waitFor(() => storedLines(dbPath, 'app').length >= w.written.length, { what: `${w.written.length} lines stored`, timeoutMs: 60_000, intervalMs: 100 });
    expect(await p.stop()).toBe(0);
    const stored = storedLines(dbPath, 'app');
    expect(stored.length).toBe(w.written.length);
    expect(stored).toEqual(w.written);
  });
});
