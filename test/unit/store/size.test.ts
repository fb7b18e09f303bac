import { describe, expect, it } from 'vitest';
import { formatBytes, parseSize, sizeBytes } from '../../../shared/size.js';

describe('sizes in vigil.yml (store.maxSize, store.keepFree)', () => {
  it.each([
    [1048576, 1048576],
    ['1048576', 1048576],
    ['500MiB', 500 * 1024 ** 2],
    ['500 MB', 500 * 1024 ** 2],
    ['4G', 4 * 1024 ** 3],
    ['4gib', 4 * 1024 ** 3],
    ['1.5GB', 1.5 * 1024 ** 3],
    ['64k', 65536],
    ['2T', 2 * 1024 ** 4],
    ['10b', 10],
  ])('%j is %d bytes (K, M, G, T: powers of 1024, as journald and Docker read them)', (text, bytes) => {
    expect(parseSize(text)).toEqual({ bytes });
  });

  it('a percentage is a share of the disk holding the store', () => {
    expect(parseSize('10%')).toEqual({ share: 0.1 });
    expect(sizeBytes(parseSize('12.5%')!, 8000)).toBe(1000);
    expect(sizeBytes(parseSize('4MiB')!, 8000)).toBe(4 * 1024 ** 2);
  });

  it.each(['lots', '', '-1', 1.5, -3, '4 GiBs', '4X', '101%', 'GiB', null, {}])('%j is not a size', (v) => {
    expect(parseSize(v)).toBeNull();
  });

  it('formats sizes for messages', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(4 * 1024 ** 3)).toBe('4.0 GiB');
    expect(formatBytes(614 * 1024 ** 2)).toBe('614 MiB');
  });
});
