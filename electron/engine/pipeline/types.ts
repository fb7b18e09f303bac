import type { CheckpointUpdate } from '../store/store.js';
import type { DecodedRecord } from '../decode/types.js';

export interface SourceRef {
  name: string;
  id: number;
  type: string;
}

/** What a source hands the pipeline: decoded records plus the checkpoint they reach. */
export interface IngestBatch {
  source: SourceRef;
  fileId: number | null;
  path: string | null;
  records: DecodedRecord[];
  /** Committed in the same transaction as the records. */
  checkpoint: CheckpointUpdate | null;
  /** When the source read the lines (for records without their own timestamp). */
  readAt: number;
  /** Bytes of source data behind these records (for the queue's memory bound); else estimated from `raw`. */
  bytes?: number;
}

/** A record after it is stored: its id and final values. */
export interface StoredRecord extends DecodedRecord {
  id: number;
  sourceName: string;
  sourceId: number;
  fileId: number | null;
  path: string | null;
  /** Final time: own timestamp, else transport's, else read time. */
  ts: number;
  levelRank: number;
  templateId: number | null;
  template: string | null;
}

/**
 * A stage after storage (detection, notification outbox, ...). `inTransaction` runs inside
 * the transaction that inserts the records, so what it writes is atomic with them;
 * `afterCommit` runs once they are durable.
 */
export interface BatchStage {
  readonly name: string;
  inTransaction?(records: StoredRecord[]): void;
  afterCommit?(records: StoredRecord[]): void;
}

/** Template mining as the pipeline uses it; `persist` runs inside the records' transaction. */
export interface TemplateStage {
  match(message: string, record: DecodedRecord): { id: number; template: string } | null;
  persist?(): void;
  /** The transaction that ran `persist` rolled back: keep what it would have saved dirty. */
  rollback?(): void;
}
