import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compressionOf } from '../../../electron/engine/util/compression.js';

const text = 'BZh91AY is how this log line starts\nand more\n';
const made = (cmd: string, args: string[]) => execFileSync(cmd, args, { input: text });

describe('compressionOf: a file is known as compressed by its first bytes, as the tools write them', () => {
  it('gzip, zstd, bzip2 and xz output', () => {
    expect(compressionOf(made('gzip', ['-c']))).toBe('gzip');
    expect(compressionOf(made('zstd', ['-q', '-c']))).toBe('zstd');
    expect(compressionOf(made('bzip2', ['-c']))).toBe('bzip2');
    expect(compressionOf(made('xz', ['-c']))).toBe('xz');
  });

  it('text is text, even text that starts like a bzip2 header, and a file too short to tell', () => {
    expect(compressionOf(Buffer.from(text))).toBeNull();
    expect(compressionOf(Buffer.from('BZh9'))).toBeNull();
    expect(compressionOf(Buffer.from([0x1f, 0x8b]))).toBeNull();
    expect(compressionOf(Buffer.alloc(0))).toBeNull();
  });
});
