// The systemd journal through the real journalctl, on a real journal folder: its files are
// written by systemd-journal-remote (apt package systemd-journal-remote) from journald's
// export format, as journald itself would append them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../../electron/engine/engine.js';
import { journalctlArgs } from '../../../../electron/engine/sources/journald/journald-source.js';
import { tempDir, waitFor } from '../../../support/tmp.js';

const REMOTE = '/lib/systemd/systemd-journal-remote';
const haveJournal = existsSync(REMOTE) && spawnSync('journalctl', ['--version']).status === 0;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Entry {
  message: string;
  extra?: Record<string, string>;
  priority?: number;
  identifier?: string;
  unit?: string;
  pid?: number;
}

let clock = Date.UTC(2026, 10, 22, 8, 0, 0) * 1000;
let mono = 1_000_000;
/** When entry `message` was written (epoch ms), as the journal says. */
const writtenAt = new Map<string, number>();

/** Appends entries to the journal in `dir`, as journald would. */
function journal(dir: string, entries: Entry[]): void {
  const text = entries
    .map((e) => {
      clock += 1_000_000;
      mono += 1_000_000;
      writtenAt.set(e.message, clock / 1000);
      return [
        `__REALTIME_TIMESTAMP=${clock}`,
        `__MONOTONIC_TIMESTAMP=${mono}`,
        '_BOOT_ID=0123456789abcdef0123456789abcdef',
        '_HOSTNAME=web1',
        `MESSAGE=${e.message}`,
        `PRIORITY=${e.priority ?? 6}`,
        ...(e.identifier ? [`SYSLOG_IDENTIFIER=${e.identifier}`] : []),
        ...(e.unit ? [`_SYSTEMD_UNIT=${e.unit}`] : []),
        ...(e.pid ? [`_PID=${e.pid}`] : []),
        ...Object.entries(e.extra ?? {}).map(([k, v]) => `${k}=${v}`),
      ].join('\n');
    })
    .join('\n\n');
  execFileSync(REMOTE, [`--output=${join(dir, 'remote.journal')}`, '-'], { input: text + '\n\n', stdio: ['pipe', 'ignore', 'ignore'] });
}

async function vigil(dir: string, source: string): Promise<Engine> {
  writeFileSync(join(dir, 'vigil.yml'), `sources:\n${source}\nchannels: []\nrules: []\n`);
  const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined, sources: { journaldOptions: { retryMinMs: 100, retryMaxMs: 500 } } });
  return engine;
}

async function statusOf(engine: Engine, name: string) {
  return (await engine.handlers['sources.list']({} as never)).find((v) => v.config.name === name)?.status;
}

function stored(engine: Engine, source = 'sys'): { message: string; level: string | null; ts: number; path: string | null }[] {
  return engine.store.db.prepare('SELECT message, level, ts, path FROM events WHERE source = ? ORDER BY id').all(source) as never;
}

function setup(): { dir: string; journalDir: string } {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const journalDir = join(dir, 'journal');
  mkdirSync(journalDir);
  return { dir, journalDir };
}

describe('journald source: journalctl arguments', () => {
  it('goes on from the stored cursor, else from the beginning or the end; units or identifiers', () => {
    const args = journalctlArgs({ name: 's', type: 'journald' }, { cursor: 'c1', beginning: false });
    expect(args.filter((a) => !a.startsWith('--output-fields='))).toEqual(['--follow', '--output=json', '--all', '--no-pager', '--quiet', '--cursor=c1', '--no-tail']);
    // Not a core dump's binary field: it made a line too long to be JSON when cut.
    expect(args.find((a) => a.startsWith('--output-fields='))).toMatch(/^--output-fields=MESSAGE,PRIORITY,SYSLOG_IDENTIFIER,/);
    expect(args.find((a) => a.startsWith('--output-fields='))).not.toMatch(/COREDUMP(,|$)/);
    expect(journalctlArgs({ name: 's', type: 'journald', directory: '/j' }, { cursor: null, beginning: true })).toContain('--no-tail');
    expect(journalctlArgs({ name: 's', type: 'journald' }, { cursor: null, beginning: false })).toContain('--lines=0');
    const unitArgs = journalctlArgs({ name: 's', type: 'journald', units: ['a.service', 'b.service'], identifiers: ['sshd'] }, { cursor: null, beginning: false });
    expect(unitArgs.slice(-4)).toEqual(['_SYSTEMD_UNIT=a.service', '_SYSTEMD_UNIT=b.service', '+', 'SYSLOG_IDENTIFIER=sshd']);
  });
});

