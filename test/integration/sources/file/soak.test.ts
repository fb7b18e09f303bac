// A seeded, randomized soak: programs append (LF, CRLF, lines written in two halves),
// files are rotated every way a rotator does it (rotated files of the glob source also
// gzipped, at once or at the next rotation, also while the engine is down), truncated,
// deleted and recreated, new files appear, and the engine process is SIGKILLed and
// restarted at arbitrary moments.
// At the end every line must be stored exactly once, in order within each file.
//
// Reproduce a run: VIGIL_SOAK_SEED=<seed printed by the run> (the same draws; kills and the
// time down follow the clock, so the operations can still differ). Length: VIGIL_SOAK_MS
// (default 40000); VIGIL_SOAK_KILL_MS=300-1000 kills more often. To investigate a failure:
// VIGIL_SOAK_DEBUG=1 keeps the folder and prints files and checkpoints; VIGIL_CHILD_STDERR=<file>
// collects the engine processes' stderr.
// Operations that lose lines by nature (truncating or deleting a file holding lines nobody
// read yet; copytruncate whose copy the source does not match) are done only once the
// engine is running and has stored everything written so far: they test the handling,
// not the inherent limit (which rotation.test.ts states).
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineProcess } from '../../../support/engine-process.js';
import { mulberry32 } from '../../../support/prng.js';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { Writer } from './rig.js';

// CI runs a fixed seed (the one that found the half-line/copytruncate split), so its
// operations are the same every run; elsewhere each run picks a new seed. Timing still varies.
const SEED = Number(process.env.VIGIL_SOAK_SEED ?? (process.env.CI ? 405708873 : Math.floor(Math.random() * 2 ** 31)));
const DURATION_MS = Number(process.env.VIGIL_SOAK_MS ?? 40_000);
// Time between engine kills, ms (min-max). VIGIL_SOAK_KILL_MS=300-1000 kills three times as
// often: that found a line lost on a second stop while a rotated file was being read.
const [KILL_MIN, KILL_MAX] = (process.env.VIGIL_SOAK_KILL_MS ?? '1000-3500').split('-').map(Number) as [number, number];

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});


/** A program's log stream: lines tagged with the writer, its current file generation and a sequence number. */
class Program {
  gen = 0;
  seq = 0;
  readonly written: string[] = [];
  private w: Writer;
  private half: string | null = null;
  constructor(
    readonly name: string,
    readonly source: string,
    readonly path: string,
    readonly eol: string,
    private readonly rand: () => number,
  ) {
    this.w = new Writer(path);
  }
  append(n: number): void {
    this.finishHalf();
    let text = '';
    for (let i = 0; i < n; i++) text += this.line() + this.eol;
    this.w.raw(text);
  }
  /** The first half of a line now, the rest on the next write. */
  startHalf(): void {
    this.finishHalf();
    const l = this.line();
    const cut = 1 + Math.floor(this.rand() * (l.length - 1));
    this.w.raw(l.slice(0, cut));
    this.half = l.slice(cut);
  }
  finishHalf(): void {
    if (this.half === null) return;
    this.w.raw(this.half + this.eol);
    this.half = null;
  }
  /** The program reopens its log (after a rotation): a new file generation. */
  reopen(): void {
    this.finishHalf();
    this.w.reopen();
    this.gen++;
  }
  newGeneration(): void {
    this.gen++;
  }
  close(): void {
    this.finishHalf();
    this.w.close();
  }
  private line(): string {
    const l = `${this.name} g${this.gen} n${++this.seq} ${'z'.repeat(Math.floor(this.rand() * 120))}`;
    this.written.push(l);
    return l;
  }
}

function storedBySource(dbPath: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!existsSync(dbPath)) return out;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const rows = db.prepare('SELECT s.name AS source, r.raw AS raw FROM records r JOIN sources s ON s.id = r.source_id ORDER BY r.id').all() as { source: string; raw: string }[];
    for (const r of rows) {
      let l = out.get(r.source);
      if (!l) out.set(r.source, (l = []));
      l.push(r.raw);
    }
  } catch {
    /* not created yet */
  } finally {
    db.close();
  }
  return out;
}

/**
 * Where the repeated lines were stored (record, file row and its state, line number), and
 * every operation on the program's generations they belong to, with the kills and starts.
 */
