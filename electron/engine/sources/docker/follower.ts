// Follows one container's logs across its restarts: a reading session per run of the
// container, resumed from the checkpoint (committed with the records) each time.
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { DecodedRecord, StreamDecoder } from '../../decode/types.js';
import type { SourceRef } from '../../pipeline/types.js';
import type { SourceContext } from '../source.js';
import { carryAlong, serializeCursor, sinceFor, STREAMS, type ContainerCursor, type StreamName } from './checkpoint.js';
import { MultiplexedParser, RawParser, SniffingParser, type LogMessage } from './demux.js';
import { StreamLines } from './stream-lines.js';
import { Backoff, sleep } from '../backoff.js';
import { sinceParam } from './position.js';

export interface FollowerDeps {
  ref: SourceRef;
  ctx: SourceContext;
  makeDecoder(stream: StreamName): StreamDecoder;
  maxLineBytes: number;
  backoff: { minMs: number; maxMs: number };
  /** Status changed (error set or cleared, session opened or closed). */
  changed(): void;
  /** The container no longer exists. */
  gone(f: ContainerFollower): void;
}

interface RunInfo {
  running: boolean;
  startedAt: string;
  /** null: not known (the container was removed before Docker described it). */
  tty: boolean | null;
  /** HostConfig.LogConfig.Type: json-file, local, journald, none, syslog, ... */
  logDriver: string;
}

export class ContainerFollower {
  /** Why the last attempt failed, until one succeeds. */
  error: string | null = null;
  /** A logs request is open. */
  reading = false;
  /** Why Docker cannot give this container's logs back at all (its logging driver): not followed. */
  unreadable: string | null = null;
  private docker: Docker | null = null;
  private loop: Promise<void> | null = null;
  private stopSignal: AbortController | null = null;
  private starts = 0;
  private wakeStart: (() => void) | null = null;
  private streams: Record<StreamName, StreamLines> | null = null;
  private serial: Promise<unknown> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;
  private lastWritten: string;
  /** Docker removed the container: read what it still sends, then stop. */
  private removedByDocker = false;
  /** Ends the loop's waits early (a removal): a wait for a start that cannot come, a retry's pause. */
  private hurry = new AbortController();
  private removalStored = false;

  constructor(
    readonly id: string,
    public name: string,
    readonly rowId: number,
    /** The checkpoint last handed to the store: where a new session resumes. */
    private committed: ContainerCursor,
    private readonly deps: FollowerDeps,
  ) {
    this.lastWritten = serializeCursor(committed);
  }

  get running(): boolean {
    return this.loop !== null;
  }

  /** The decoders of this container's streams in this session (none before Docker answered). */
  decoders(): { what: string; decoder: StreamDecoder }[] {
    if (!this.streams) return [];
    return (['stdout', 'stderr'] as const).map((k) => ({ what: `${this.name} (${k})`, decoder: this.streams![k].decoder }));
  }

  /** Starts following with this client; `readNow` false waits for the container's next start. */
  start(docker: Docker, readNow: boolean): void {
    if (this.loop) return;
    this.docker = docker;
    const stop = new AbortController();
    this.stopSignal = stop;
    this.loop = this.run(readNow, stop.signal).finally(() => {
      this.loop = null;
    });
  }

  /** Docker reported a start of this container. */
  started(): void {
    this.starts++;
    this.wakeStart?.();
  }

