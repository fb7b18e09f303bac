import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../electron/engine/store/migrations/index.js';
import { Store } from '../../electron/engine/store/store.js';
import { damageAdvice } from '../../electron/engine/store/damage.js';
import { startServe } from '../support/serve-process.js';
import { tempDir, waitFor } from '../support/tmp.js';

// Runs the built CLI (npm test builds before running the suites).
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const vigil = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'bin', 'vigil.js'), ...args], { encoding: 'utf8', timeout: 30_000 });

let dir: string;
let cleanup: () => void;
let db: string;
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  db = join(dir, 'v.db');
  const s = new Store(db);
  const src = s.sourceId('app', 'file');
  const row = (raw: string, level: number) => ({ sourceId: src, fileId: null, firstLine: 1, lastLine: 1, ts: 1_700_000_000_000, tsText: null, levelRank: level, levelText: null, stream: null, format: 'generic', templateId: null, flags: 0, message: raw, raw, rawBytes: null });
  s.append([row('hello', 3), row('bad thing', 6)], []);
  s.close();
});
afterAll(() => cleanup());

describe('vigil query', () => {
  it('prints one JSON object per row', () => {
    const r = vigil('query', '--db', db, "SELECT source, level, message FROM events ORDER BY id");
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { source: 'app', level: 'info', message: 'hello' },
      { source: 'app', level: 'error', message: 'bad thing' },
    ]);
  });

  it('is read-only: a write is refused and nothing changes', () => {
    const r = vigil('query', '--db', db, 'DELETE FROM records');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/read-only|readonly/i);
    expect(vigil('query', '--db', db, 'SELECT count(*) AS n FROM records').stdout.trim()).toBe('{"n":2}');
    // A write that returns rows is refused the same way, as bad input (exit 2).
    const returning = vigil('query', '--db', db, "INSERT INTO sources (name, type, created_at) VALUES ('x', 'file', 0) RETURNING id");
    expect(returning.status).toBe(2);
    expect(returning.stderr).toBe('vigil query: only read-only statements that return rows are allowed (SELECT, WITH, PRAGMA ...)\n');
  });

  it('gives clear errors and exit codes', () => {
    const noDb = vigil('query', '--db', join(dir, 'missing.db'), 'SELECT 1');
    expect(noDb.status).toBe(2);
    expect(noDb.stderr).toContain('no database at');
    const badSql = vigil('query', '--db', db, 'SELEC nonsense');
    expect(badSql.status).toBe(2);
    expect(badSql.stderr).toBe('vigil query: near "SELEC": syntax error\n');
    // Only a comment: said plainly. SQL that starts with a comment is SQL, not an option.
    expect(vigil('query', '--db', db, '/* later */').stderr).toBe('vigil query: the query has nothing to run (only comments or blanks): write a SELECT\n');
    const commented = vigil('query', '--db', db, '-- how many\nSELECT count(*) AS n FROM records');
    expect([commented.status, commented.stdout.trim()]).toEqual([0, '{"n":2}']);
    // Failures while rows are read, a file that is not a store, a folder: one line, no stack trace.
    const rowError = vigil('query', '--db', db, "SELECT json_extract(message, '$.x') FROM events");
    expect([rowError.status, rowError.stderr]).toEqual([1, 'vigil query: malformed JSON\n']);
    writeFileSync(join(dir, 'notes.txt'), 'not a database at all, just notes\n'.repeat(100));
    for (const cmd of [['query', '--db', join(dir, 'notes.txt'), 'SELECT 1'], ['report', '--latest', '--db', join(dir, 'notes.txt')]]) {
      const r = vigil(...cmd);
      expect([r.status, r.stderr], cmd[0]).toEqual([2, `vigil ${cmd[0]}: the --db file is not a Vigil store (SQLite: file is not a database)\n`]);
    }
    expect(vigil('query', '--db', dir, 'SELECT 1')).toMatchObject({ status: 2, stderr: `vigil query: no database at ${dir} (a folder)\n` });
    expect(vigil('report', '1', '--db', dir)).toMatchObject({ status: 2, stderr: `vigil report: no store at ${dir} (a folder)\n` });
    // An option given twice is refused (the last one was kept silently).
    expect(vigil('query', '--db', db, '--db', join(dir, 'other.db'), 'SELECT 1')).toMatchObject({ status: 2, stderr: expect.stringMatching(/^vigil query: --db is given twice \(.*v\.db and .*other\.db\): give it once\n/) });
    // A literal ~ (quoted, or from a systemd unit) is the home folder.
    const home = spawnSync(process.execPath, [join(repo, 'bin', 'vigil.js'), 'query', '--db', '~/v.db', 'SELECT count(*) AS n FROM records'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, HOME: dir } });
    expect([home.status, home.stdout.trim()]).toEqual([0, '{"n":2}']);
    // The output cannot be written (a full disk): one line, no stack trace.
    for (const cmd of [['query', '--db', db, 'SELECT * FROM events'], ['parse', join(dir, 'notes.txt')]]) {
      const full = spawnSync(process.execPath, [join(repo, 'bin', 'vigil.js'), ...cmd], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'] });
      expect([full.status, full.stderr.split('\n').filter((l) => !l.startsWith('vigil parse: generic'))], cmd[0]).toEqual([1, ['vigil: cannot write the output: ENOSPC: no space left on device', '']]);
    }
    const noArgs = vigil('query');
    expect(noArgs.status).toBe(2);
    expect(noArgs.stderr).toContain('--db');
    expect(vigil('frobnicate').status).toBe(2);
    // No command: a usage error, on stderr (stdout is data: a script's pipe gets nothing).
    expect(vigil()).toMatchObject({ status: 2, stdout: '', stderr: expect.stringMatching(/^Usage: vigil <command>/) });
    // --help (or -h) answers for every command, with the command's own help where it has one.
    for (const [cmd, first] of [['query', 'Usage: vigil <command>'], ['serve', 'Usage: vigil <command>'], ['scan', 'usage: vigil scan'], ['parse', 'usage: vigil parse'], ['report', 'usage: vigil report']]) {
      for (const flag of ['--help', '-h']) expect(vigil(cmd!, flag), `${cmd} ${flag}`).toMatchObject({ status: 0, stdout: expect.stringMatching(new RegExp(`^${first}`)) });
    }
  });
});

