// The WAL is copied into the database by a thread of the store's, not by its commits.
import Database from 'better-sqlite3';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store, type RecordRow } from '../../electron/engine/store/store.js';
import { tempDir, waitFor } from '../support/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));

/** Frames in the WAL, and how many of them are in the database (WAL index header, native little-endian here). */
function walIndex(dbPath: string): { frames: number; copied: number } {
  const h = readFileSync(`${dbPath}-shm`).subarray(0, 100);
  return { frames: h.readUInt32LE(16), copied: h.readUInt32LE(96) };
}

describe('store: checkpoints off the writer', () => {
  it('copies a grown WAL into the database on its own thread; close leaves an empty WAL and every record', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'v.db');
    const s = new Store(path);
    const initial = statSync(path).size;
    let open = true;
    cleanups.push(() => open && s.close());
    const src = s.sourceId('app', 'file');
    const pad = 'x'.repeat(200);
    let n = 0;
    // About 8 MiB of WAL: past the point where a checkpoint is due (4 MB), far below the
    // point where the writer would checkpoint by itself (32 MiB).
    for (let b = 0; b < 25; b++) {
      const rows: RecordRow[] = [];
      for (let i = 0; i < 1000; i++, n++) {
        const raw = `2026-11-21T10:00:00Z INFO line ${n} ${pad}`;
        rows.push({ sourceId: src, fileId: null, firstLine: n, lastLine: n, ts: n, tsText: null, levelRank: 3, levelText: 'INFO', stream: null, format: 'generic', templateId: null, flags: 0, message: raw.slice(26), raw, rawBytes: null });
      }
      s.append(rows, []);
    }
    // Only a checkpoint grows the database file; the writer's own would not run below 32 MiB.
    const copied = await waitFor(() => statSync(path).size > initial + 4 * 1024 * 1024, { what: 'the WAL copied by the thread', timeoutMs: 10_000 });
    expect(copied).toBe(true);
    expect(walIndex(path).frames * 16384).toBeLessThan(32 * 1024 * 1024);
    const reader = new Database(path, { readonly: true });
    expect(reader.prepare('SELECT count(*) FROM records').pluck().get()).toBe(n);
    reader.close();
    s.close();
    open = false;
    expect(statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0).toBe(0);
    const again = new Database(path, { readonly: true });
    expect(again.prepare('SELECT count(*) FROM events').pluck().get()).toBe(n);
    again.close();
  });
});