function repeats(dbPath: string, program: string, twice: string[], ops: string[]): string {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT r.id, r.line_no, f.id AS file_id, f.path, f.state, f.ino, f.offset FROM records r LEFT JOIN files f ON f.id = r.file_id WHERE r.raw = ? ORDER BY r.id')
      .all(twice[0]) as object[];
    const gens = new Set(twice.map((l) => l.split(' ')[1]));
    const mentioned = ops.map((o, i) => `${i}:${o}`).filter((o) => o.includes('KILL') || o.includes('START') || [...gens].some((g) => o.includes(`${program}->${g}`) || o.includes(`gzip ${program}`)));
    return `${twice.length} lines of ${program} stored twice (${[...gens].join(', ')}); the first one, "${twice[0]!.slice(0, 40)}", in:\n${rows.map((r) => JSON.stringify(r)).join('\n')}\nops: ${mentioned.join(', ')}`;
  } finally {
    db.close();
  }
}

/** Lines stored per program (or per program and generation), counted in SQL. */
function storedCounts(dbPath: string, by: 'program' | 'gen' = 'program'): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync(dbPath)) return out;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const key = by === 'program' ? "substr(raw, 1, instr(raw, ' ') - 1)" : "substr(raw, 1, instr(raw, ' n') - 1)";
    for (const r of db.prepare(`SELECT ${key} AS k, count(*) AS n FROM records GROUP BY k`).all() as { k: string; n: number }[]) out.set(r.k, r.n);
  } catch {
    /* not created yet */
  } finally {
    db.close();
  }
  return out;
}