  /**
   * Docker removed the container (`docker run --rm` removes it as it exits). A logs request
   * already open is read to its end: Docker answers it in full, and a container that lived
   * a few milliseconds has its only lines there (cutting it short lost them). Then what is
   * held is stored, which no later session could read again. `graceMs` bounds the wait.
   */
  async removed(graceMs = 5000): Promise<void> {
    this.removedByDocker = true;
    this.hurry.abort();
    this.wakeStart?.();
    const loop = this.loop;
    if (loop) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([loop, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    await this.halt();
    this.stopSignal = null; // the writes below are not a read to cut short
    await this.storeRemoved();
    this.streams = null;
  }

  /** Nothing more can be read: what is held (a record the decoder waits to complete, a last line without its newline) is stored now, or never. */
  private async storeRemoved(): Promise<void> {
    if (this.removalStored) return;
    this.removalStored = true;
    await this.enqueue(() => this.flushEnded());
    await this.enqueue(() => this.write([], 'removed'));
  }

  /** The checkpoint last handed to the store, as stored: where a follower made again later goes on. */
  get checkpoint(): string {
    return serializeCursor(this.committed);
  }

  /**
   * The container left the source's selection (renamed out of it, as `docker compose` does
   * to a container it recreates): what it wrote before `untilKey` (the rename's time) is read
   * to its end without following, and what is held stored; then reading stops. Stopped at
   * once, the lines not read yet were lost: the container is no longer ours to read later.
   */
  async leave(untilKey: string): Promise<void> {
    await this.halt();
    if (this.docker && !this.removedByDocker) {
      const stop = new AbortController();
      this.stopSignal = stop;
      try {
        await this.session({ running: false, startedAt: '', tty: null, logDriver: '' }, stop.signal, null, untilKey);
      } catch (err) {
        // Removed meanwhile: what it left went with it. What is held is still stored below.
        if (!isStatus(err, 404)) this.deps.ctx.log?.(`source ${this.deps.ref.name}: container ${this.name}: reading its last lines: ${describe(err)}`);
      }
      await this.enqueue(() => this.flushEnded());
      await this.serial.catch(() => undefined);
      this.stopSignal = null;
    }
    this.streams = null;
  }

  /** Stops reading; what is held and not written is read again by the next session. */
  async stop(): Promise<void> {
    await this.halt();
    this.streams = null;
  }

  /** Ends the reading loop and what it queued; the streams (and what they hold) stay. */
  private async halt(): Promise<void> {
    this.stopSignal?.abort();
    this.wakeStart?.();
    await this.loop;
    await this.serial.catch(() => undefined);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private async run(readNow: boolean, stop: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.deps.backoff.minMs, this.deps.backoff.maxMs);
    const pause = AbortSignal.any([stop, this.hurry.signal]);
    let mark = this.starts;
    if (!readNow) await this.untilStarted(mark, stop);
    let before: RunInfo | null = null;
    while (!stop.aborted) {
      try {
        mark = this.starts;
        // The log is asked for with the inspect, not after it. `docker run --rm` removes a
        // container as it exits, and its log with it; an inspect of a container that is
        // starting took 30-140 ms here, longer than such a container lives. A logs request
        // that reached Docker before the removal is answered in full.
        const opening = this.openLogs(true, stop);
        opening.catch(() => undefined); // its failure is handled below, with the inspect's answer
        const described = this.inspect(stop).then(
          (info) => ({ info, err: null }),
          (err: unknown) => ({ info: null, err }),
        );
        let opened: Readable;
        try {
          opened = await opening;
        } catch (err) {
          const d = await described;
          before = d.info;
          if (d.err) throw d.err;
          // 409: "dead or marked for removal". Either way, gone for good if Docker says so now.
          if ((isStatus(err, 404) || isStatus(err, 409)) && !stop.aborted && !(before && (await this.inspect(stop)))) return await this.finishGone();
          throw err;
        }
        const d = await described;
        before = d.info;
        if (!before) {
          // Removed meanwhile (or Docker could not say, while removing it), but the logs
          // request got in first and is answered with the whole run: read it.
          await this.session({ running: false, startedAt: '', tty: null, logDriver: '' }, stop, opened);
          if (stop.aborted) return;
          // A failed inspect is retried as before, the next session resuming where this one ended.
          if (d.err) throw d.err;
          await this.enqueue(() => this.flushEnded());
          return await this.finishGone();
        }
        await this.session(before, stop, opened);
        if (stop.aborted) return;
        mark = this.starts;
        const after = await this.inspect(stop);
        // The run we read has ended (stopped, restarted or removed): its last line is complete.
        const runEnded = !after || !after.running || after.startedAt !== before.startedAt;
        if (runEnded) {
          // Docker can end a follow stream before the run's last message reaches it (seen
          // with a crash message left without its newline, the line that matters most):
          // read once more, without following, from the checkpoint; then the run is whole.
          try {
            if (after) await this.session(before, stop, null);
          } catch (err) {
            // Removed meanwhile (docker run --rm): what it left went with it, but what we
            // read and hold (a record the decoder waits to complete) is flushed below.
            if (stop.aborted || !isStatus(err, 404)) throw err;
          }
          if (stop.aborted) return;
          await this.enqueue(() => this.flushEnded());
        }
        this.setError(null);
        if (!after) return await this.finishGone();
        if (after.running && !runEnded) {
          // Docker ended the stream of a container still in the same run: ask again, gently.
          await sleep(backoff.next(), pause);
        } else if (!after.running) {
          backoff.reset();
          await this.untilStarted(mark, stop);
        }
      } catch (err) {
        // After a removal there is nothing left to retry for.
        if (stop.aborted || this.removedByDocker) return;
        if (isStatus(err, 501)) {
          // "configured logging driver does not support reading" (--log-driver none, or a
          // remote driver with Docker's local cache off): asking again cannot help, and the
          // driver stays the container's for its life. Its events are still recorded.
          this.unreadable = `its logging driver (${before?.logDriver || 'unknown'}) keeps no logs Docker can give back: ${describe(err).trim()}`;
          this.error = null;
          this.deps.changed();
          return;
        }
        this.setError(describe(err));
        await sleep(backoff.next(), pause);
      }
    }
  }

  private async untilStarted(mark: number, stop: AbortSignal): Promise<void> {
    while (this.starts === mark && !stop.aborted && !this.removedByDocker) {
      await new Promise<void>((resolve) => (this.wakeStart = resolve));
      this.wakeStart = null;
    }
  }

  private async inspect(stop: AbortSignal): Promise<RunInfo | null> {
    try {
      const c = await this.docker!.getContainer(this.id).inspect({ abortSignal: stop });
      return { running: !!c.State?.Running, startedAt: c.State?.StartedAt ?? '', tty: !!c.Config?.Tty, logDriver: c.HostConfig?.LogConfig?.Type ?? '' };
    } catch (err) {
      if (isStatus(err, 404)) return null;
      throw err;
    }
  }

  /** Asks for the container's log from the checkpoint, following it. */
  private async openLogs(follow: true, stop: AbortSignal): Promise<Readable> {
    const opts = { stdout: true, stderr: true, timestamps: true, since: sinceFor(this.committed), abortSignal: stop, follow };
    return (await this.docker!.getContainer(this.id).logs(opts)) as unknown as Readable;
  }

  /**
   * Reads the container's log from the checkpoint: `stream`, a follow stream already
   * asked for, or (null) to its end, Docker's whole answer in one buffer (what a follow
   * stream that ended early left: a few lines).
   */
  private async session(run: RunInfo, stop: AbortSignal, stream: Readable | null, untilKey?: string): Promise<void> {
    const opts = { stdout: true, stderr: true, timestamps: true, since: sinceFor(this.committed), abortSignal: stop, ...(untilKey ? { until: sinceParam(untilKey) } : {}) };
    const chunks: AsyncIterable<unknown> | unknown[] =
      stream ?? [(await this.docker!.getContainer(this.id).logs({ ...opts, follow: false })) as unknown as Buffer];
    // Made once Docker answered: until then, the last session's streams (and the records
    // their decoders hold, behind the checkpoint) stay, for a flush if Docker cannot answer.
    const streams = {} as Record<StreamName, StreamLines>;
    for (const s of STREAMS) streams[s] = new StreamLines(s, this.committed[s], this.deps.makeDecoder(s), this.deps.maxLineBytes);
    this.streams = streams;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const says = (text: string) => this.deps.ctx.log?.(`source ${this.deps.ref.name}: container ${this.name}: docker says: ${text}`);
    const parser = run.tty === null ? new SniffingParser(says) : run.tty ? new RawParser() : new MultiplexedParser(says);
    this.reading = true;
    this.unreadable = null;
    this.setError(null);
    this.deps.changed();
    try {
      // Awaiting each write before the next chunk is how backpressure reaches the socket.
      for await (const chunk of chunks) await this.enqueue(() => this.consume(parser.push(chunk as Buffer)));
      await this.enqueue(() => this.consume(parser.end()));
    } finally {
      this.reading = false;
      stream?.destroy();
      this.deps.changed();
    }
  }

  private async consume(messages: LogMessage[]): Promise<void> {
    const streams = this.streams;
    if (!streams || !messages.length) return;
    const readAt = Date.now();
    const records: DecodedRecord[] = [];
    for (const m of messages) {
      // push, not concat: a chunk holds hundreds of messages, and concat copies the whole array each time.
      for (const r of streams[m.stream].push(m, readAt)) records.push(r);
    }
    await this.write(records);
  }

  private async flushEnded(): Promise<void> {
    const streams = this.streams;
    if (!streams) return;
    const readAt = Date.now();
    const records = streams.stdout.flushEnded(readAt).concat(streams.stderr.flushEnded(readAt));
    await this.write(records);
  }

  private async finishGone(): Promise<void> {
    await this.storeRemoved();
    this.deps.gone(this);
  }

  private async write(records: DecodedRecord[], state?: string): Promise<void> {
    const streams = this.streams;
    const cursor: ContainerCursor = streams ? { stdout: streams.stdout.checkpoint(), stderr: streams.stderr.checkpoint() } : this.committed;
    if (streams) {
      // An idle stream follows its sibling, so a reopen does not reread its whole history.
      if (streams.stdout.holdsNothing) cursor.stdout = carryAlong(cursor.stdout, cursor.stderr);
      if (streams.stderr.holdsNothing) cursor.stderr = carryAlong(cursor.stderr, cursor.stdout);
    }
    const text = serializeCursor(cursor);
    if (!records.length && text === this.lastWritten && !state) {
      // Nothing to store yet, but the decoder may be holding lines that a timeout must release.
      this.scheduleTimeoutFlush();
      return;
    }
    const lines = cursor.stdout.seq + cursor.stderr.seq;
    // A stop cuts a wait for a full queue short; the batch is then not taken and the
    // checkpoint stays where it was, so the lines are read again next time.
    await this.deps.ctx.write({
      source: this.deps.ref,
      fileId: this.rowId,
      path: this.name,
      records,
      checkpoint: { fileId: this.rowId, offset: lines, lineNo: lines, cursor: text, ...(state ? { state } : {}) },
      readAt: Date.now(),
    }, this.stopSignal?.signal);
    this.committed = cursor;
    this.lastWritten = text;
    this.scheduleTimeoutFlush();
  }

  /** Multi-line records held by a decoder are flushed after their timeout even if no line follows. */
  private scheduleTimeoutFlush(): void {
    const streams = this.streams;
    if (!streams || this.flushTimer) return;
    const now = Date.now();
    const dues = STREAMS.map((s) => streams[s].flushDueInMs(now)).filter((d): d is number => d !== null);
    if (!dues.length) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.enqueue(async () => {
        if (this.streams !== streams) return;
        const t = Date.now();
        const records = streams.stdout.flushDue(t).concat(streams.stderr.flushDue(t));
        if (records.length) await this.write(records);
        else this.scheduleTimeoutFlush();
      }).catch(() => undefined);
    }, Math.max(Math.min(...dues), 1));
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.serial.then(fn, fn);
    this.serial = p.catch(() => undefined);
    return p;
  }

  private setError(error: string | null): void {
    if (error === this.error) return;
    this.error = error;
    this.deps.changed();
  }
}

function isStatus(err: unknown, code: number): boolean {
  return (err as { statusCode?: number } | null)?.statusCode === code;
}

function describe(err: unknown): string {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string; code?: string };
  return e.json?.message ?? (e.code ? `${e.code}: ${e.message}` : (e.message ?? String(err)));
}