describe('vigil query on a store an older Vigil wrote (not migrated: read-only)', () => {
  it('says so, and its format views still work; a REGEXP mistake is one line', () => {
    const old = join(dir, 'old.db');
    const s = new Store(old);
    const src = s.sourceId('app', 'file');
    s.append([{ sourceId: src, fileId: null, firstLine: 1, lastLine: 1, ts: 1_700_000_000_000, tsText: null, levelRank: 6, levelText: null, stream: null, format: 'generic', templateId: null, flags: 0, message: 'bad thing', raw: 'bad thing', rawBytes: null }], []);
    // As schema 11 left it: its events view had no level_rank.
    s.db.exec(`DROP VIEW events; CREATE VIEW events AS SELECT r.id, s.name AS source, NULL AS path, r.ts, strftime('%Y-%m-%dT%H:%M:%fZ', r.ts / 1000.0, 'unixepoch') AS time, 'error' AS level, r.level_text, r.raw AS message, r.raw, r.raw_bytes, r.stream, r.format, r.line_no, r.line_end, r.flags, r.template_id, r.ingested_at, NULL AS template FROM records r JOIN sources s ON s.id = r.source_id; PRAGMA user_version = 11;`);
    s.close();
    const r = vigil('query', '--db', old, 'SELECT count(*) AS n FROM syslog');
    expect([r.status, r.stdout.trim()]).toEqual([0, '{"n":0}']);
    expect(r.stderr).toMatch(/^vigil query: this store is from an older Vigil \(schema 11, this one is \d+\).*start Vigil or vigil serve on it once/);
    expect(vigil('query', '--db', db, "SELECT count(*) FROM events WHERE message REGEXP '(unclosed'")).toMatchObject({ status: 1, stderr: expect.stringMatching(/^vigil query: regexp: Invalid regular expression: \/\(unclosed\/: Unterminated group\n$/) });
  });
});

describe('vigil scan - / parse -: standard input', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('the copy of standard input is removed when the command is stopped (%s), not left in the temp folder', async (signal) => {
    const tmp = tempDir();
    try {
      const child = spawn(process.execPath, [join(repo, 'bin', 'vigil.js'), signal === 'SIGINT' ? 'scan' : 'parse', '-'], { env: { ...process.env, TMPDIR: tmp.dir }, stdio: ['pipe', 'ignore', 'ignore'] });
      child.stdin.write('2026-11-22T10:00:00Z ERROR one line of a stream that goes on\n');
      const copies = () => readdirSync(tmp.dir).filter((f) => f.startsWith('vigil-stdin-'));
      await waitFor(() => copies().length === 1, { what: 'the copy being made' });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill(signal);
      expect(await exited).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(copies()).toEqual([]);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('vigil serve: refuses bad input before starting', () => {
  it('bad port', () => {
    const r = vigil('serve', '--port', 'eighty');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--port');
  });
  it('an invalid config file names the key and exits 2', () => {
    const cfg = join(dir, 'bad.yml');
    writeFileSync(cfg, 'sources:\n  - name: a\n    type: file\n');
    const r = vigil('serve', '--config', cfg, '--db', join(dir, 's.db'), '--port', '0', '--data-dir', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('sources.0.path');
  });
  it('unknown option', () => {
    expect(vigil('serve', '--colour', 'red').status).toBe(2);
  });
  it('--host 0.0.0.0 warns that the UI and its token cross the network unencrypted, and says how to name the host', async () => {
    const t = tempDir();
    const srv = await startServe(['--host', '0.0.0.0', '--port', '0', '--data-dir', t.dir]);
    try {
      await waitFor(() => srv.stderr().includes('vigil: listening on 0.0.0.0: the UI and its token cross the network unencrypted; put a TLS proxy in front, and name the host it is reached by with --allow-host NAME'), { what: 'the warning' });
    } finally {
      expect(await srv.stop()).toBe(0);
      t.cleanup();
    }
  });
  it('--db naming a file that is not a store: said so (exit 2), no lock file left beside it', () => {
    const notes = join(dir, 'serve-notes.txt');
    writeFileSync(notes, 'not a database at all, just notes\n'.repeat(100));
    const r = vigil('serve', '--data-dir', join(dir, 'serve-data'), '--db', notes, '--port', '0', '--token', 'testtoken123');
    expect([r.status, r.stderr]).toEqual([2, `vigil: ${notes} is not a Vigil store (not an SQLite database); give --db a new file or a store\n`]);
    expect(existsSync(`${notes}.lock`)).toBe(false);
  });
  it('a store made by a newer Vigil: refused on one line that says so (no stack trace, no "--db" for the app), the store left as it is', () => {
    const t = tempDir();
    try {
      const data = join(t.dir, 'data');
      const s = new Store(join(data, 'vigil.db'));
      s.sourceId('app', 'file');
      s.db.pragma('user_version = 999');
      s.close();
      const before = readFileSync(join(data, 'vigil.db'));
      const r = vigil('serve', '--data-dir', data, '--port', '0', '--token', 'testtoken123');
      expect([r.status, r.stderr]).toEqual([1, `vigil: the store ${join(data, 'vigil.db')} was made by a newer Vigil (schema version 999; this one knows up to ${MIGRATIONS.length}): update Vigil to open it, or use another store (it is left as it is)\n`]);
      expect(readFileSync(join(data, 'vigil.db')).equals(before)).toBe(true);
    } finally {
      t.cleanup();
    }
  });
  it('--host that is no address of this machine: said so (exit 2)', () => {
    const r = vigil('serve', '--data-dir', join(dir, 'serve-host'), '--host', '999.1.1.1', '--port', '0', '--token', 'testtoken123');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vigil: --host 999\.1\.1\.1 is not an address of this machine \(.*\); give one of its addresses, 0\.0\.0\.0 for all, or leave it out \(127\.0\.0\.1\)\n$/);
  });
  it('keeps running when its log cannot be written (stderr on a full disk): it exited at its first message', async () => {
    const t = tempDir();
    writeFileSync(join(t.dir, 'vigil.yml'), 'sources: []\n');
    const full = openSync('/dev/full', 'w');
    const srv = await startServe(['--port', '0', '--data-dir', t.dir, '--token', 'testtoken123'], {}, full);
    try {
      // Something to say: the file is made invalid, which is logged.
      writeFileSync(join(t.dir, 'vigil.yml'), 'sources: {}\n');
      await new Promise((r) => setTimeout(r, 1500));
      expect(srv.child.exitCode).toBeNull();
      const res = await fetch(`${new URL(srv.url).origin}/api/call/config.get`, { method: 'POST', headers: { authorization: 'Bearer testtoken123', 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).toContain('sources');
    } finally {
      expect(await srv.stop()).toBe(0);
      closeSync(full);
      t.cleanup();
    }
  });
  it('a data folder it cannot use is named, with why, in one line (exit 1)', () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const r = vigil('serve', '--data-dir', file, '--port', '0');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^vigil: cannot use the data folder ${file} .*: .*; it must be a folder Vigil can write\n$`));
  });

  it('a damaged store is called damaged, with how to recover it (not "a folder Vigil can write"); a vigil.db that is a folder is named so', () => {
    const t = tempDir();
    try {
      const db = join(t.dir, 'vigil.db');
      new Store(db).close();
      const inspect = new Database(db);
      const page = inspect.prepare("SELECT pageno FROM dbstat WHERE name = 'sources'").pluck().get() as number;
      const pageSize = inspect.pragma('page_size', { simple: true }) as number;
      inspect.close();
      const fd = openSync(db, 'r+');
      writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (page - 1) * pageSize);
      closeSync(fd);
      const r = vigil('serve', '--data-dir', t.dir, '--port', '0');
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`vigil: the store ${db} is damaged (database disk image is malformed): ${damageAdvice(db)}\n`);
      rmSync(db);
      mkdirSync(db);
      const folder = vigil('serve', '--data-dir', t.dir, '--port', '0');
      expect([folder.status, folder.stderr]).toEqual([2, `vigil: ${db} is a folder; it must be the store's file (move it away, and Vigil makes a new store)\n`]);
    } finally {
      t.cleanup();
    }
  });

  it.runIf(process.getuid?.() === 0)('a data folder on a read-only file system is said to be so, not blamed on permissions (root: a tmpfs remounted read-only)', () => {
    const t = tempDir();
    const ro = join(t.dir, 'ro');
    mkdirSync(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', ro]);
    try {
      new Store(join(ro, 'vigil.db')).close();
      execFileSync('mount', ['-o', 'remount,ro', ro]);
      const r = vigil('serve', '--data-dir', ro, '--port', '0');
      expect([r.status, r.stderr]).toEqual([1, `vigil: cannot use the data folder ${ro} (store ${join(ro, 'vigil.db')}): it is on a read-only file system; give Vigil a store on a disk it can write\n`]);
      // The store alone there (--db), the data folder elsewhere: the same.
      const elsewhere = join(t.dir, 'data');
      const db = vigil('serve', '--data-dir', elsewhere, '--db', join(ro, 'other.db'), '--port', '0');
      expect([db.status, db.stderr]).toEqual([1, `vigil: cannot use the data folder ${elsewhere} (store ${join(ro, 'other.db')}): it is on a read-only file system; give Vigil a store on a disk it can write\n`]);
    } finally {
      execFileSync('umount', ['-l', ro]);
      t.cleanup();
    }
  });

  it.runIf(process.getuid?.() === 0)('a store file this user may not write is named, with the user (run as nobody)', () => {
    const t = tempDir();
    try {
      chmodSync(t.dir, 0o777);
      const db = join(t.dir, 'vigil.db');
      new Store(db).close(); // root's, 0644
      const nobody = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'))!.split(':');
      const r = spawnSync(process.execPath, [join(repo, 'bin', 'vigil.js'), 'serve', '--data-dir', t.dir, '--port', '0'], {
        encoding: 'utf8',
        timeout: 30_000,
        uid: Number(nobody[2]),
        gid: Number(nobody[3]),
        env: { ...process.env, HOME: t.dir },
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`: ${db} cannot be read and written by this user (nobody); it must be a folder Vigil can write`);
    } finally {
      t.cleanup();
    }
  });
});
