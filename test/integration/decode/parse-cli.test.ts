import { describe, expect, it } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCommand } from '../../../electron/cli/parse.js';
import { generateMixFile } from '../../bench/decode.bench.js';
import { REPO_ROOT, corpusAvailable, logPath, parseCsv, readStructured } from './corpus.js';

async function run(args: string[], stdin?: Buffer | string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await parseCommand(args, { stdout, stderr, ...(stdin === undefined ? {} : { stdin: Readable.from([stdin]) }) });
  return { code, out, err };
}

const fixture = (n: string) => resolve(REPO_ROOT, 'test', 'fixtures', 'formats', n);

describe('vigil parse', () => {
  it('CSV: one row per line, multi-line records share an EventId, RFC 4180 quoting', async () => {
    const { code, out, err } = await run([fixture('log4j-stack.log')]);
    expect(code).toBe(0);
    expect(err).toMatch(/log4j/);
    const rows = parseCsv(out);
    expect(rows[0]).toEqual(['LineId', 'EventId', 'EventTemplate', 'Timestamp', 'Level', 'Format']);
    const body = rows.slice(1);
    expect(body.map((r) => r[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(new Set(body.slice(1, 8).map((r) => r[1])).size).toBe(1);
    expect(body[1]![1]).not.toBe(body[0]![1]);
    expect(body[1]![4]).toBe('error');
    expect(body[1]![5]).toBe('log4j');
    expect(body[0]![3]).toBe(new Date(2024, 4, 1, 10, 0, 0, 123).toISOString());
    // A multi-line record's template comes from its first line.
    expect(body[1]![2]).toBe('Order <*> failed');
  });

  it('CSV fields with commas and quotes are quoted (RFC 4180)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-parse-'));
    const f = join(dir, 'q.log');
    writeFileSync(f, '2024-05-01T10:00:00Z ERROR disk "sda", 91% full\r\n');
    const { code, out } = await run([f]);
    expect(code).toBe(0);
    expect(out.split('\r\n')[1]).toBe('1,E1,"disk ""sda"", <*> full",2024-05-01T10:00:00.000Z,error,iso-level');
    expect(parseCsv(out)[1]![2]).toBe('disk "sda", <*> full');
  });

  it('CSV of a corpus file: 2000 rows, every line a timestamp, ids group like the templates', async () => {
    if (!corpusAvailable()) return;
    const { code, out } = await run([logPath('Apache'), '--format', 'csv']);
    expect(code).toBe(0);
    const body = parseCsv(out).slice(1);
    expect(body).toHaveLength(2000);
    expect(body.every((r) => r[3]!.length > 0 && r[5] === 'apache-error')).toBe(true);
    const truth = readStructured('Apache');
    expect(new Set(body.map((r) => r[1])).size).toBe(new Set(truth.map((r) => r.EventTemplate)).size);
  });

  it('JSONL: one object per record with lines, format, time, level, message and template', async () => {
    const { code, out } = await run([fixture('python-traceback.log'), '--format=jsonl']);
    expect(code).toBe(0);
    const objs = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(objs).toHaveLength(3);
    expect(objs[1]).toMatchObject({ firstLine: 2, lastLine: 6, format: 'python', level: 'error' });
    expect(objs[1].message.startsWith('query failed\nTraceback')).toBe(true);
    expect(typeof objs[1].template_id).toBe('number');
    expect(typeof objs[1].template).toBe('string');
    expect(objs[0].ts).toBe(new Date(2024, 4, 1, 10, 0, 0, 1).toISOString());
  });

  it('a line longer than 1 MiB is cut there (whole characters) and marked truncated, as a source stores it; the next line is whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-parse-'));
    const f = join(dir, 'long.log');
    const long = 'é'.repeat(1_600_000); // 3.2 MB
    writeFileSync(f, `2024-05-01T10:00:00Z INFO first\n2024-05-01T10:00:01Z ERROR ${long}\n2024-05-01T10:00:02Z INFO last\n`);
    const { code, out } = await run([f, '--format', 'jsonl']);
    const csv = await run([f]);
    rmSync(dir, { recursive: true });
    expect(code).toBe(0);
    const objs = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(objs.map((o) => [o.firstLine, o.level, o.truncated ?? false])).toEqual([
      [1, 'info', false],
      [2, 'error', true],
      [3, 'info', false],
    ]);
    expect(objs[1].message).toBe('é'.repeat((1024 * 1024 - 27) >> 1)); // what fits in 1 MiB after the line's 27-byte head
    expect(objs[2].message).toBe('last');
    expect(csv.out.trim().split('\r\n').map((l) => l.split(',')[0])).toEqual(['LineId', '1', '2', '3']);
  });

  it('- reads standard input: what the same file prints, gzip too; the built CLI reads a real pipe', async () => {
    const file = fixture('log4j-stack.log');
    const want = await run([file, '--format', 'jsonl']);
    const text = readFileSync(file);
    expect(await run(['-', '--format', 'jsonl'], text)).toEqual(want);
    expect(await run(['-', '--format', 'jsonl'], gzipSync(text))).toEqual(want);
    const built = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'vigil.js'), 'parse', '-', '--format', 'jsonl'], { input: text, encoding: 'utf8' });
    expect(built.status).toBe(0);
    expect(built.stdout).toBe(want.out);
  });

  it('--log-format forces a format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-parse-'));
    const f = join(dir, 'x.log');
    writeFileSync(f, 'plain line one\nplain line two\n');
    const { code, out } = await run([f, '--log-format', 'generic', '--format', 'jsonl']);
    expect(code).toBe(0);
    expect(out.trim().split('\n').map((l) => JSON.parse(l).format)).toEqual(['generic', 'generic']);
  });

  it('--log-format naming a format the file is not: says how many lines it could not read, and that the choice came from --log-format', async () => {
    if (!corpusAvailable()) return;
    const bgl = logPath('BGL');
    const wrong = await run([bgl, '--log-format', 'hdfs']);
    expect(wrong.code).toBe(0);
    expect(wrong.err).toContain('vigil parse: hdfs (forced): hdfs forced by --log-format\n');
    expect(wrong.err).toMatch(/vigil parse: --log-format hdfs could not read (\d{4}) of 2000 lines; each is taken as a line of the record before it, or decoded as generic: is it this file's format\?/);
    expect(Number(/could not read (\d+)/.exec(wrong.err)![1])).toBeGreaterThan(1900);
    // The right one: no such word.
    const right = await run([logPath('HDFS'), '--log-format', 'hdfs']);
    expect(right.err).not.toContain('could not read');
  });

  it('JSONL gives the time as written and what it was taken to be (a syslog line says no year or zone)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-parse-'));
    const f = join(dir, 'sys.log');
    writeFileSync(f, 'Nov 21 10:00:00 web1 sshd[42]: Accepted publickey\n');
    const { out } = await run([f, '--format', 'jsonl']);
    expect(JSON.parse(out.trim())).toMatchObject({ tsText: 'Nov 21 10:00:00', tsAssumed: 'year+zone' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('-- ends the options: a file whose name starts with a dash is read (as with cat, tail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-parse-'));
    const f = join(dir, '-weird.log');
    writeFileSync(f, '2026-01-01T00:00:00Z INFO hello\n');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { code, out, err } = await run(['--format', 'jsonl', '--', '-weird.log']);
      expect(err).not.toMatch(/unknown option/);
      expect(code).toBe(0);
      expect(JSON.parse(out.trim()).message).toBe('hello');
      expect((await run(['--', '-weird.log', 'other.log'])).err).toMatch(/only one FILE/);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['/nonexistent/file.log'], /cannot read \/nonexistent\/file.log: ENOENT/],
    [[], /FILE is required/],
    [['a.log', '--format', 'xml'], /--format must be csv or jsonl/],
    [['a.log', '--bogus'], /unknown option --bogus/],
    [['a.log', '--format'], /--format needs a value/],
  ])('exits 2 with a clear message for %j', async (args, msg) => {
    const { code, err, out } = await run(args);
    expect(code).toBe(2);
    expect(err).toMatch(msg);
    expect(out).toBe('');
  });

  it('a big file mined on two decode threads (the built CLI) prints what one thread prints (from source)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-parse-'));
    const f = join(dir, 'mix.log');
    // Above the size from which the first pass runs on workers (64 MiB); eight formats and stack traces.
    await generateMixFile(f, 65 << 20);
    // Runs the built CLI (npm test builds before running the suites).
    const built = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'vigil.js'), 'parse', f], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 240_000 });
    const here = await run([f]);
    rmSync(dir, { recursive: true });
    expect(built.status).toBe(0);
    // The built CLI mined on its decode threads (from source there are none) and says so.
    expect(built.stderr).toBe(here.err + 'vigil parse: templates mined with two decode threads\n');
    expect(built.stdout.length).toBe(here.out.length);
    // One comparison of the whole output (a diff of a million rows would not help).
    expect(built.stdout === here.out).toBe(true);
  }, 300_000);

  it('free text, more templates than the miner keeps: every line, each its own template as it stands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-parse-'));
    const f = join(dir, 'free.log');
    let a = 7;
    const rnd = () => (a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 4294967296;
    const word = () => Array.from({ length: 3 + Math.floor(rnd() * 6) }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join('');
    const msgs = Array.from({ length: 55_000 }, () => Array.from({ length: 3 + Math.floor(rnd() * 5) }, word).join(' '));
    writeFileSync(f, msgs.map((m) => `2026-11-21T10:00:00Z INFO ${m}\n`).join(''));
    const { code, out } = await run([f]);
    rmSync(dir, { recursive: true });
    expect(code).toBe(0);
    const body = parseCsv(out).slice(1);
    expect(body).toHaveLength(55_000);
    expect(body.map((r) => r[2])).toEqual(msgs);
  }, 120_000);

  it('--config: the formats of a vigil.yml are known, detected and forced as the engine reads them; a broken one is refused with its key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-parse-'));
    const f = join(dir, 'pay.log');
    writeFileSync(f, '2026-11-22T10:00:00Z|E|payment 17 failed\n2026-11-22T10:00:01Z|I|payment 18 ok\n');
    const cfg = join(dir, 'vigil.yml');
    writeFileSync(cfg, "formats:\n  - name: payfmt\n    kind: regex\n    regex: '^(?<timestamp>\\S+?)\\|(?<level>[EI])\\|(?<message>.*)$'\n    level: { map: { E: error, I: info } }\n");
    for (const args of [[f, '--config', cfg], [f, '--config', cfg, '--log-format', 'payfmt']]) {
      const { code, out } = await run(args);
      expect(code, args.join(' ')).toBe(0);
      expect(parseCsv(out).slice(1).map((r) => [r[4], r[5]])).toEqual([['error', 'payfmt'], ['info', 'payfmt']]);
    }
    const broken = join(dir, 'broken.yml');
    writeFileSync(broken, "formats:\n  - { name: ok, kind: json }\n  - { name: bad, kind: regex, regex: '(' }\n");
    const r = await run([f, '--config', broken]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^vigil parse: invalid config .*broken\.yml:\nformats\.1: regex does not compile/);
  });

  it('an option given twice is refused (the last was kept)', async () => {
    const r = await run([fixture('log4j-stack.log'), '--format', 'csv', '--format', 'jsonl']);
    expect([r.code, r.err]).toEqual([2, expect.stringMatching(/^vigil parse: --format is given twice \(csv and jsonl\): give it once\n/)]);
  });

  it('exits 2 for an unknown --log-format, listing the known ones', async () => {
    const { code, err } = await run([fixture('glog.log'), '--log-format', 'nope']);
    expect(code).toBe(2);
    expect(err).toMatch(/unknown log format "nope"; known: generic, .*syslog/);
  });

  it('a gzip or zstd file prints what the file itself prints (lnav reads rotated archives too)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-parse-'));
    try {
      const plain = fixture('log4j-stack.log');
      const gz = join(dir, 'app.log.2.gz');
      const zst = join(dir, 'app.log.3.zst');
      writeFileSync(gz, execFileSync('gzip', ['-c', plain]));
      writeFileSync(zst, execFileSync('zstd', ['-q', '-c', plain]));
      const want = await run([plain, '--format', 'jsonl']);
      expect(want.out.split('\n').length).toBeGreaterThan(2);
      for (const f of [gz, zst]) {
        const got = await run([f, '--format', 'jsonl']);
        expect(got.code).toBe(0);
        expect(got.out).toBe(want.out);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a zstd file of several frames (pzstd, cat a.zst b.zst) is read whole; a cut-off zstd or gzip file gives the lines before the cut, then says so, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-parse-'));
    try {
      // Enough of them, and varied enough, for several zstd blocks: a cut leaves whole blocks before it.
      const lines = Array.from({ length: 20_000 }, (_, i) => `2026-11-22T10:00:${String(i % 60).padStart(2, '0')}Z INFO request ${i} served in ${(i * 7919) % 1009} ms id=${((i * 2654435761) >>> 0).toString(16)}`);
      const half = (a: number, b: number) => Buffer.from(lines.slice(a, b).join('\n') + '\n');
      const frames = join(dir, 'app.log.zst');
      writeFileSync(frames, Buffer.concat([zstdCompressSync(half(0, 10_000)), zstdCompressSync(half(10_000, 20_000))]));
      const whole = await run([frames, '--format', 'jsonl']);
      expect(whole.code).toBe(0);
      expect(whole.out.trim().split('\n').map((l) => JSON.parse(l).message)).toEqual(lines.map((l) => l.slice(26)));

      const all = Buffer.from(lines.join('\n') + '\n');
      for (const [name, bytes, why] of [
        ['cut.zst', zstdCompressSync(all), /the zstd data is cut off: its frame at byte 0 gave \d+ of its \d+ bytes/],
        ['cut.gz', gzipSync(all), /the gzip data is damaged or cut off \(unexpected end of file\)/],
      ] as const) {
        const path = join(dir, name);
        writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
        const r = await run([path, '--format', 'jsonl']);
        const got = r.out.trim().split('\n').map((l) => JSON.parse(l) as { firstLine: number; message: string });
        expect(r.code, name).toBe(1);
        expect(r.err.trim().split('\n').at(-1), name).toMatch(new RegExp(`^vigil parse: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${why.source}; the ${got.length} lines before it were read$`));
        // The lines before the cut, as written (the one the cut went through is given as far as it got).
        expect(got.length, name).toBeGreaterThan(100);
        expect(got.slice(0, -1).map((o) => o.message), name).toEqual(lines.slice(0, got.length - 1).map((l) => l.slice(26)));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 for a binary file (an executable, a journal file, gzipped or not), saying what it is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-parse-'));
    try {
      const journal = join(dir, 'system.journal');
      writeFileSync(journal, Buffer.concat([Buffer.from('LPKSHHRH'), Buffer.alloc(4096, 7)]));
      writeFileSync(`${journal}.gz`, gzipSync(readFileSync(journal)));
      for (const [file, what] of [[process.execPath, /an? (ELF|Mach-O) executable|binary content/], [journal, /a systemd journal file, not a text log/], [`${journal}.gz`, /gzip-compressed a systemd journal file/]] as const) {
        const { code, out, err } = await run([file]);
        expect(code).toBe(2);
        expect(out).toBe('');
        expect(err).toMatch(/cannot read /);
        expect(err).toMatch(what);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 for an xz file, saying which compressions it reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-parse-'));
    try {
      const xz = join(dir, 'app.log.4.xz');
      writeFileSync(xz, execFileSync('xz', ['-c', fixture('glog.log')]));
      const { code, out, err } = await run([xz]);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toMatch(/cannot read .*app\.log\.4\.xz: xz-compressed: xz is not supported \(Vigil reads gzip and zstd\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
