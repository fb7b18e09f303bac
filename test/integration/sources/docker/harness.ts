import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../../electron/engine/engine.js';

/** Starts Vigil on `dir` with exactly these sources (YAML list items), retrying Docker quickly. */
export async function startVigil(dir: string, sourcesYaml: string): Promise<Engine> {
  writeFileSync(join(dir, 'vigil.yml'), `sources:\n${sourcesYaml}\nchannels: []\nrules: []\n`);
  return Engine.start({
    dataDir: dir,
    host: 'cli',
    log: () => undefined,
    sources: { dockerOptions: { retryMinMs: 100, retryMaxMs: 1000 } },
  });
}

export interface Row {
  id: number;
  path: string | null;
  raw: string;
  message: string;
  stream: string | null;
  format: string | null;
  level: string | null;
  flags: number;
}

export function rows(engine: Engine, source: string): Row[] {
  return engine.store.db
    .prepare('SELECT id, path, raw, message, stream, format, level, flags FROM events WHERE source = ? ORDER BY id')
    .all(source) as Row[];
}

/** Log lines only (not Docker's events), as `stream:text`. */
export function logLines(engine: Engine, source: string): string[] {
  return rows(engine, source)
    .filter((r) => r.format !== 'docker-event')
    .map((r) => `${r.stream}:${r.raw}`);
}

export function eventMessages(engine: Engine, source: string): string[] {
  return rows(engine, source)
    .filter((r) => r.format === 'docker-event')
    .map((r) => r.message);
}
