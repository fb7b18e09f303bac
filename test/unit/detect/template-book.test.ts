import { describe, expect, it } from 'vitest';
import { TemplateBook, type TemplateRow } from '../../../electron/engine/detect/template-book.js';

// A source's template book is bounded: templates seen longest ago leave memory once saved,
// and one that comes back is found where it was saved, so it is not new again.

describe('template book', () => {
  it('stays within its bound, and a template back from the store is not new', () => {
    const saved = new Map<string, TemplateRow>();
    const save = (book: TemplateBook) => {
      for (const { key, stats } of book.takeDirty()) {
        saved.set(key, { template_key: key, first_ts: stats.firstTs, last_ts: stats.lastTs, count: stats.count, max_level: stats.maxLevel, baseline: null });
      }
    };
    const book = new TemplateBook((key) => saved.get(key), 1000);
    for (let i = 1; i <= 5000; i++) {
      expect(book.see(i, i * 1000, 3).count).toBe(1);
      if (i === 1) {
        book.see(1, 1500, 6);
        book.see(1, 1600, 3);
      }
      if (i % 100 === 0) save(book);
      expect(book.stats.size).toBeLessThanOrEqual(1000);
    }
    expect(book.stats.has(1)).toBe(false);
    const back = book.see(1, 6_000_000, 3);
    expect(back).toMatchObject({ count: 4, firstTs: 1000, maxLevel: 6 });
    // Without a store behind it, the same book would have taken it for new.
    const bare = new TemplateBook(null, 1000);
    for (let i = 1; i <= 2000; i++) {
      bare.see(i, i, 3);
      if (i % 100 === 0) bare.takeDirty();
    }
    expect(bare.see(1, 3000, 3).count).toBe(1);
  });

  it('never drops a template before it is saved', () => {
    const book = new TemplateBook(() => undefined, 10);
    for (let i = 1; i <= 50; i++) book.see(i, i, 3);
    // Nothing saved yet: all fifty stay.
    expect(book.stats.size).toBe(50);
    expect(book.takeDirty()).toHaveLength(50);
    book.see(51, 51, 3);
    expect(book.stats.size).toBeLessThanOrEqual(50);
    expect(book.stats.has(51)).toBe(true);
  });
});
