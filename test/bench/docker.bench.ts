import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../electron/engine/engine.js';
import { Dockerd, dockerdProblem } from '../support/dockerd.js';
import { tempDir } from '../support/tmp.js';

// Docker source throughput, end to end (dockerd's json-file log -> logs API -> demux ->
// decode -> SQLite): catching up on a container's finished log, and following one live.
// Figures only: nothing here asserts a timing.

/** Lines stored per source, counted as the store reports them (a COUNT query would cost more than the work measured). */
function counter(e: Engine): (source: string) => number {
  // What was stored before we listened, read in the same tick as we start listening.
  const rows = e.store.db.prepare("SELECT s.name, count(*) AS c FROM records r JOIN sources s ON s.id = r.source_id WHERE r.format <> 'docker-event' GROUP BY s.name").all() as { name: string; c: number }[];
  const n = new Map(rows.map((r) => [r.name, r.c]));
  e.on('records.stored', (rs) => {
    for (const r of rs) if (r.format !== 'docker-event') n.set(r.sourceName, (n.get(r.sourceName) ?? 0) + 1);
  });
  return (source) => n.get(source) ?? 0;
}

async function until(fn: () => boolean): Promise<void> {
  while (!fn()) await new Promise((r) => setTimeout(r, 20));
}

export async function benchDocker(opts: { quick?: boolean }): Promise<void> {
  const problem = dockerdProblem();
  if (problem) {
    console.log(`docker: skipped (${problem})`);
    return;
  }
  const lines = opts.quick ? 50_000 : 300_000;
  // A line like a web server's, ~70 bytes; stderr every 10th.
  const script = `i=0; while [ $i -lt ${lines} ]; do
    if [ $((i % 10)) -eq 0 ]; then echo "2026-11-21T10:00:00.123Z ERROR request $i failed: upstream timeout" >&2;
    else echo "2026-11-21T10:00:00.123Z INFO request $i served in 12ms path=/api/items"; fi; i=$((i+1)); done`;
  const dockerd = await Dockerd.create();
  const dir = tempDir();
  try {
    const src = (name: string) => `  - name: ${name}\n    type: docker\n    host: ${dockerd.host}\n    containers: [${name}]\n    start: beginning\n`;

    let t = Date.now();
    const done = await dockerd.run('catchup', script);
    await done.wait();
    const produce = Date.now() - t;
    const bytes = (await done.logs({ stdout: true, stderr: true })).length;
    writeFileSync(join(dir.dir, 'vigil.yml'), `sources:\n${src('catchup')}`);
    t = Date.now();
    const engine = await Engine.start({ dataDir: dir.dir, host: 'cli', log: () => undefined });
    const count = counter(engine);
    await until(() => count('catchup') >= lines);
    const catchup = Date.now() - t;
    console.log(`docker catch-up: ${lines} lines (${(bytes / 1048576).toFixed(1)} MiB) in ${catchup} ms = ${Math.round(lines / (catchup / 1000))} lines/s; the container itself took ${produce} ms to print them`);

    await engine.handlers['config.set']({ text: `sources:\n${src('catchup')}${src('live')}` });
    t = Date.now();
    await dockerd.run('live', script);
    await until(() => count('live') >= lines);
    const live = Date.now() - t;
    console.log(`docker live: ${lines} lines stored ${live} ms after the container started = ${Math.round(lines / (live / 1000))} lines/s (bounded by the container's own pace)`);
    // The heap after a full GC is what the engine holds; the RSS also counts what the
    // benches run before this one in the same process left behind.
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    console.log(`memory after both: JS heap ${Math.round(m.heapUsed / 1048576)} MiB after GC; process RSS ${Math.round(m.rss / 1048576)} MiB (with the benches before this one)`);
    await engine.close();
  } finally {
    await dockerd.close();
    dir.cleanup();
  }
}