describe('file source: seeded soak', () => {
  it(`appends (some written in two halves), rotations, truncations and SIGKILLs (seed ${SEED}): every line exactly once, in order per file`, async () => {
    console.log(`soak seed: ${SEED} (VIGIL_SOAK_SEED=${SEED} to reproduce), duration ${DURATION_MS} ms`);
    const rand = mulberry32(SEED);
    // Compression decisions draw from their own sequence: the other operations stay those
    // the seed gave before compression was added (CI's seed found a real fault with them).
    const zrand = mulberry32(SEED ^ 0x5bd1e995);
    const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const { dir, cleanup } = tempDir();
    if (!process.env.VIGIL_SOAK_DEBUG) cleanups.push(cleanup);
    else console.log(`soak dir kept: ${dir}`);
    const dataDir = join(dir, 'data');
    for (const d of ['data', 'single', 'glob', 'dir']) mkdirSync(join(dir, d));
    writeFileSync(
      join(dataDir, 'vigil.yml'),
      [
        'sources:',
        `  - { name: single, type: file, path: ${join(dir, 'single', 'app.log')}, start: beginning }`,
        `  - { name: glob, type: file, path: '${join(dir, 'glob', 'app.log*')}', start: beginning }`,
        `  - { name: dir, type: file, path: ${join(dir, 'dir')}, include: '*.log', start: beginning }`,
        '',
      ].join('\n'),
    );
    const programs = [
      new Program('single', 'single', join(dir, 'single', 'app.log'), '\n', rand),
      new Program('glob', 'glob', join(dir, 'glob', 'app.log'), '\n', rand),
      new Program('svc', 'dir', join(dir, 'dir', 'svc.log'), '\r\n', rand),
    ];
    const extras: Program[] = [];
    cleanups.push(() => [...programs, ...extras].forEach((p) => p.close()));
    const dbPath = join(dataDir, 'vigil.db');
    const opts = { dataDir, fileOptions: { tickMs: 100, rotateWaitMs: 400 } };
    let engine: EngineProcess | null = await EngineProcess.start(opts);
    cleanups.push(() => engine?.stop());
    const ops: string[] = [];
    const counts = { kills: 0, rename: 0, gzip: 0, copytruncate: 0, truncate: 0, recreate: 0, half: 0, newFile: 0, appends: 0 };

    const all = () => [...programs, ...extras];
    /** Everything written so far is stored (the engine must be running). */
    const caughtUp = async () => {
      for (const p of all()) p.finishHalf(); // a half-written line cannot be stored yet
      try {
        await waitFor(
          () => {
            const stored = storedCounts(dbPath);
            return all().every((p) => (stored.get(p.name) ?? 0) >= p.written.length);
          },
          { what: `caught up (seed ${SEED})`, timeoutMs: 30_000, intervalMs: 50 },
        );
      } catch (err) {
        throw diagnose(err);
      }
    };
    const diagnose = (err: unknown) => {
      const stored = storedBySource(dbPath);
      const report = all().map((p) => {
        const mine = new Set((stored.get(p.source) ?? []).filter((l) => l.startsWith(p.name + ' ')));
        const missing = p.written.filter((l) => !mine.has(l));
        return `${p.name}: ${missing.length} missing of ${p.written.length}: ${missing.slice(0, 5).map((l) => l.slice(0, 30)).join(' | ')}`;
      });
      const listing = ['single', 'glob', 'dir'].flatMap((d) =>
        readdirSync(join(dir, d)).map((f) => {
          const st = statSync(join(dir, d, f));
          return `${d}/${f} ino=${st.ino} size=${st.size}`;
        }),
      );
      let files = '';
      try {
        const db = new Database(dbPath, { readonly: true });
        files = (db.prepare('SELECT id, source_id, path, ino, offset, size, state FROM files ORDER BY id').all() as object[]).map((r) => JSON.stringify(r)).join('\n');
        db.close();
      } catch {
        /* none */
      }
      return new Error(`${(err as Error).message}\n${report.join('\n')}\nfiles now:\n${listing.join('\n')}\ncheckpoints:\n${files}\nlast ops: ${ops.slice(-25).join(', ')}\nstatus: ${JSON.stringify(engine?.views.map((v) => [v.config.name, v.status]))}\nstderr: ${engine?.stderr.slice(-2000)}`);
    };
    /** logrotate's numbering: .1 -> .2 -> ...; kept long enough that no unread file is overwritten. */
    const shift = (base: string) => {
      for (let i = 99; i >= 1; i--) {
        for (const ext of ['', '.gz']) if (existsSync(`${base}.${i}${ext}`)) renameSync(`${base}.${i}${ext}`, `${base}.${i + 1}${ext}`);
      }
    };
    /**
     * logrotate's `compress` on the glob source (its rotated names are matched, .gz too):
     * app.log.N becomes app.log.N.gz (the name is free: shift moved the archives on too).
     * N = 1 right after the rotation (`compress`), N = 2 at the next one (`delaycompress`).
     */
    const maybeGzip = (q: Program, where: string) => {
      if (q.name !== 'glob' || zrand() < 0.5) return;
      const n = zrand() < 0.5 ? 1 : 2;
      if (!existsSync(`${q.path}.${n}`)) return;
      execFileSync('gzip', [`${q.path}.${n}`]);
      counts.gzip++;
      ops.push(`${where}gzip ${q.name}.${n}`);
    };
    /**
     * The engine has met the program's current file (stored a line of this generation).
     * A file renamed to a name the source does not match before the engine ever saw it
     * cannot be found by anyone: rotations that fast are outside what can be promised.
     */
    const seen = (p: Program) => (storedCounts(dbPath, 'gen').get(`${p.name} g${p.gen}`) ?? 0) > 0;
    const makeSeen = async (p: Program) => {
      if (!p.written.some((l) => l.startsWith(`${p.name} g${p.gen} `))) p.append(1);
      await waitFor(() => seen(p), { what: `engine saw ${p.name} g${p.gen} (seed ${SEED})`, timeoutMs: 30_000, intervalMs: 20 }).catch((err) => {
        throw diagnose(err);
      });
    };

    const end = Date.now() + DURATION_MS;
    let nextKill = Date.now() + KILL_MIN + rand() * (KILL_MAX - KILL_MIN);
    while (Date.now() < end) {
      const p = pick(programs);
      const r = rand();
      if (Date.now() >= nextKill && engine) {
        await engine.kill();
        engine = null;
        counts.kills++;
        ops.push('KILL');
        // Down for a while: programs keep writing, rotations that lose nothing go on: the
        // glob source's (its rotated names are matched), and one of the single file's if the
        // engine knew that file (it finds it again by inode).
        let singleMayRotate = seen(programs[0]!);
        const downUntil = Date.now() + rand() * 600;
        while (Date.now() < downUntil) {
          const a = pick(programs);
          a.append(1 + Math.floor(rand() * 50));
          ops.push(`down-appends ${a.name}->g${a.gen}`);
          const q = pick(programs);
          if (rand() < 0.15 && (q.name === 'glob' || (q.name === 'single' && singleMayRotate))) {
            if (q.name === 'single') singleMayRotate = false;
            shift(q.path);
            renameSync(q.path, `${q.path}.1`);
            writeFileSync(q.path, '');
            q.append(Math.floor(rand() * 5));
            q.reopen();
            counts.rename++;
            ops.push(`down-rename ${q.name}->g${q.gen}`);
            maybeGzip(q, 'down-');
          }
          await new Promise((res) => setTimeout(res, 10));
        }
        engine = await EngineProcess.start(opts);
        ops.push('START');
        nextKill = Date.now() + KILL_MIN + rand() * (KILL_MAX - KILL_MIN);
        continue;
      }
      if (r < 0.6) {
        p.append(1 + Math.floor(rand() * 300));
        counts.appends++;
        ops.push(`appends ${p.name}->g${p.gen}`);
      } else if (r < 0.68) {
        p.startHalf();
        counts.half++;
        ops.push(`half ${p.name}->g${p.gen}`);
      } else if (r < 0.78) {
        // logrotate `create`: shift, rename, new file; a few late lines before the program reopens.
        p.finishHalf();
        if (p.name !== 'glob') await makeSeen(p); // its rotated names are not matched
        shift(p.path); // svc.log.N is not matched by include '*.log'
        renameSync(p.path, `${p.path}.1`);
        writeFileSync(p.path, '');
        p.append(Math.floor(rand() * 10));
        p.reopen();
        counts.rename++;
        ops.push(`rename ${p.name}->g${p.gen}`);
        maybeGzip(p, '');
      } else if (r < 0.85 && (p.name === 'glob' || engine)) {
        // logrotate `copytruncate`. Its copy is matched only by the glob source; elsewhere
        // the unread window would be lost by nature, so only once everything is stored.
        p.finishHalf();
        if (p.name !== 'glob') await caughtUp();
        shift(p.path);
        copyFileSync(p.path, `${p.path}.1`);
        truncateSync(p.path, 0);
        p.newGeneration();
        counts.copytruncate++;
        ops.push(`copytruncate ${p.name}->g${p.gen}`);
      } else if (r < 0.9 && engine) {
        p.finishHalf();
        await caughtUp();
        truncateSync(p.path, 0); // `> file`
        p.newGeneration();
        counts.truncate++;
        ops.push(`truncate ${p.name}->g${p.gen}`);
      } else if (r < 0.95 && engine) {
        // Deleted and recreated; lines written to the deleted file are still read, once the
        // engine has met the file (one deleted before anybody opened it is out of reach).
        p.finishHalf();
        await makeSeen(p);
        await caughtUp();
        unlinkSync(p.path);
        p.append(Math.floor(rand() * 5));
        await caughtUp();
        writeFileSync(p.path, '');
        p.reopen();
        counts.recreate++;
        ops.push(`recreate ${p.name}->g${p.gen}`);
      } else if (r < 0.97 && extras.length < 20) {
        const x = new Program(`extra${extras.length}`, 'dir', join(dir, 'dir', `extra${extras.length}.log`), '\n', rand);
        extras.push(x);
        x.append(1 + Math.floor(rand() * 20));
        counts.newFile++;
        ops.push(`newFile ${p.name}->g${p.gen}`);
      } else if (extras.length) {
        pick(extras).append(1 + Math.floor(rand() * 20));
      }
      await new Promise((res) => setTimeout(res, rand() * 15));
    }
    for (const p of all()) p.finishHalf();
    engine ??= await EngineProcess.start(opts);
    await caughtUp();
    // A little longer, for anything that would come twice.
    await new Promise((res) => setTimeout(res, 500));
    expect(await engine.stop()).toBe(0);
    engine = null;
    const written = all().reduce((n, p) => n + p.written.length, 0);
    console.log(`soak seed ${SEED}: ${written} lines, ${JSON.stringify(counts)}`);

    const stored = storedBySource(dbPath);
    if (process.env.VIGIL_SOAK_DEBUG) console.log(diagnose(new Error('debug')).message.replace(/last ops: .*/, `ops: ${ops.join(', ')}`));
    for (const p of all()) {
      const mine = (stored.get(p.source) ?? []).filter((l) => l.startsWith(p.name + ' '));
      const seenOnce = new Set<string>();
      const twice = mine.filter((l) => (seenOnce.has(l) ? true : (seenOnce.add(l), false)));
      // A repeat found by a seed CI did not try: enough to find its cause without rerunning.
      if (twice.length) console.log(repeats(dbPath, p.name, twice, ops));
      // Exactly once: same lines, same count.
      expect([...mine].sort(), `seed ${SEED}: ${p.name} lines`).toEqual([...p.written].sort());
      // In order within each file generation (one file's content from creation to rotation/truncation).
      const byGen = new Map<string, number[]>();
      for (const l of mine) {
        const [, g, n] = l.split(' ');
        const arr = byGen.get(g!) ?? [];
        arr.push(Number(n!.slice(1)));
        byGen.set(g!, arr);
      }
      for (const [g, seqs] of byGen) {
        expect(seqs, `seed ${SEED}: ${p.name} ${g} in order`).toEqual([...seqs].sort((a, b) => a - b));
      }
    }
  });
});
