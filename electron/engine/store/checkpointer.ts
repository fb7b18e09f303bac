import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { Worker } from 'node:worker_threads';
import { driverPath } from './driver.js';

// Slots of the state shared with the worker (an Int32Array over a SharedArrayBuffer).
const SEQ = 0; // bumped by the writer when a checkpoint is due
const STATE = 1;
// STATE: IDLE -> RUNNING (the worker took it) | CLOSED (the writer closed first);
// RUNNING -> CLOSING (the writer asks it to stop) -> DONE (its connection is closed).
// RUNNING -> DONE also when it cannot work (cannot open the database).
const IDLE = 0;
const RUNNING = 1;
const CLOSING = 2;
const DONE = 3;
const CLOSED = 4;

// The worker is a plain loop on shared memory, no event loop: woken when a checkpoint is
// due, it copies the WAL into the database (PASSIVE: it never waits for the writer or
// for readers), then sleeps until woken again.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { shared, path, driver } = workerData;
const s = new Int32Array(shared);
if (Atomics.compareExchange(s, ${STATE}, ${IDLE}, ${RUNNING}) === ${IDLE}) {
  let db = null;
  try {
    db = new (require(driver))(path, { fileMustExist: true });
    db.pragma('busy_timeout = 0');
    const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
    let seen = Atomics.load(s, ${SEQ}) - 1;
    while (Atomics.load(s, ${STATE}) === ${RUNNING}) {
      if (Atomics.load(s, ${SEQ}) === seen) { Atomics.wait(s, ${SEQ}, seen, 10000); continue; }
      seen = Atomics.load(s, ${SEQ});
      try { checkpoint.run(); } catch { /* busy, or I/O: again when next due */ }
    }
  } catch { /* cannot work: the writer checkpoints by itself again */ }
  try { if (db) db.close(); } catch {}
  Atomics.store(s, ${STATE}, ${DONE});
  Atomics.notify(s, ${STATE});
}
`;

/**
 * Copies the WAL into the database on a thread of its own, with its own connection, so
 * that commits do not pay for checkpoints (a fifth of their time under load, and stalls).
 * Due when `dueFrames` pages wait (the store asks for what SQLite's automatic checkpoint
 * waits for, 4 MB); the writer reads that count after each commit from the WAL index
 * header (the -shm file; its layout is fixed: https://sqlite.org/walformat.html, mxFrame
 * at byte 16, nBackfill at byte 96, native byte order). The thread starts when first
 * due, so a store that writes little never starts it. Durability is unchanged: a
 * transaction is durable once in the WAL (synchronous=NORMAL), whoever copies it later.
 */
export class WalCheckpointer {
  private readonly s = new Int32Array(new SharedArrayBuffer(8));
  private readonly hdr = Buffer.alloc(100);
  private readonly le = endianness() === 'LE';
  private shm = -1;
  private worker: Worker | null = null;
  private failed = false;
  private closed = false;

  /** `dueFrames`: WAL frames (pages) not yet in the database from which a checkpoint is due. */
  constructor(
    private readonly path: string,
    private readonly dueFrames = 1000,
  ) {}

  /**
   * The writer committed: wakes the thread when a checkpoint is due. False once this
   * cannot work (thread or WAL index gone): the writer checkpoints by itself again.
   * Never throws.
   */
  committed(): boolean {
    if (this.failed || this.closed) return false;
    try {
      if (this.shm === -1) this.shm = openSync(`${this.path}-shm`, 'r');
      if (readSync(this.shm, this.hdr, 0, 100, 0) < 100) return true;
    } catch {
      this.failed = true;
      return false;
    }
    const h = this.hdr;
    const pending = this.le ? h.readUInt32LE(16) - h.readUInt32LE(96) : h.readUInt32BE(16) - h.readUInt32BE(96);
    if (pending < this.dueFrames) return true;
    if (!this.worker && !this.start()) return false;
    if (Atomics.load(this.s, STATE) === DONE) {
      this.failed = true;
      return false;
    }
    Atomics.add(this.s, SEQ, 1);
    Atomics.notify(this.s, SEQ);
    return true;
  }

  /** Stops the thread; returns once its connection is closed (or after `timeoutMs`). */
  close(timeoutMs = 2000): void {
    if (this.closed) return;
    this.closed = true;
    if (this.shm !== -1) {
      try {
        closeSync(this.shm);
      } catch {
        /* closed anyway */
      }
    }
    if (!this.worker) return;
    if (Atomics.compareExchange(this.s, STATE, IDLE, CLOSED) !== IDLE) {
      Atomics.compareExchange(this.s, STATE, RUNNING, CLOSING);
      Atomics.notify(this.s, STATE);
      Atomics.notify(this.s, SEQ);
      const end = Date.now() + timeoutMs;
      for (let st = Atomics.load(this.s, STATE); st !== DONE && Date.now() < end; st = Atomics.load(this.s, STATE)) {
        Atomics.wait(this.s, STATE, st, Math.min(50, Math.max(1, end - Date.now())));
      }
    }
    void this.worker.terminate();
  }

  private start(): boolean {
    try {
      this.worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { shared: this.s.buffer, path: this.path, driver: driverPath() },
        stdout: true,
        stderr: true,
      });
    } catch {
      this.failed = true;
      return false;
    }
    const gone = () => {
      this.failed = true;
    };
    this.worker.once('error', gone);
    this.worker.once('exit', gone);
    this.worker.unref();
    return true;
  }
}
