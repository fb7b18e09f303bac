import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DockerSourceConfig } from '../../../../shared/types.js';
import { createDecoderFactory, loadFormats } from '../../../../electron/engine/decode/index.js';
import { Engine } from '../../../../electron/engine/engine.js';
import { Ingestor } from '../../../../electron/engine/pipeline/ingestor.js';
import type { StoredRecord } from '../../../../electron/engine/pipeline/types.js';
import { DockerSource } from '../../../../electron/engine/sources/docker/docker-source.js';
import { Store } from '../../../../electron/engine/store/store.js';

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

/**
 * A docker source built by hand (store, ingestor, the real format decoders), for what the
 * engine does not expose: the decoded records themselves.
 */
export async function standaloneSource(dir: string, config: DockerSourceConfig, opts: { pingIntervalMs?: number; pingTimeoutMs?: number } = {}): Promise<{ stored: StoredRecord[]; source: DockerSource; close: () => Promise<void> }> {
  const store = new Store(join(dir, 'vigil.db'));
  const stored: StoredRecord[] = [];
  const ingestor = new Ingestor(store, null, [], { onDidStore: (r) => stored.push(...r) });
  const source = new DockerSource(config, { name: config.name, id: store.sourceId(config.name, 'docker'), type: 'docker' }, {
    store,
    decoders: createDecoderFactory(loadFormats().formats),
    write: (b, signal) => ingestor.write(b, signal),
    isBlocked: () => ingestor.isBlocked,
    statusChanged: () => undefined,
    isNew: true,
  }, { retryMinMs: 100, retryMaxMs: 1000, ...opts });
  await source.start();
  return {
    stored,
    source,
    close: async () => {
      await source.close();
      await ingestor.close();
      store.close();
    },
  };
}
