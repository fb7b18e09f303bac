// A file source on real files and a real SQLite store, without the rest of the engine:
// Store -> Ingestor -> SourceManager -> FileSource, with short intervals so tests are quick.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FileSourceConfig, SourceStatus } from '../../../../shared/types.js';
import { GenericDecoderFactory } from '../../../../electron/engine/decode/generic.js';
import type { DecoderFactory } from '../../../../electron/engine/decode/types.js';
import { Ingestor, type IngestorOptions } from '../../../../electron/engine/pipeline/ingestor.js';
import type { FileSourceOptions } from '../../../../electron/engine/sources/file/file-source.js';
import { SourceManager } from '../../../../electron/engine/sources/manager.js';
import { Store } from '../../../../electron/engine/store/store.js';
import { waitFor } from '../../../support/tmp.js';

export const FAST: FileSourceOptions = { tickMs: 40, rotateWaitMs: 300, pollIntervalMs: 50, closeFlushMs: 2000 };

export interface RigOptions {
  dir: string;
  source: Omit<FileSourceConfig, 'name' | 'type'> & { name?: string };
  file?: FileSourceOptions;
  ingestor?: IngestorOptions;
  dbPath?: string;
  /** The engine's decoders by default: the generic one (one line, one record). */
  decoders?: DecoderFactory;
}

export class Rig {
  store!: Store;
  ingestor!: Ingestor;
  manager!: SourceManager;
  readonly logs: string[] = [];
  private constructor(readonly opts: RigOptions) {}

  static async start(opts: RigOptions): Promise<Rig> {
    const rig = new Rig(opts);
    await rig.open();
    return rig;
  }

  get name(): string {
    return this.opts.source.name ?? 'src';
  }

  get config(): FileSourceConfig {
    return { name: this.name, type: 'file', ...this.opts.source };
  }

  async open(): Promise<void> {
    this.store = new Store(this.opts.dbPath ?? join(this.opts.dir, 'vigil.db'));
    this.ingestor = new Ingestor(this.store, null, [], {}, { lingerMs: 5, ...this.opts.ingestor });
    this.manager = new SourceManager(this.store, this.ingestor, this.opts.decoders ?? new GenericDecoderFactory(), () => undefined, {
      fileOptions: { ...FAST, ...this.opts.file },
      log: (m) => this.logs.push(m),
    });
    await this.manager.apply([this.config]);
  }

  /** A clean stop: what was read is stored. */
  async close(): Promise<void> {
    await this.manager.close();
    await this.ingestor.close().catch(() => undefined);
    this.store.close();
  }

  async restart(): Promise<void> {
    await this.close();
    await this.open();
  }

  status(): SourceStatus {
    return this.manager.views()[0]!.status;
  }

  /** Stored raw lines, in id order. */
  lines(): string[] {
    return this.store.db.prepare('SELECT raw FROM records ORDER BY id').pluck().all() as string[];
  }

  rows(): { raw: string; flags: number; raw_bytes: Buffer | null; path: string | null; line_no: number }[] {
    return this.store.db
      .prepare('SELECT r.raw, r.flags, r.raw_bytes, f.path, r.line_no FROM records r LEFT JOIN files f ON f.id = r.file_id ORDER BY r.id')
      .all() as never;
  }

  /** Waits until `n` lines are stored, then a little longer to catch any extra (a repeat). */
  async expectCount(n: number, what = `${n} lines stored`, timeoutMs = 15_000): Promise<string[]> {
    await waitFor(() => this.count() >= n, { what, timeoutMs });
    await settle(this, FAST.tickMs! * 4);
    return this.lines();
  }

  count(): number {
    return this.store.db.prepare('SELECT count(*) FROM records').pluck().get() as number;
  }
}

/** Lets the source run a few ticks (to give a wrong extra line a chance to show up). */
export async function settle(_rig: Rig, ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/**
 * A program writing its log the way programs do: one descriptor opened for append,
 * kept open across rotations until told to reopen (as after logrotate's postrotate HUP).
 */
export class Writer {
  private fd: number;
  private n = 0;
  readonly written: string[] = [];
  constructor(
    readonly path: string,
    readonly prefix = 'line',
  ) {
    this.fd = openSync(path, 'a');
  }
  /** Writes `count` numbered lines; returns them. */
  write(count = 1, eol = '\n'): string[] {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(`${this.prefix} ${++this.n} ${'x'.repeat(this.n % 40)}`);
    writeSync(this.fd, out.map((l) => l + eol).join(''));
    this.written.push(...out);
    return out;
  }
  raw(text: string | Buffer): void {
    writeSync(this.fd, typeof text === 'string' ? Buffer.from(text) : text);
  }
  reopen(): void {
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
  }
  close(): void {
    closeSync(this.fd);
  }
}
