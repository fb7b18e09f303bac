import type { AnomalyChange } from '../../../shared/types.js';
import type { BatchStage, StoredRecord } from '../pipeline/types.js';
import type { Detection } from './detection.js';

/**
 * Detection as a pipeline stage. `inTransaction` writes anomalies, evidence and detector
 * state in the transaction that stores the records; `afterCommit` hands the changes on
 * once they are durable. If a batch's transaction did not commit (the stage threw, or the
 * store refused the batch and will retry it), the in-memory state is rebuilt from the
 * database before the next batch, so a retried batch is not counted twice.
 */
export class DetectionStage implements BatchStage {
  readonly name = 'detection';
  private pending: AnomalyChange[] = [];
  private uncommitted = false;

  constructor(
    private readonly detection: () => Detection | null,
    private readonly committed: (changes: AnomalyChange[]) => void,
  ) {}

  inTransaction(records: StoredRecord[]): void {
    const d = this.detection();
    if (!d) return;
    if (this.uncommitted) {
      d.reload();
      this.pending = [];
    }
    this.uncommitted = true;
    try {
      this.pending.push(...d.process(records));
    } catch (err) {
      this.pending = [];
      d.reload();
      throw err;
    }
  }

  afterCommit(): void {
    this.uncommitted = false;
    const changes = this.pending;
    this.pending = [];
    if (changes.length) this.committed(changes);
  }
}
