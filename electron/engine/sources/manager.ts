import type { SourceConfig, SourceDecoding, SourceView } from '../../../shared/types.js';
import type { DecoderFactory } from '../decode/types.js';
import type { Ingestor } from '../pipeline/ingestor.js';
import type { Store } from '../store/store.js';
import { FileSource, type FileSourceOptions } from './file/file-source.js';
import { pathMatcher, readBy, type PathMatcher } from './file/path-matcher.js';
import { DockerSource, type DockerSourceOptions } from './docker/docker-source.js';
import { JournaldSource, type JournaldSourceOptions } from './journald/journald-source.js';
import type { Source, SourceContext } from './source.js';

/** Builds a running source for a config entry; docker and others register here. */
export type SourceFactory = (config: SourceConfig, ctx: SourceContext, ref: { name: string; id: number; type: string }) => Source;

export interface SourceManagerOptions {
  fileOptions?: FileSourceOptions;
  dockerOptions?: DockerSourceOptions;
  journaldOptions?: JournaldSourceOptions;
  factories?: Partial<Record<SourceConfig['type'], SourceFactory>>;
  log?: (msg: string) => void;
}

/** Keeps the running sources equal to the config's enabled sources. */
export class SourceManager {
  /** `failed`: why its start threw (shown as its status: it stayed "starting" for good). */
  private running = new Map<string, { source: Source; key: string; claims: string; failed?: string }>();
  private configs: SourceConfig[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private readonly factories: Partial<Record<SourceConfig['type'], SourceFactory>>;

  constructor(
    private readonly store: Store,
    private readonly ingestor: Ingestor,
    private readonly decoders: DecoderFactory,
    private readonly changed: () => void,
    private readonly opts: SourceManagerOptions = {},
  ) {
    this.factories = {
      file: (config, ctx, ref) => new FileSource(config as never, ref, ctx, opts.fileOptions),
      docker: (config, ctx, ref) => new DockerSource(config as never, ref, ctx, opts.dockerOptions),
      journald: (config, ctx, ref) => new JournaldSource(config as never, ref, ctx, opts.journaldOptions),
      ...opts.factories,
    };
  }

  /** Start, stop and restart sources so the running set matches `configs`. */
  apply(configs: SourceConfig[]): Promise<void> {
    const run = async () => {
      this.configs = configs;
      const wanted = new Map(configs.filter((c) => c.enabled !== false).map((c) => [c.name, c]));
      const earlier = this.earlierFileSources([...wanted.values()]);
      const renames = this.renames(wanted);
      for (const [name, r] of [...this.running]) {
        const c = wanted.get(name);
        // A file source starts again when the sources before it change what they read.
        if (!c || JSON.stringify(c) !== r.key || (earlier.get(name)?.key ?? '') !== r.claims) {
          this.running.delete(name);
          await r.source.close().catch((e) => this.opts.log?.(`closing source ${name}: ${(e as Error).message}`));
          // Its batches still queued must be stored (or dropped: their checkpoints did not
          // move) before a new instance reads the checkpoints, or lines would repeat.
          await this.ingestor.release(r.source.ref.id);
          const to = renames.get(name);
          if (to !== undefined) this.store.renameSource(name, to);
        }
      }
      // Started side by side: one after another, each waited behind the backlog the ones
      // before it were storing (100 sources over 340 MB: 50 s before the UI answered).
      const starting: Promise<void>[] = [];
      for (const [name, c] of wanted) {
        if (this.running.has(name)) continue;
        const factory = this.factories[c.type];
        if (!factory) {
          this.opts.log?.(`source ${name}: type ${c.type} is not available in this build`);
          continue;
        }
        const isNew = !this.store.sourceExists(name);
        const ref = { name, id: this.store.sourceId(name, c.type), type: c.type };
        const ctx: SourceContext = {
          store: this.store,
          decoders: this.decoders,
          write: (b, signal) => this.ingestor.write(b, signal),
          readSlot: (signal) => this.ingestor.readSlot(signal),
          isBlocked: () => this.ingestor.isBlocked,
          blockedReason: () => this.ingestor.blockedReason,
          statusChanged: () => this.changed(),
          isNew,
          ...(this.opts.log ? { log: this.opts.log } : {}),
        };
        const before = earlier.get(name);
        if (before?.list.length) {
          const list = before.list.map((e) => ({ name: e.name, matcher: e.matcher() }));
          ctx.readByOther = (path) => readBy(path, list);
          // The sources before it have their ids by now (given above, in config order).
          const ids = new Map(list.map((e) => [this.store.sourceId(e.name, 'file'), e.name]));
          ctx.heldByOther = (f) => {
            const id = this.store.fileHolder([...ids.keys()], f.dev, f.ino, f.fp, f.compressed);
            return id === null ? null : (ids.get(id) ?? null);
          };
        }
        const source = factory(c, ctx, ref);
        const entry: { source: Source; key: string; claims: string; failed?: string } = { source, key: JSON.stringify(c), claims: before?.key ?? '' };
        this.running.set(name, entry);
        starting.push(
          source.start().catch((e) => {
            entry.failed = (e as Error).message;
            this.opts.log?.(`starting source ${name}: ${entry.failed}`);
          }),
        );
      }
      await Promise.all(starting);
      this.changed();
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /**
   * For each file source, the enabled file sources before it in the config (a file two of
   * them match is read by the first: a glob over a folder that also holds another source's
   * file stored its lines twice), and a key of what they read.
   */
  private earlierFileSources(wanted: SourceConfig[]): Map<string, { key: string; list: { name: string; matcher: () => PathMatcher }[] }> {
    const out = new Map<string, { key: string; list: { name: string; matcher: () => PathMatcher }[] }>();
    const files = wanted.filter((c) => c.type === 'file') as Extract<SourceConfig, { type: 'file' }>[];
    files.forEach((c, i) => {
      const before = files.slice(0, i);
      out.set(c.name, {
        key: JSON.stringify(before.map((b) => [b.name, b.path, b.recursive ?? null, b.include ?? null])),
        list: before.map((b) => ({ name: b.name, matcher: () => pathMatcher(b.path, b) })),
      });
    });
    return out;
  }

  /**
   * Running sources renamed in the config: gone under their name, and a new name with the
   * same settings otherwise, never seen before. Under the new name they go on from their
   * checkpoints; as a new source, `start: beginning` stored every line a second time.
   */
  private renames(wanted: Map<string, SourceConfig>): Map<string, string> {
    const out = new Map<string, string>();
    const unnamed = (c: SourceConfig | string) => {
      const { name: _, ...rest } = (typeof c === 'string' ? JSON.parse(c) : c) as SourceConfig;
      return JSON.stringify(rest);
    };
    const taken = new Set<string>();
    for (const [name, r] of this.running) {
      if (wanted.has(name)) continue;
      const was = unnamed(r.key);
      for (const [to, c] of wanted) {
        if (this.running.has(to) || taken.has(to) || this.store.sourceExists(to) || unnamed(c) !== was) continue;
        out.set(name, to);
        taken.add(to);
        break;
      }
    }
    return out;
  }

  /** A running source's formats in use, one row per format (see SourceDecoding). */
  decoding(name: string): SourceDecoding[] {
    const source = this.running.get(name)?.source;
    const rows = new Map<string, SourceDecoding>();
    for (const { what, decoder } of source?.decoders?.() ?? []) {
      const d = decoder.describe();
      const key = `${d.format}|${d.forced}`;
      const row = rows.get(key);
      if (row) row.streams++;
      else rows.set(key, { format: d.format, streams: 1, forced: d.forced, example: what, explanation: d.explanation });
    }
    return [...rows.values()].sort((a, b) => b.streams - a.streams || a.format.localeCompare(b.format));
  }

  views(): SourceView[] {
    return this.configs.map((config) => {
      const r = this.running.get(config.name);
      if (config.enabled === false) return { config, status: { state: 'disabled' } };
      if (r?.failed) return { config, status: { state: 'error', message: `could not start: ${r.failed}; it starts again when its config changes or Vigil restarts` } };
      return { config, status: r ? r.source.status() : { state: 'starting' } };
    });
  }

  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
    const all = [...this.running.values()].reverse();
    this.running.clear();
    await Promise.all(all.map((r) => r.source.close().catch(() => undefined)));
  }
}