describe.skipIf(!haveJournal)('journald source (real journalctl, journal files written by systemd-journal-remote)', () => {
  it('reads every entry once, in order, across a journalctl that dies and a restart of Vigil: identifier, level and time from the entry', async () => {
    const { dir, journalDir } = setup();
    journal(journalDir, [
      { message: 'Started nginx', identifier: 'systemd', pid: 1 },
      { message: 'Failed password for root from 10.0.0.9 port 4711 ssh2', identifier: 'sshd', pid: 812, priority: 3 },
      { message: 'low disk space on /var', identifier: 'kernel', priority: 4 },
    ]);
    const cfg = `  - name: sys\n    type: journald\n    directory: ${journalDir}\n    start: beginning`;
    let engine = await vigil(dir, cfg);
    cleanups.push(() => engine.close());
    await waitFor(() => stored(engine).length === 3, { what: 'the 3 entries' });
    const first = stored(engine);
    expect(first.map((r) => r.message)).toEqual(['systemd[1]: Started nginx', 'sshd[812]: Failed password for root from 10.0.0.9 port 4711 ssh2', 'kernel: low disk space on /var']);
    expect(first.map((r) => r.level)).toEqual(['info', 'error', 'warn']);
    expect(first[1]!.ts).toBe(writtenAt.get('Failed password for root from 10.0.0.9 port 4711 ssh2'));
    expect((await statusOf(engine, 'sys'))?.state).toBe('watching');

    // Appended while followed.
    journal(journalDir, [{ message: 'five', identifier: 'app' }, { message: 'six', identifier: 'app' }]);
    await waitFor(() => stored(engine).length === 5, { what: 'the appended entries' });

    // journalctl dies: it is started again after the last entry stored.
    spawnSync('pkill', ['-KILL', '-f', `journalctl.*--directory=${journalDir}`]);
    journal(journalDir, [{ message: 'seven', identifier: 'app' }]);
    await waitFor(() => stored(engine).length === 6, { what: 'the entry written while journalctl was down' });

    // Vigil stops; entries written meanwhile are read at its next start.
    await engine.close();
    journal(journalDir, [{ message: 'eight', identifier: 'app' }, { message: 'nine', identifier: 'app', priority: 2 }]);
    engine = await vigil(dir, cfg);
    await waitFor(() => stored(engine).length === 8, { what: 'the entries written while Vigil was stopped' });
    await new Promise((r) => setTimeout(r, 500));
    const all = stored(engine);
    expect(all.map((r) => r.message.replace(/^\w+(\[\d+\])?: /, ''))).toEqual([
      'Started nginx',
      'Failed password for root from 10.0.0.9 port 4711 ssh2',
      'low disk space on /var',
      'five',
      'six',
      'seven',
      'eight',
      'nine',
    ]);
    expect(all.at(-1)!.level).toBe('critical');
    // One number per entry, going on across journalctl's restarts and Vigil's (an anomaly's evidence lines name entries).
    expect(engine.store.db.prepare("SELECT line_no FROM events WHERE source = 'sys' ORDER BY id").pluck().all()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a backlog of 50 entries written while Vigil was stopped is read whole at its start (journalctl --follow shows 10 unless told)', async () => {
    const { dir, journalDir } = setup();
    journal(journalDir, [{ message: 'seed', identifier: 'app' }]);
    const cfg = `  - name: sys\n    type: journald\n    directory: ${journalDir}\n    start: beginning`;
    let engine = await vigil(dir, cfg);
    cleanups.push(() => engine.close());
    await waitFor(() => stored(engine).length === 1, { what: 'the seed' });
    await engine.close();
    journal(journalDir, Array.from({ length: 50 }, (_, i) => ({ message: `while stopped ${i}`, identifier: 'app' })));
    engine = await vigil(dir, cfg);
    await waitFor(() => stored(engine).length === 51, { what: 'all 50 entries of the backlog', timeoutMs: 10_000 });
  });

  it("an entry with a field of megabytes (a core dump's) is stored as an entry: its message and its level", async () => {
    const { dir, journalDir } = setup();
    journal(journalDir, [{ message: 'Process 4242 (myapp) of user 1000 dumped core.', identifier: 'systemd-coredump', priority: 2, extra: { COREDUMP: 'Z'.repeat(1_500_000) } }]);
    const engine = await vigil(dir, `  - name: sys\n    type: journald\n    directory: ${journalDir}\n    start: beginning`);
    cleanups.push(() => engine.close());
    await waitFor(() => stored(engine).length === 1, { what: 'the entry' });
    expect(stored(engine)[0]).toMatchObject({ message: 'systemd-coredump: Process 4242 (myapp) of user 1000 dumped core.', level: 'critical' });
  });

  it("a service's trace, one entry per line, is one record; another process's indented line next to it is not part of it", async () => {
    const { dir, journalDir } = setup();
    const app = { identifier: 'app', unit: 'app.service', pid: 4242, priority: 3 };
    journal(journalDir, [
      { message: 'ERROR:root:job failed', ...app },
      { message: 'Traceback (most recent call last):', ...app },
      { message: '  File "/srv/app.py", line 3, in <module>', ...app },
      { message: '    main()', ...app },
      { message: 'ValueError: bad input', ...app },
      { message: '  (root) CMD (run-parts /etc/cron.hourly)', identifier: 'CRON', unit: 'cron.service', pid: 77 },
      { message: 'next job started', ...app, priority: 6 },
    ]);
    const engine = await vigil(dir, `  - name: sys\n    type: journald\n    directory: ${journalDir}\n    start: beginning`);
    cleanups.push(() => engine.close());
    await waitFor(() => stored(engine).length === 3, { what: 'the 3 records' });
    await new Promise((r) => setTimeout(r, 300));
    const rows = engine.store.db.prepare("SELECT message, level, line_no, line_end FROM events WHERE source = 'sys' ORDER BY id").all();
    expect(rows).toEqual([
      {
        message: 'app[4242]: ERROR:root:job failed\nTraceback (most recent call last):\n  File "/srv/app.py", line 3, in <module>\n    main()\nValueError: bad input',
        level: 'error',
        line_no: 1,
        line_end: 5,
      },
      { message: 'CRON[77]:   (root) CMD (run-parts /etc/cron.hourly)', level: 'info', line_no: 6, line_end: 6 },
      { message: 'app[4242]: next job started', level: 'info', line_no: 7, line_end: 7 },
    ]);
    // Found as a crash, as the same trace in a file is (its raw lines are JSON: the frames are in the message).
    await waitFor(() => engine.store.db.prepare("SELECT count(*) FROM anomalies WHERE detector = 'traceback'").pluck().get() === 1, { what: 'the traceback anomaly' });
    expect(engine.store.db.prepare("SELECT title FROM anomalies WHERE detector = 'traceback'").pluck().get()).toBe('ValueError in sys');
  });

  it("a trace half an hour after the same process's last entry is a record of its own, at the trace's own level, also when read from a backlog", async () => {
    const { dir, journalDir } = setup();
    const app = { identifier: 'app', unit: 'app.service', pid: 4242 };
    journal(journalDir, [{ message: 'job 17 done', ...app, priority: 6 }]);
    clock += 30 * 60 * 1_000_000;
    journal(journalDir, [
      { message: 'worker crashed', ...app, priority: 6 },
      { message: 'Traceback (most recent call last):', ...app, priority: 3 },
      { message: '  File "/srv/worker.py", line 9, in run', ...app, priority: 3 },
      { message: 'KeyError: 17', ...app, priority: 3 },
    ]);
    const engine = await vigil(dir, `  - name: sys\n    type: journald\n    directory: ${journalDir}\n    start: beginning`);
    cleanups.push(() => engine.close());
    await waitFor(() => stored(engine).length === 2, { what: 'the 2 records' });
    await new Promise((r) => setTimeout(r, 300));
    const rows = stored(engine);
    expect(rows.map((r) => [r.message.split('\n')[0], r.level])).toEqual([
      ['app[4242]: job 17 done', 'info'],
      // Its worst line's level: the trace's entries were written at err.
      ['app[4242]: worker crashed', 'error'],
    ]);
    expect(rows[1]!.message.split('\n')).toHaveLength(4);
  });

  it('start: end on a journal with no entry yet: the first entries written are read, though journalctl fails until there is one', async () => {
    const { dir, journalDir } = setup();
    const engine = await vigil(dir, `  - name: sys\n    type: journald\n    directory: ${journalDir}`);
    cleanups.push(() => engine.close());
    await waitFor(async () => (await statusOf(engine, 'sys'))?.state === 'error', { what: 'journalctl failing on the empty journal' });
    journal(journalDir, [{ message: 'first boot entry', identifier: 'app' }, { message: 'second', identifier: 'app' }]);
    await waitFor(() => stored(engine).length === 2, { what: 'the first entries', timeoutMs: 10_000 });
    expect(stored(engine).map((r) => r.message)).toEqual(['app: first boot entry', 'app: second']);
  });

  it('start: end on a journal with no entry yet, Vigil stopped before one came: what came meanwhile is read at the next start', async () => {
    const { dir, journalDir } = setup();
    const cfg = `  - name: sys\n    type: journald\n    directory: ${journalDir}`;
    let engine = await vigil(dir, cfg);
    cleanups.push(() => engine.close());
    await waitFor(async () => (await statusOf(engine, 'sys'))?.state === 'error', { what: 'journalctl failing on the empty journal' });
    await engine.close();
    journal(journalDir, [{ message: 'while stopped one', identifier: 'app' }, { message: 'while stopped two', identifier: 'app' }]);
    engine = await vigil(dir, cfg);
    await waitFor(() => stored(engine).length === 2, { what: 'the entries written while Vigil was stopped', timeoutMs: 10_000 });
    journal(journalDir, [{ message: 'after', identifier: 'app' }]);
    await waitFor(() => stored(engine).length === 3, { what: 'the next one' });
    expect(stored(engine).map((r) => r.message)).toEqual(['app: while stopped one', 'app: while stopped two', 'app: after']);
  });

  it('start: end reads only what is written after its first start, including what is written while Vigil is stopped, with a unit filter too', async () => {
    const { dir, journalDir } = setup();
    journal(journalDir, [{ message: 'old one', identifier: 'app', unit: 'app.service' }, { message: 'old two', identifier: 'cron', unit: 'cron.service' }]);
    // The journal's end is cron's entry, which the filter does not select: the first app
    // entry after it must not be taken for the one already read.
    const cfg = `  - name: sys\n    type: journald\n    directory: ${journalDir}\n    units: [app.service]`;
    let engine = await vigil(dir, cfg);
    cleanups.push(() => engine.close());
    await waitFor(async () => (await statusOf(engine, 'sys'))?.state === 'watching', { what: 'watching' });
    await engine.close();
    journal(journalDir, [{ message: 'while stopped', identifier: 'app', unit: 'app.service' }]);
    engine = await vigil(dir, cfg);
    journal(journalDir, [{ message: 'after', identifier: 'app', unit: 'app.service' }]);
    await waitFor(() => stored(engine).length === 2, { what: 'the two new entries' });
    await new Promise((r) => setTimeout(r, 300));
    expect(stored(engine).map((r) => r.message)).toEqual(['app: while stopped', 'app: after']);

    // journald deleted the file holding the stored cursor's entry while Vigil was stopped
    // (its retention): the entries in the new file are all read, the first one too.
    await engine.close();
    rmSync(join(journalDir, 'remote.journal'));
    journal(journalDir, [{ message: 'new file one', identifier: 'app', unit: 'app.service' }, { message: 'new file two', identifier: 'app', unit: 'app.service' }]);
    engine = await vigil(dir, cfg);
    await waitFor(() => stored(engine).length === 4, { what: 'the new file\'s entries' });
    await new Promise((r) => setTimeout(r, 300));
    expect(stored(engine).map((r) => r.message)).toEqual(['app: while stopped', 'app: after', 'app: new file one', 'app: new file two']);
  });

  it('units and identifiers select entries (either matches), priority the urgent ones; a missing journalctl or journal folder is an error that says so', async () => {
    const { dir, journalDir } = setup();
    journal(journalDir, [
      { message: 'from nginx', identifier: 'nginx', unit: 'nginx.service' },
      { message: 'from cron', identifier: 'CRON', unit: 'cron.service' },
      { message: 'from sshd', identifier: 'sshd', unit: 'ssh.service' },
    ]);
    journal(journalDir, [
      { message: 'nginx failed to bind', identifier: 'nginx', unit: 'nginx.service', priority: 3 },
      { message: 'kernel warns', identifier: 'kernel', priority: 4 },
    ]);
    const engine = await vigil(
      dir,
      [
        `  - name: sys\n    type: journald\n    directory: ${journalDir}\n    start: beginning\n    units: [nginx.service]\n    identifiers: [sshd]`,
        `  - name: urgent\n    type: journald\n    directory: ${journalDir}\n    start: beginning\n    priority: err`,
        `  - name: nojctl\n    type: journald\n    journalctl: ${join(dir, 'no-such-journalctl')}`,
        `  - name: nodir\n    type: journald\n    directory: ${join(dir, 'no-such-folder')}\n    start: beginning`,
      ].join('\n'),
    );
    cleanups.push(() => engine.close());
    await waitFor(() => stored(engine).length === 3, { what: 'the selected entries' });
    await waitFor(() => stored(engine, 'urgent').length === 1, { what: 'the urgent entry' });
    await new Promise((r) => setTimeout(r, 300));
    expect(stored(engine).map((r) => r.message)).toEqual(['nginx: from nginx', 'sshd: from sshd', 'nginx: nginx failed to bind']);
    // priority: err and more urgent (PRIORITY 0-3), whatever the unit.
    expect(stored(engine, 'urgent').map((r) => [r.message, r.level])).toEqual([['nginx: nginx failed to bind', 'error']]);
    await waitFor(async () => (await statusOf(engine, 'nojctl'))?.state === 'error', { what: 'the missing journalctl reported' });
    expect((await statusOf(engine, 'nojctl'))?.message).toMatch(/no-such-journalctl not found/);
    await waitFor(async () => (await statusOf(engine, 'nodir'))?.state === 'error', { what: 'the missing folder reported' });
    expect((await statusOf(engine, 'nodir'))?.message).toMatch(/no-such-folder/);
  });
});
