import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../../electron/engine/engine.js';
import { BUSYBOX_IMAGE, Dockerd, dockerdAvailable } from '../../../support/dockerd.js';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { RECORD_FLAGS } from '../../../../shared/types.js';
import { eventMessages, logLines, rows, standaloneSource, startVigil } from './harness.js';

// Each run of this container numbers itself (a counter in its own filesystem survives
// restarts), prints 5 lines to stdout and 5 to stderr, and exits with code 3.
const NUMBERED = `n=$(cat /runs 2>/dev/null || echo 0); n=$((n+1)); echo $n > /runs
i=0; while [ $i -lt 5 ]; do i=$((i+1)); echo "run $n out $i"; echo "run $n err $i" >&2; done
exit 3`;

function expectedRuns(runs: number): string[] {
  const out: string[] = [];
  for (let n = 1; n <= runs; n++) for (let i = 1; i <= 5; i++) out.push(`stdout:run ${n} out ${i}`, `stderr:run ${n} err ${i}`);
  return out;
}

describe.skipIf(!dockerdAvailable())('docker source against a real dockerd', () => {
  let dockerd: Dockerd;
  const cleanups: (() => unknown)[] = [];
  beforeAll(async () => {
    dockerd = await Dockerd.create({ tls: true });
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await dockerd?.close();
  });

  function vigilDir(): string {
    const t = tempDir();
    cleanups.push(t.cleanup);
    return t.dir;
  }

  it('stores every line exactly once, stderr marked, across container restarts and a Vigil restart; die events with exit code', async () => {
    const dir = vigilDir();
    const source = `  - name: numbers\n    type: docker\n    host: ${dockerd.host}\n    containers: [numbers]\n`;
    let engine: Engine = await startVigil(dir, source);
    const lines = () => logLines(engine, 'numbers');

    const c = await dockerd.run('numbers', NUMBERED);
    await waitFor(() => lines().length >= 10 && eventMessages(engine, 'numbers').some((m) => m.includes('died')), { what: 'run 1' });
    await c.start();
    await waitFor(() => lines().length >= 20, { what: 'run 2 (container restarted)' });
    await waitFor(() => eventMessages(engine, 'numbers').filter((m) => m.includes('died')).length >= 2, { what: 'second die event' });
    await engine.close();

    // Written while Vigil is stopped.
    await c.start();
    await c.wait();
    engine = await startVigil(dir, source);
    cleanups.push(() => engine.close());
    await waitFor(() => lines().length >= 30, { what: 'run 3, written while Vigil was stopped' });
    await c.start();
    await waitFor(() => lines().length >= 40 && eventMessages(engine, 'numbers').filter((m) => m.includes('died')).length >= 4, { what: 'run 4' });
    await engine.flush();

    // Exactly once each, and in order within each stream.
    expect([...lines()].sort()).toEqual(expectedRuns(4).sort());
    expect(lines().filter((l) => l.startsWith('stdout:'))).toEqual(expectedRuns(4).filter((l) => l.startsWith('stdout:')));
    expect(lines().filter((l) => l.startsWith('stderr:'))).toEqual(expectedRuns(4).filter((l) => l.startsWith('stderr:')));
    expect(rows(engine, 'numbers').every((r) => r.path === 'numbers')).toBe(true);

    // Docker's events: each start and each death once, the death with its exit code.
    const events = eventMessages(engine, 'numbers');
    expect(events.filter((m) => m === 'container numbers died (exit code 3)')).toHaveLength(4);
    expect(events.filter((m) => m === 'container numbers started')).toHaveLength(4);
    expect(rows(engine, 'numbers').find((r) => r.message.includes('died'))).toMatchObject({ level: 'error', format: 'docker-event' });
  });

  it('stopped and restarted in the middle of a busy stream, Vigil stores each line once and in order', async () => {
    const dir = vigilDir();
    const source = `  - name: busy\n    type: docker\n    host: ${dockerd.host}\n    containers: [busy]\n`;
    let engine = await startVigil(dir, source);
    // 3000 numbered lines, in bursts of 100, both streams.
    await dockerd.run('busy', `i=0; while [ $i -lt 3000 ]; do i=$((i+1)); if [ $((i % 7)) -eq 0 ]; then echo "n $i" >&2; else echo "n $i"; fi
      if [ $((i % 100)) -eq 0 ]; then sleep 0.05; fi; done`);
    await waitFor(() => logLines(engine, 'busy').length >= 500, { what: 'the first lines' });
    await engine.close();
    engine = await startVigil(dir, source);
    cleanups.push(() => engine.close());
    await waitFor(() => logLines(engine, 'busy').length >= 3000, { what: 'all 3000 lines', timeoutMs: 30_000 });
    await engine.flush();
    const got = logLines(engine, 'busy');
    const want = Array.from({ length: 3000 }, (_, k) => `${(k + 1) % 7 === 0 ? 'stderr' : 'stdout'}:n ${k + 1}`);
    expect(got.filter((l) => l.startsWith('stdout'))).toEqual(want.filter((l) => l.startsWith('stdout')));
    expect(got.filter((l) => l.startsWith('stderr'))).toEqual(want.filter((l) => l.startsWith('stderr')));
  });

  it('40 containers printing at once, Vigil stopped and restarted twice meanwhile: every line of each once, in order per stream', async () => {
    const dir = vigilDir();
    const n = 40;
    const each = 2000;
    const source = `  - name: many\n    type: docker\n    host: ${dockerd.host}\n    containers: [/^many-/]\n`;
    let engine = await startVigil(dir, source);
    const got = () => logLines(engine, 'many');
    // Each prints for about 4 s: 2000 numbered lines, every fifth on stderr.
    await Promise.all(Array.from({ length: n }, (_, c) => dockerd.run(`many-${c}`, `i=0; while [ $i -lt ${each} ]; do i=$((i+1)); if [ $((i % 5)) -eq 0 ]; then echo "c${c} n $i" >&2; else echo "c${c} n $i"; fi
      if [ $((i % 100)) -eq 0 ]; then sleep 0.2; fi; done`)));
    for (const part of [4, 2]) {
      await waitFor(() => got().length >= (n * each) / part, { what: `1/${part} of the lines`, timeoutMs: 60_000 });
      await engine.close();
      engine = await startVigil(dir, source);
    }
    cleanups.push(() => engine.close());
    await waitFor(() => got().length >= n * each, { what: 'every line', timeoutMs: 60_000 });
    await engine.flush();
    const lines = got();
    expect(lines).toHaveLength(n * each);
    for (let c = 0; c < n; c++) {
      const mine = lines.filter((l) => l.startsWith(`stdout:c${c} `) || l.startsWith(`stderr:c${c} `));
      const want = Array.from({ length: each }, (_, k) => `${(k + 1) % 5 === 0 ? 'stderr' : 'stdout'}:c${c} n ${k + 1}`);
      expect(mine.filter((l) => l.startsWith('stdout'))).toEqual(want.filter((l) => l.startsWith('stdout')));
      expect(mine.filter((l) => l.startsWith('stderr'))).toEqual(want.filter((l) => l.startsWith('stderr')));
    }
  }, 180_000);

  it('follows a TTY container (raw stream, CR LF), rejoining a line Docker cut into 16 KiB pieces; a coloured ERROR is an error', async () => {
    const dir = vigilDir();
    const engine = await startVigil(dir, `  - name: tty\n    type: docker\n    host: ${dockerd.host}\n    containers: ['/^tty-\\d+$/']\n`);
    cleanups.push(() => engine.close());
    await dockerd.run('tty-1', `echo tty one; head -c 20000 /dev/zero | tr '\\0' y; echo; echo tty two >&2; printf '\\033[31mERROR\\033[0m db down\\n'`, { Tty: true });
    await waitFor(() => logLines(engine, 'tty').length >= 4, { what: 'four TTY lines' });
    expect(logLines(engine, 'tty')).toEqual(['stdout:tty one', `stdout:${'y'.repeat(20_000)}`, 'stdout:tty two', 'stdout:\x1b[31mERROR\x1b[0m db down']);
    // A TTY program colours its output: the level is read through the colours (raw keeps them).
    const coloured = rows(engine, 'tty').find((r) => r.raw.includes('db down'))!;
    expect(coloured).toMatchObject({ level: 'error', message: 'ERROR db down' });
  });

  it('follows only containers with the label, including ones started after the source; long lines whole; health events', async () => {
    const dir = vigilDir();
    const engine = await startVigil(dir, `  - name: labelled\n    type: docker\n    host: ${dockerd.host}\n    labels: [com.example.watch=true]\n`);
    cleanups.push(() => engine.close());
    const script = (word: string) => `echo "${word} before"; head -c 40000 /dev/zero | tr '\\0' z; echo; echo "${word} after"; sleep 60`;
    await dockerd.run('ignored', script('ignored'), { Labels: { 'com.example.watch': 'false' } });
    await dockerd.run('watched', script('watched'), {
      Labels: { 'com.example.watch': 'true' },
      Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 100_000_000, Timeout: 1_000_000_000, Retries: 1 },
    });
    await waitFor(() => logLines(engine, 'labelled').length >= 3, { what: 'the labelled container lines' });
    await waitFor(() => eventMessages(engine, 'labelled').includes('container watched is healthy'), { what: 'health event' });
    expect(logLines(engine, 'labelled')).toEqual(['stdout:watched before', `stdout:${'z'.repeat(40_000)}`, 'stdout:watched after']);
    expect(rows(engine, 'labelled').every((r) => r.flags === 0 && r.path === 'watched')).toBe(true);
    const status = (await engine.handlers['sources.list']({} as never)).find((v) => v.config.name === 'labelled')!.status;
    expect(status).toMatchObject({ state: 'watching', files: 1 });
  });

  it('a new source with start: end skips what running containers printed before it, and reads what follows', async () => {
    const c = await dockerd.run('early', 'echo before vigil; while [ ! -e /go ]; do sleep 0.05; done; echo after vigil; sleep 60');
    await waitFor(async () => (await c.logs({ stdout: true })).toString().includes('before vigil'), { what: 'the early line' });
    const engine = await startVigil(vigilDir(), `  - name: early\n    type: docker\n    host: ${dockerd.host}\n    containers: [early]\n`);
    cleanups.push(() => engine.close());
    const go = await c.exec({ Cmd: ['sh', '-c', ': > /go'] });
    await go.start({ Detach: true });
    await waitFor(() => logLines(engine, 'early').length >= 1, { what: 'the line after Vigil started' });
    expect(logLines(engine, 'early')).toEqual(['stdout:after vigil']);
  });

  it('passes the source format to the decoder: alert-jsonl lines from a container become alerts, stderr marked', async () => {
    const src = await standaloneSource(vigilDir(), { name: 'alerts', type: 'docker', host: dockerd.host, containers: ['alerter'], format: 'alert-jsonl' });
    cleanups.push(src.close);
    const alert = '{"timestamp":"2026-11-21T10:00:00Z","type":"anomaly","severity":"critical","message":"disk full","details":{"free":0}}';
    await dockerd.run('alerter', `echo '${alert}' >&2`);
    await waitFor(() => src.stored.some((r) => r.format === 'alert-jsonl'), { what: 'the alert record' });
    expect(src.stored.find((r) => r.format === 'alert-jsonl')).toMatchObject({
      stream: 'stderr',
      message: 'disk full',
      level: 'critical',
      ts: Date.parse('2026-11-21T10:00:00Z'),
      alert: { type: 'anomaly', severity: 'critical', details: { free: 0 } },
    });
  });

  it('does not hold back a quiet container\'s lines while the decoder samples its format', async () => {
    const src = await standaloneSource(vigilDir(), { name: 'quiet', type: 'docker', host: dockerd.host, containers: ['quiet'] });
    cleanups.push(src.close);
    await dockerd.run('quiet', 'echo "level=info msg=one"; echo "level=warn msg=two"; sleep 60');
    await waitFor(() => src.stored.filter((r) => r.format !== 'docker-event').length >= 2, { what: 'both lines, after the sampling timeout' });
    expect(src.stored.filter((r) => r.format !== 'docker-event').map((r) => [r.raw, r.level])).toEqual([
      ['level=info msg=one', 'info'],
      ['level=warn msg=two', 'warn'],
    ]);
    // What "decoding…" shows: each stream's decoder, and why its format was chosen.
    const stdout = src.source.decoders().find((d) => d.what === 'quiet (stdout)')!.decoder.describe();
    expect(stdout.format).toBe('logfmt');
    expect(stdout.explanation).toMatch(/^detected logfmt: it read 2 of 2 sample lines/);
  });

  it('a last line left without its newline (a crash message) is stored when the run ends, once, and not glued to the next run\'s first line', async () => {
    const src = await standaloneSource(vigilDir(), { name: 'nonl', type: 'docker', host: dockerd.host, containers: ['nonl'] });
    cleanups.push(src.close);
    const lines = () => src.stored.filter((r) => r.format !== 'docker-event');
    // Docker may close the follow stream before that last message reaches it: it was lost.
    const c = await dockerd.run('nonl', 'echo first; sleep 1; printf "fatal: no newline at the end"; exit 3');
    await waitFor(() => lines().length >= 2, { what: 'both lines', timeoutMs: 15_000 });
    await c.start();
    await waitFor(() => lines().length >= 4, { what: 'both lines of the second run', timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(lines().map((r) => [r.raw, (r.flags & RECORD_FLAGS.partialFlushed) !== 0])).toEqual([
      ['first', false],
      ['fatal: no newline at the end', true],
      ['first', false],
      ['fatal: no newline at the end', true],
    ]);
  });

  it('a container run with --rm: what it printed is stored, the record the decoder still held when Docker removed it too', async () => {
    const src = await standaloneSource(vigilDir(), { name: 'rm', type: 'docker', host: dockerd.host, containers: ['rmme'] });
    cleanups.push(src.close);
    const lines = () => src.stored.filter((r) => r.format !== 'docker-event').map((r) => r.raw);
    // "two" is the last whole line: the decoder holds it for a line that may continue it
    // when the container exits and Docker removes it. It was dropped with the follower.
    await dockerd.run('rmme', 'echo one; sleep 1; echo two; printf "three, no newline"; exit 1', { HostConfig: { AutoRemove: true } });
    await waitFor(() => lines().length >= 2, { what: 'both whole lines', timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 1000));
    // The last piece without its newline is stored too when Docker gave it before removing
    // the container (it does not always: that is Docker's race, not ours).
    expect([['one', 'two'], ['one', 'two', 'three, no newline']]).toContainEqual(lines());
  });

  it('a container renamed into the name selection is followed from then on; renamed out of it, it is no longer', async () => {
    const engine = await startVigil(vigilDir(), `  - name: api\n    type: docker\n    host: ${dockerd.host}\n    containers: [/^api-/]\n`);
    cleanups.push(() => engine.close());
    const c = await dockerd.run('zed', 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.1; done');
    await new Promise((r) => setTimeout(r, 500));
    expect(logLines(engine, 'api')).toEqual([]);
    await c.rename({ name: 'api-zed' });
    await waitFor(() => logLines(engine, 'api').length >= 5, { what: 'lines once renamed into the selection' });
    expect(rows(engine, 'api').filter((r) => r.format !== 'docker-event').every((r) => r.path === 'api-zed')).toBe(true);
    await c.rename({ name: 'zed-again' });
    await new Promise((r) => setTimeout(r, 400));
    const n = logLines(engine, 'api').length;
    await new Promise((r) => setTimeout(r, 800));
    expect(logLines(engine, 'api').length).toBe(n);
    await c.kill();
  });

  it("Docker's events in SQL: docker_event has the action, the container and its exit code; field() reads any attribute", async () => {
    const engine = await startVigil(vigilDir(), `  - name: ev\n    type: docker\n    host: ${dockerd.host}\n    containers: [evt]\n`);
    cleanups.push(() => engine.close());
    const c = await dockerd.run('evt', 'echo bye; exit 7', { Labels: { team: 'payments' } });
    await c.wait();
    await waitFor(() => eventMessages(engine, 'ev').some((m) => m.includes('died')), { what: 'the die event' });
    const run = async (sql: string) => (await engine.handlers['query.run']({ sql } as never)).rows;
    expect(await run("SELECT container, action, exitCode FROM docker_event WHERE action = 'die' AND exitCode > 0")).toEqual([{ container: 'evt', action: 'die', exitCode: 7 }]);
    expect(await run("SELECT field(raw, format, 'team') AS team FROM events WHERE format = 'docker-event' AND message LIKE '%died%'")).toEqual([{ team: 'payments' }]);
  });

  it('renamed out of the selection after it wrote (compose recreating it): every line it wrote under the selected name is stored', async () => {
    const engine = await startVigil(vigilDir(), `  - name: proj\n    type: docker\n    host: ${dockerd.host}\n    containers: ['/^proj-web-\\d+$/']\n`);
    cleanups.push(() => engine.close());
    const c = await dockerd.run('proj-web-1', 'sleep 1; i=0; while [ $i -lt 5000 ]; do i=$((i+1)); echo "gen $i"; done');
    await c.wait();
    await c.rename({ name: 'old_proj-web-1' }); // at once, as compose does: the reading was still under way
    const want = Array.from({ length: 5000 }, (_, i) => `stdout:gen ${i + 1}`);
    await waitFor(() => logLines(engine, 'proj').length >= 5000, { what: 'all 5000 lines', timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(logLines(engine, 'proj')).toEqual(want);
  });

  it('renamed out of the selection while Vigil was stopped: what it wrote under the selected name after the checkpoint is read at the start', async () => {
    const dir = vigilDir();
    const source = `  - name: web\n    type: docker\n    host: ${dockerd.host}\n    containers: ['/^proj-web-\\d+$/']\n`;
    let engine = await startVigil(dir, source);
    const c = await dockerd.run('proj-web-40', 'i=0; while [ $i -lt 40 ]; do i=$((i+1)); echo "w $i"; sleep 0.05; done; sleep 30');
    await waitFor(() => logLines(engine, 'web').length >= 5, { what: 'the first lines' });
    await engine.close();
    await new Promise((r) => setTimeout(r, 2500)); // it writes the rest meanwhile
    await c.rename({ name: 'old-40' });
    engine = await startVigil(dir, source);
    cleanups.push(() => engine.close(), () => c.kill().catch(() => undefined));
    await waitFor(() => logLines(engine, 'web').length >= 40, { what: 'all 40 lines', timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(logLines(engine, 'web')).toEqual(Array.from({ length: 40 }, (_, i) => `stdout:w ${i + 1}`));
  });

  it('renamed out of the selection and back: each line once (its first lines were read again)', async () => {
    const engine = await startVigil(vigilDir(), `  - name: rx\n    type: docker\n    host: ${dockerd.host}\n    containers: ['/^api-\\d+$/']\n`);
    cleanups.push(() => engine.close());
    const c = await dockerd.run('api-2', 'i=0; while [ $i -lt 20 ]; do i=$((i+1)); echo "r $i"; sleep 0.1; done');
    await waitFor(() => logLines(engine, 'rx').length >= 5, { what: 'the first lines' });
    await c.rename({ name: 'out2' });
    await new Promise((r) => setTimeout(r, 400));
    await c.rename({ name: 'api-2' });
    await c.wait();
    await waitFor(() => logLines(engine, 'rx').length >= 20, { what: 'all 20 lines', timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(logLines(engine, 'rx')).toEqual(Array.from({ length: 20 }, (_, i) => `stdout:r ${i + 1}`));
  });

  it('a crash loop under a restart policy: each run\'s last line, left without its newline, is a line of its own, not glued to the next run\'s first', async () => {
    const engine = await startVigil(vigilDir(), `  - name: loop\n    type: docker\n    host: ${dockerd.host}\n    containers: [crashloop]\n`);
    cleanups.push(() => engine.close());
    await dockerd.run('crashloop', 'n=$(cat /runs 2>/dev/null || echo 0); n=$((n+1)); echo $n > /runs; echo "run $n up"; printf "run $n crash"; exit 1', {
      HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } },
    });
    await waitFor(() => eventMessages(engine, 'loop').filter((m) => m.includes('died')).length >= 3 && logLines(engine, 'loop').length >= 6, { what: 'three runs', timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 500));
    await engine.flush();
    expect(logLines(engine, 'loop')).toEqual([1, 2, 3].flatMap((n) => [`stdout:run ${n} up`, `stdout:run ${n} crash`]));
    expect(rows(engine, 'loop').filter((r) => r.format !== 'docker-event' && r.raw.endsWith('crash')).every((r) => (r.flags & RECORD_FLAGS.partialFlushed) !== 0)).toBe(true);
  });

  it('a container whose json-file log Docker rotates (max-size) while followed: each line once, in order (Docker sends some again)', async () => {
    const engine = await startVigil(vigilDir(), `  - name: rot\n    type: docker\n    host: ${dockerd.host}\n    containers: [rotating]\n`);
    cleanups.push(() => engine.close());
    await dockerd.run('rotating', 'i=1; while [ $i -le 8000 ]; do seq $i $((i+199)); i=$((i+200)); usleep 20000; done', {
      HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '50k', 'max-file': '5' } } },
    });
    const numbers = () => logLines(engine, 'rot');
    await waitFor(() => numbers().length >= 8000 && eventMessages(engine, 'rot').some((m) => m.includes('died')), { what: 'all 8000 lines', timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 500));
    await engine.flush();
    expect(numbers()).toEqual(Array.from({ length: 8000 }, (_, i) => `stdout:${i + 1}`));
  });

  it('containers run with --rm that print and exit at once (a job): every line of each is stored once, TTY or not', async () => {
    const engine = await startVigil(vigilDir(), `  - name: jobs\n    type: docker\n    host: ${dockerd.host}\n    containers: [/^job-/]\n`);
    cleanups.push(() => engine.close());
    // Started the way `docker run --rm` starts them, one after the other. Such a container
    // is gone, with its log, some 30-60 ms after it starts; an inspect before asking for
    // the log took longer than that, and lost the lines of 5 of these 12 containers.
    const expected: string[] = [];
    for (let i = 0; i < 12; i++) {
      const tty = i % 3 === 2;
      const c = await dockerd.api.createContainer({
        name: `job-${i}`, Image: BUSYBOX_IMAGE, Tty: tty, Cmd: ['sh', '-c', `echo "job ${i} a"; echo "job ${i} b"; echo "job ${i} c"`],
        HostConfig: { AutoRemove: true },
      });
      await c.start();
      for (const l of ['a', 'b', 'c']) expected.push(`stdout:job ${i} ${l}`);
      await new Promise((r) => setTimeout(r, 150));
    }
    const got = () => logLines(engine, 'jobs').map((l) => l.replace(/\r$/, ''));
    await waitFor(() => got().length >= expected.length, { what: `all ${expected.length} lines (have ${got().length})`, timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 300));
    await engine.flush();
    expect(got().sort()).toEqual(expected.sort());
    expect((await engine.handlers['sources.list']({} as never)).find((v) => v.config.name === 'jobs')!.status.state).toBe('watching');
  });

  it('reaches an engine over TCP with mutual TLS, and says so when the client certificate is missing', async () => {
    const tls = dockerd.tls!;
    const engine = await startVigil(vigilDir(), [
      `  - name: remote\n    type: docker\n    host: ${tls.host}\n    containers: [remote]\n    tls: { ca: ${tls.ca}, cert: ${tls.cert}, key: ${tls.key} }\n`,
      `  - name: nocert\n    type: docker\n    host: ${tls.host}\n    containers: [remote]\n    tls: { ca: ${tls.ca} }\n`,
      `  - name: notls\n    type: docker\n    host: ${tls.host}\n    containers: [remote]\n`,
    ].join(''));
    cleanups.push(() => engine.close());
    await dockerd.run('remote', 'echo over tls');
    await waitFor(() => logLines(engine, 'remote').length >= 1, { what: 'the line over TLS' });
    expect(logLines(engine, 'remote')).toEqual(['stdout:over tls']);
    const nocert = (await engine.handlers['sources.list']({} as never)).find((v) => v.config.name === 'nocert')!.status;
    expect(nocert.state).toBe('error');
    expect(nocert.message).toMatch(/^cannot reach Docker at https:\/\/127\.0\.0\.1:\d+: TLS failed/);
    // The TLS port given without `tls:`: said so, not "socket hang up" alone.
    const notls = (await engine.handlers['sources.list']({} as never)).find((v) => v.config.name === 'notls')!.status;
    expect(notls).toMatchObject({ state: 'error', message: expect.stringMatching(/: that port speaks TLS: give the source `tls:`/) });
    expect(logLines(engine, 'nocert')).toEqual([]);
  });

  it('a container whose logging driver keeps no logs (--log-driver none) is named in the status (not an error of the source); the others are followed, its events recorded', async () => {
    const engine = await startVigil(vigilDir(), `  - name: drivers\n    type: docker\n    host: ${dockerd.host}\n    containers: [/^drv-/]\n`);
    cleanups.push(() => engine.close());
    const status = async () => (await engine.handlers['sources.list']({} as never)).find((v) => v.config.name === 'drivers')!.status;
    const mute = await dockerd.run('drv-mute', 'echo unseen; sleep 1; exit 4', { HostConfig: { LogConfig: { Type: 'none', Config: {} } } });
    await dockerd.run('drv-loud', 'i=0; while [ $i -lt 5 ]; do i=$((i+1)); echo "loud $i"; done; sleep 30');
    await waitFor(() => logLines(engine, 'drivers').length >= 5, { what: 'the readable container' });
    await waitFor(async () => !!(await status()).message?.includes('drv-mute'), { what: 'the unreadable container named' });
    expect(await status()).toMatchObject({
      state: 'watching',
      files: 1,
      message: expect.stringMatching(/^not followed: container drv-mute: its logging driver \(none\) keeps no logs Docker can give back: .*does not support reading/),
    });
    expect(logLines(engine, 'drivers')).toEqual(['loud 1', 'loud 2', 'loud 3', 'loud 4', 'loud 5'].map((l) => `stdout:${l}`));
    // Its events are still recorded.
    await mute.wait();
    await waitFor(() => eventMessages(engine, 'drivers').includes('container drv-mute died (exit code 4)'), { what: 'the die event of the unreadable container' });
  });

  it('records an OOM kill as a critical event', async () => {
    const engine = await startVigil(vigilDir(), `  - name: hog\n    type: docker\n    host: ${dockerd.host}\n    containers: [hog]\n`);
    cleanups.push(() => engine.close());
    await dockerd.run('hog', 'x=a; while true; do x="$x$x"; done', { HostConfig: { Memory: 16 << 20, MemorySwap: 16 << 20 } });
    const expected = ['container hog started', 'container hog ran out of memory (OOM)', 'container hog died (exit code 137)'];
    // The OOM and the exit reach dockerd by different paths: their order is not fixed.
    await waitFor(() => eventMessages(engine, 'hog').length >= 3, { what: 'start, OOM and death' });
    expect([...eventMessages(engine, 'hog')].sort()).toEqual([...expected].sort());
    expect(rows(engine, 'hog').find((r) => r.message.includes('OOM'))).toMatchObject({ level: 'critical', path: 'hog' });
  });
});
