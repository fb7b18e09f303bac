import type { SourceConfig, SourceStatus } from '../../../shared/types.js';
import type { DecoderFactory, StreamDecoder } from '../decode/types.js';
import type { IngestBatch, SourceRef } from '../pipeline/types.js';
import type { Store } from '../store/store.js';

/** A running source: turns bytes somewhere into decoded records for the pipeline. */
export interface Source {
  readonly ref: SourceRef;
  readonly config: SourceConfig;
  start(): Promise<void>;
  status(): SourceStatus;
  /** Stops reading. Lines not yet stored stay behind the checkpoint and are read next start. */
  close(): Promise<void>;
  /** The decoders in use now, each with what it reads (a path, a container's stream). */
  decoders?(): { what: string; decoder: StreamDecoder }[];
}

export interface SourceContext {
  store: Store;
  decoders: DecoderFactory;
  /**
   * Bounded: waits when the store is behind. Aborting `signal` ends the wait with an
   * AbortError and the batch is not taken (its checkpoint did not move: nothing is lost).
   */
  write(batch: IngestBatch, signal?: AbortSignal): Promise<void>;
  /**
   * Held from reading a chunk until its batch is written: bounds what sources have read and
   * not queued yet (Ingestor.readSlot). Without it, reads are not limited.
   */
  readSlot?(signal?: AbortSignal): Promise<() => void>;
  /** True while the pipeline is refusing more (backpressure or store error). */
  isBlocked(): boolean;
  /** Why the pipeline is refusing more (for the source's status), or null. */
  blockedReason?(): string | null;
  /** The source's status changed. */
  statusChanged(): void;
  /** This source has never run before (decides `start: end` for files that already exist). */
  isNew: boolean;
  /** File sources: the source before this one in the config whose path takes this one, or null (see readBy). */
  readByOther?(path: string): string | null;
  /**
   * File sources: the source before this one in the config that holds a checkpoint of this
   * very file (a generation it followed through a rename, the file reached through a link),
   * or null. Its lines are that source's to store.
   */
  heldByOther?(file: { dev: number; ino: number; fp: string; compressed: boolean }): string | null;
  /** Called when a stream is rotated so the decoder can re-detect (optional). */
  log?(msg: string): void;
}
