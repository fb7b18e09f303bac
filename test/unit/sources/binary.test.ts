import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binaryByName, binaryReason } from '../../../electron/engine/sources/file/binary.js';

describe('binaryReason: what is not a text log', () => {
  it('names files by their magic bytes: a systemd journal, an executable, a SQLite database', () => {
    expect(binaryReason(Buffer.concat([Buffer.from('LPKSHHRH'), Buffer.alloc(100)]))).toMatch(/^a systemd journal file/);
    expect(binaryReason(readFileSync(process.execPath).subarray(0, 1024))).toMatch(/^an? (ELF|Mach-O)|binary content/);
    expect(binaryReason(Buffer.from('SQLite format 3\0' + 'x'.repeat(100)))).toMatch(/^a SQLite database/);
  });

  it('utmp records (wtmp, btmp) and random bytes are binary content, with the share of control bytes', () => {
    const rec = Buffer.alloc(384);
    rec.write('pts/0', 8);
    rec.write('root', 44);
    expect(binaryReason(Buffer.concat([Buffer.from([7, 0, 0, 0]), rec, rec]).subarray(0, 1024))).toMatch(/^binary content \(\d+% control bytes/);
    expect(binaryReason(randomBytes(1024))).toMatch(/^binary content/);
  });

  it('text is not: tabs, CR LF, terminal colours, UTF-8, a stray NUL, a NUL hole where the file starts, a first line still short', () => {
    const log = '2024-05-01T10:00:00Z\tINFO \x1b[32mok\x1b[0m héllo wörld 🔥\r\n'.repeat(20);
    expect(binaryReason(Buffer.from(log))).toBeNull();
    expect(binaryReason(Buffer.from(log.slice(0, 200) + '\0' + log.slice(200)))).toBeNull();
    expect(binaryReason(Buffer.concat([Buffer.alloc(800), Buffer.from(log)]).subarray(0, 1024))).toBeNull();
    expect(binaryReason(Buffer.alloc(1024))).toBeNull(); // all hole: nothing to judge yet
    expect(binaryReason(Buffer.from('\x01\x02'))).toBeNull();
    // Lines, then a hole a crash (or a preallocating writer) left: a text log still.
    const crashed = Buffer.concat([Buffer.from('2024-05-01T10:00:00Z INFO one\n2024-05-01T10:00:01Z INFO two\n'), Buffer.alloc(4096), Buffer.from(log)]);
    expect(binaryReason(crashed.subarray(0, 1024))).toBeNull();
  });

  it('login accounting files and journal files by name (lastlog is hundreds of GB of NULs where it starts)', () => {
    for (const name of ['lastlog', 'faillog', 'wtmp', 'btmp', 'wtmp.1', 'btmp-20261101', 'utmpx', 'system.journal', 'user-1000@abc.journal~']) {
      expect(binaryByName(name), name).toMatch(/not a text log$/);
    }
    for (const name of ['syslog', 'auth.log', 'wtmp-report.txt.log2', 'journal.log', 'lastlog-parser.log']) {
      expect(binaryByName(name), name).toBeNull();
    }
  });
});
