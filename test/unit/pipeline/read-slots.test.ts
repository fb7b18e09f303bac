// Ingestor.readSlot: what bounds the data sources have read but not queued yet.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ingestor } from '../../../electron/engine/pipeline/ingestor.js';
import { Store } from '../../../electron/engine/store/store.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function ingestor(maxReaders: number): Ingestor {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-slots-'));
  const store = new Store(join(dir, 'vigil.db'));
  cleanups.push(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return new Ingestor(store, null, [], {}, { maxReaders });
}

const tick = () => new Promise((r) => setImmediate(r));

describe('read slots', () => {
  it('at most maxReaders held at once; a freed slot goes to the longest waiting reader', async () => {
    const ing = ingestor(2);
    const a = await ing.readSlot();
    const b = await ing.readSlot();
    const order: string[] = [];
    const c = ing.readSlot().then((r) => (order.push('c'), r));
    const d = ing.readSlot().then((r) => (order.push('d'), r));
    await tick();
    expect(order).toEqual([]);
    b();
    b(); // a second release of the same slot frees nothing more
    await tick();
    expect(order).toEqual(['c']);
    a();
    await tick();
    expect(order).toEqual(['c', 'd']);
    (await c)();
    (await d)();
    // All free again: two at once, no waiting, and a third waits.
    const e = await ing.readSlot();
    const f = await ing.readSlot();
    let third = false;
    const g = ing.readSlot().then((r) => ((third = true), r));
    await tick();
    expect(third).toBe(false);
    e();
    await tick();
    expect(third).toBe(true);
    f();
    (await g)();
  });

  it('a wait given up (the source closing) takes no slot, and the next reader gets it', async () => {
    const ing = ingestor(1);
    const held = await ing.readSlot();
    const abort = new AbortController();
    const gaveUp = ing.readSlot(abort.signal);
    let next = false;
    const after = ing.readSlot().then((r) => ((next = true), r));
    abort.abort(new Error('closing'));
    await expect(gaveUp).rejects.toThrow('closing');
    held();
    await tick();
    expect(next).toBe(true);
    (await after)();
    await expect(ing.readSlot(abort.signal)).rejects.toThrow('closing');
  });
});
