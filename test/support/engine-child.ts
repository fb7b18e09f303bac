// The engine in a process of its own, for tests that kill it (SIGKILL), run it as another
// user, or under other OS limits. Bundled on the fly by engine-process.ts. Options come in
// VIGIL_CHILD (JSON); it reports on stdout, one JSON object a line:
//   {"type":"ready"}                                 once the engine started
//   {"type":"sources","views":[...SourceView]}      every reportMs and on each change
// SIGTERM closes the engine cleanly (exit 0).
import { Engine } from '../../electron/engine/engine.js';
import type { FileSourceOptions } from '../../electron/engine/sources/file/file-source.js';
import type { IngestorOptions } from '../../electron/engine/pipeline/ingestor.js';

interface ChildOptions {
  dataDir: string;
  fileOptions?: FileSourceOptions;
  ingestor?: IngestorOptions;
  reportMs?: number;
}

const opts = JSON.parse(process.env.VIGIL_CHILD ?? '{}') as ChildOptions;
const say = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');

const engine = await Engine.start({
  dataDir: opts.dataDir,
  host: 'cli',
  ...(opts.ingestor ? { ingestor: opts.ingestor } : {}),
  sources: { fileOptions: opts.fileOptions ?? {} },
  log: (m) => process.stderr.write(`vigil: ${m}\n`),
});
const report = () => say({ type: 'sources', views: engine.handlers['sources.list']({}) });
engine.on('sources.changed', report);
const timer = setInterval(report, opts.reportMs ?? 200);
say({ type: 'ready', pid: process.pid });
process.once('SIGTERM', () => {
  clearInterval(timer);
  void engine.close().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`close failed: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
});
