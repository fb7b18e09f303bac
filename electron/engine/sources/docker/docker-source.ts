import { DEFAULT_MAX_LINE_BYTES, type DockerSourceConfig, type SourceStatus } from '../../../../shared/types.js';
import type { SourceRef } from '../../pipeline/types.js';
import type { FileRow } from '../../store/store.js';
import type { Source, SourceContext } from '../source.js';
import { Backoff, sleep } from '../backoff.js';
import { BEGINNING, cursorAt, parseContainerCursor, serializeCursor, type StreamName } from './checkpoint.js';
import { DockerClient } from './client.js';
import { resolveEndpoint, systemEndpointEnv, type EndpointEnv } from './endpoint.js';
import { describeEvent, eventRecord, jsonLines, parseEvent, type ContainerEvent } from './events.js';
import { ContainerFollower, type FollowerDeps } from './follower.js';
import { advance, parseLogTime, ResumeFilter, sinceParam, type Position } from './position.js';
import { identityOf, Selection } from './selection.js';
import type { StreamDecoder } from '../../decode/types.js';

export interface DockerSourceOptions {
  /** First and longest wait between attempts to reach the engine (and to reread a container). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** How often a quiet connection is checked (a TCP peer may vanish without closing). */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** Lines longer than this (after rejoining Docker's 16 KiB pieces) are stored truncated and flagged. */
  maxLineBytes?: number;
  endpointEnv?: EndpointEnv;
}

/** How long `start` waits for the first connection (a local engine answers in milliseconds). */
const FIRST_ATTEMPT_WAIT_MS = 3000;
/** The row holding the event stream's position; container rows hold their id as fingerprint. */
const EVENTS_FINGERPRINT = 'docker:events';
const EVENTS_PATH = '(docker events)';

/**
 * A docker source: follows the containers it selects (by name, /pattern/, label, or all),
 * including those started later, across their restarts and across restarts of the
 * engine and of Vigil. Each container's position is checkpointed with its records, so
 * every line is stored once; start, die, OOM and health events become records too.
 */
export class DockerSource implements Source {
  private readonly selection: Selection;
  private readonly followers = new Map<string, ContainerFollower>();
  /** Followers of removed containers, reading what Docker still sends them. */
  private readonly removing = new Map<ContainerFollower, Promise<void>>();
  private readonly rows = new Map<string, FileRow>();
  private readonly opts: Required<Omit<DockerSourceOptions, 'endpointEnv'>>;
  private readonly stopping = new AbortController();
  private readonly followerDeps: FollowerDeps;
  private client: DockerClient | null = null;
  private session: AbortController | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private endpointText: string;
  private connected = false;
  private lastError: string | null = null;
  private retryAt = 0;
  private eventsRowId = 0;
  private eventsPos: Position = BEGINNING;
  /** Containers created from this second on are new to the source: read from their first line. */
  private epoch: string | null = null;
  /** Until a new source has listed the containers once: every one listed predates it, and `start` decides. */
  private firstListing = false;
  /** The engine's clock at the last connection: where `start: end` begins. */
  private engineNow = '';

  constructor(
    readonly config: DockerSourceConfig,
    readonly ref: SourceRef,
    private readonly ctx: SourceContext,
    opts: DockerSourceOptions = {},
    private readonly endpointEnv: EndpointEnv = opts.endpointEnv ?? systemEndpointEnv,
  ) {
    this.opts = {
      retryMinMs: opts.retryMinMs ?? 500,
      retryMaxMs: opts.retryMaxMs ?? 10_000,
      pingIntervalMs: opts.pingIntervalMs ?? 15_000,
      pingTimeoutMs: opts.pingTimeoutMs ?? 5_000,
      maxLineBytes: opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    };
    this.selection = new Selection(config.containers, config.labels);
    this.endpointText = config.host ?? 'the Docker engine';
    this.followerDeps = {
      ref,
      ctx,
      makeDecoder: (_stream: StreamName) =>
        ctx.decoders.create({
          ...(config.format ? { format: config.format } : {}),
          ...(config.multiline ? { multiline: config.multiline } : {}),
          fileMtimeMs: Date.now(),
        }),
      maxLineBytes: this.opts.maxLineBytes,
      backoff: { minMs: this.opts.retryMinMs, maxMs: this.opts.retryMaxMs },
      changed: () => ctx.statusChanged(),
      gone: (f) => {
        if (this.followers.get(f.id) === f) this.followers.delete(f.id);
        ctx.statusChanged();
      },
    };
  }

  decoders(): { what: string; decoder: StreamDecoder }[] {
    return [...this.followers.values()].flatMap((f) => f.decoders());
  }

  /** Resolves once the first attempt to reach the engine succeeded (containers attached) or failed, or after 3 s. */
  async start(): Promise<void> {
    if (this.selection.problems.length) return;
    for (const row of this.ctx.store.files(this.ref.id)) {
      if (row.fingerprint === EVENTS_FINGERPRINT) {
        this.eventsRowId = row.id;
        this.eventsPos = parsePosition(row.cursor);
      } else if (row.fingerprint) {
        this.rows.set(row.fingerprint, row);
      }
    }
    let firstAttempt!: () => void;
    const first = new Promise<void>((r) => (firstAttempt = r));
    this.loop = this.run(firstAttempt);
    // A black-holed TCP host would hold Vigil's start for the whole ping timeout: wait a little only.
    await Promise.race([first, sleep(FIRST_ATTEMPT_WAIT_MS, this.stopping.signal)]);
  }

  status(): SourceStatus {
    const followers = [...this.followers.values()];
    const files = followers.filter((f) => f.reading).length;
    if (this.selection.problems.length) return { state: 'error', files, message: this.selection.problems.join('; ') };
    if (!this.connected) {
      if (!this.lastError) return { state: 'starting', files };
      const wait = Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000));
      return { state: 'error', files, message: `cannot reach Docker at ${this.endpointText}: ${this.lastError}; retrying${wait ? ` in ${wait} s` : ''}` };
    }
    if (this.ctx.isBlocked()) {
      return { state: 'paused', files, message: `${this.ctx.blockedReason?.() ?? 'the store is behind'}; reading is paused meanwhile` };
    }
    const failing = followers.filter((f) => f.error);
    if (failing.length) {
      const more = failing.length > 1 ? ` (and ${failing.length - 1} more)` : '';
      return { state: 'error', files, message: `container ${failing[0]!.name}: ${failing[0]!.error}${more}` };
    }
    const unreadable = followers.filter((f) => f.unreadable);
    const note = unreadable.length
      ? { message: `not followed: container ${unreadable[0]!.name}: ${unreadable[0]!.unreadable}${unreadable.length > 1 ? ` (and ${unreadable.length - 1} more)` : ''}` }
      : {};
    if (files === 0 && !unreadable.length) return { state: 'watching', files, message: `no running container yet: waiting for ${this.selection.describe()}` };
    return { state: 'watching', files, ...note };
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  // ---- connection -------------------------------------------------------------------

  private async run(firstAttempt: () => void): Promise<void> {
    const backoff = new Backoff(this.opts.retryMinMs, this.opts.retryMaxMs);
    while (!this.stopping.signal.aborted) {
      try {
        await this.connectAndWatch(() => {
          backoff.reset();
          firstAttempt();
        });
      } catch (err) {
        if (!this.stopping.signal.aborted) this.lastError ??= describe(err);
      }
      await this.disconnect();
      firstAttempt();
      if (this.stopping.signal.aborted) break;
      const delay = backoff.next();
      this.retryAt = Date.now() + delay;
      this.ctx.statusChanged();
      await sleep(delay, this.stopping.signal);
    }
  }

  /** Connects, attaches the selected containers, then follows events until the connection is lost. */
  private async connectAndWatch(onConnected: () => void): Promise<void> {
    // The last error stays until this attempt connects: while an engine does not answer,
    // the status says so steadily, not 'starting' for the length of each attempt.
    const endpoint = await resolveEndpoint(this.config, this.endpointEnv);
    this.endpointText = endpoint.describe;
    const client = await DockerClient.create(endpoint);
    const session = new AbortController();
    this.session = session;
    const signal = AbortSignal.any([session.signal, this.stopping.signal]);
    await client.ping(signal, this.opts.pingTimeoutMs);
    const now = parseLogTime((await client.systemTime(signal)) ?? '')?.key ?? parseLogTime(new Date().toISOString())!.key;
    this.engineNow = now;
    if (!this.eventsRowId) {
      this.firstListing = true;
      // A source's first contact: history before now is not its business (start: end), and
      // containers created from now on are read from their first line.
      this.eventsPos = { t: now, n: 0 };
      this.eventsRowId = this.ctx.store.addFile({
        source_id: this.ref.id, path: EVENTS_PATH, dev: null, ino: null, fingerprint: EVENTS_FINGERPRINT,
        offset: 0, line_no: 0, size: 0, state: 'active', cursor: JSON.stringify(this.eventsPos),
      });
    }
    this.epoch ??= this.eventsPos.t;
    // Subscribe before listing, so a container started in between is not missed; the
    // events wait in the response stream until the list is handled.
    const events = await client.events(sinceParam(this.eventsPos.t), signal);
    const list = await client.containers(signal);
    this.client = client;
    for (const c of list) {
      const who = identityOf(c.Names, c.Labels);
      if (!this.selection.matches(who)) continue;
      this.attach(c.Id, who.name, this.firstListing ? 'existing' : secondsKey(c.Created), c.State === 'running');
    }
    this.firstListing = false;
    // Followers from before a lost connection resume from their checkpoints; one whose
    // container went away meanwhile finds out and leaves.
    for (const f of this.followers.values()) f.start(client.api, true);
    this.connected = true;
    this.lastError = null;
    this.ctx.statusChanged();
    onConnected();
    this.pingTimer = setInterval(() => {
      client.ping(signal, this.opts.pingTimeoutMs).catch((err) => {
        if (signal.aborted) return;
        const why = describe(err);
        this.lastError = why.startsWith('it did not answer') ? why : `no answer to ping: ${why}`;
        session.abort();
      });
    }, this.opts.pingIntervalMs);
    this.pingTimer.unref?.();

    const filter = new ResumeFilter(this.eventsPos);
    for await (const line of jsonLines(events as AsyncIterable<Buffer>)) {
      const ev = parseEvent(line);
      if (!ev || !filter.accept(ev.key)) continue;
      this.eventsPos = advance(this.eventsPos, ev.key);
      // Unrecorded events move the position in memory only; it is stored with the next record.
      await this.onEvent(ev);
    }
    throw new Error('the engine closed the event stream');
  }

  private async disconnect(): Promise<void> {
    const wasConnected = this.connected;
    this.connected = false;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.session?.abort();
    this.session = null;
    this.client = null;
    await Promise.all([...[...this.followers.values(), ...this.removing.keys()].map((f) => f.stop()), ...this.removing.values()]);
    if (wasConnected) this.ctx.statusChanged();
  }

  // ---- containers -------------------------------------------------------------------

  /**
   * `created`: 'existing' for a container that predates the source, a position key of its
   * creation (second precision) when that is to be judged, null for one just started.
   */
  private attach(id: string, name: string, created: string | 'existing' | null, running: boolean): ContainerFollower {
    const known = this.followers.get(id);
    if (known) return known;
    const row = this.rows.get(id);
    let follower: ContainerFollower;
    let readNow: boolean;
    if (row) {
      if (row.path !== name) this.ctx.store.updateFile(row.id, { path: name });
      const cursor = parseContainerCursor(row.cursor) ?? cursorAt(BEGINNING);
      follower = new ContainerFollower(id, name, row.id, cursor, this.followerDeps);
      // It may have written while we were away, running or not.
      readNow = true;
    } else {
      // Created while Vigil was away (or in the same second as what it saw last: reading
      // a few lines too many from a new container beats losing its first ones).
      const createdSince = created === null || (created !== 'existing' && this.epoch !== null && created.slice(0, 19) >= this.epoch.slice(0, 19));
      const fromFirstLine = createdSince || this.config.start === 'beginning';
      const cursor = cursorAt(fromFirstLine ? BEGINNING : { t: this.engineNow, n: 0 });
      // Stored at once: a restart before the first line must still resume from here.
      const fresh: Omit<FileRow, 'id'> = {
        source_id: this.ref.id, path: name, dev: null, ino: null, fingerprint: id,
        offset: 0, line_no: 0, size: 0, state: 'active', cursor: serializeCursor(cursor),
      };
      const rowId = this.ctx.store.addFile(fresh);
      this.rows.set(id, { id: rowId, ...fresh });
      follower = new ContainerFollower(id, name, rowId, cursor, this.followerDeps);
      readNow = running || fromFirstLine;
    }
    this.followers.set(id, follower);
    if (this.client) follower.start(this.client.api, readNow);
    this.ctx.statusChanged();
    return follower;
  }

  private async onEvent(ev: ContainerEvent): Promise<void> {
    let f = this.followers.get(ev.id);
    const row = this.rows.get(ev.id);
    if (!f && ev.action === 'rename' && row && this.client && this.selection.matches({ name: row.path, labels: ev.attributes }) && !this.selection.matches({ name: ev.name, labels: ev.attributes })) {
      // Renamed out of the selection while Vigil was stopped (the event comes again at the
      // start): what it wrote under the selected name after our checkpoint is read, up to
      // the rename, as when that happens while we run.
      const late = this.attach(ev.id, row.path, 'existing', false);
      this.followers.delete(ev.id);
      await late.leave(ev.key);
      row.cursor = late.checkpoint;
      this.ctx.statusChanged();
      return;
    }
    // Docker lists a container's labels among the event's attributes.
    if (!f && !this.selection.matches({ name: ev.name, labels: ev.attributes })) return;
    if (ev.action === 'start') {
      // Unknown here means created after we listed: everything it writes is new.
      if (!f) f = this.attach(ev.id, ev.name, null, true);
      else f.started();
    } else if (ev.action === 'destroy' && f) {
      // Not awaited: the follower reads what Docker still sends of the log, and the next
      // container's start must not wait behind that (a burst of `docker run --rm` jobs).
      this.followers.delete(ev.id);
      const follower = f;
      const gone = follower
        .removed()
        .catch((err: unknown) => this.ctx.log?.(`source ${this.ref.name}: container ${follower.name}: ${describe(err)}`))
        .finally(() => {
          this.removing.delete(follower);
          this.ctx.statusChanged();
        });
      this.removing.set(follower, gone);
    } else if (ev.action === 'rename') {
      // A new name may take a container into the selection (`containers: [/^api-/]`) or out.
      const selected = this.selection.matches({ name: ev.name, labels: ev.attributes });
      if (f && !selected) {
        this.followers.delete(ev.id);
        await f.leave(ev.key);
        // Named back into the selection later, it goes on from here (its row as loaded at
        // the start would read its first lines again).
        if (row) row.cursor = f.checkpoint;
        this.ctx.statusChanged();
        return;
      }
      if (!f) {
        // Running or not: the follower asks Docker, and reads on from when the source connected.
        f = this.attach(ev.id, ev.name, 'existing', true);
      } else if (ev.name && ev.name !== f.name) {
        f.name = ev.name;
        this.ctx.store.updateFile(f.rowId, { path: ev.name });
      }
    }
    const name = f?.name ?? ev.name;
    const what = describeEvent(ev, name);
    if (!what) return;
    await this.ctx.write({
      source: this.ref,
      fileId: f?.rowId ?? this.rows.get(ev.id)?.id ?? null,
      path: name,
      records: [eventRecord(ev, what, name)],
      checkpoint: this.eventCheckpoint(),
      readAt: Date.now(),
    }, this.stopping.signal);
  }

  private eventCheckpoint() {
    return { fileId: this.eventsRowId, offset: 0, lineNo: 0, cursor: JSON.stringify(this.eventsPos) };
  }
}

function parsePosition(text: string | null): Position {
  try {
    const v = JSON.parse(text ?? '') as Partial<Position>;
    return { t: typeof v.t === 'string' ? v.t : '', n: typeof v.n === 'number' ? v.n : 0 };
  } catch {
    return BEGINNING;
  }
}

/** Docker's `Created` (unix seconds) -> a position key. */
function secondsKey(seconds: number | undefined): string | null {
  if (!seconds) return null;
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.000000000Z`;
}

function describe(err: unknown): string {
  const e = err as { json?: unknown; message?: string; code?: string; name?: string; statusCode?: number };
  const body = e.json as { message?: unknown } | string | null | undefined;
  if (body && typeof body === 'object' && typeof body.message === 'string') return body.message;
  // An HTTP answer, but not a Docker engine's (which always says why in `message`): another
  // service at that address. Its page or JSON is not the reason; say what it is, in brief.
  if (typeof e.statusCode === 'number') {
    const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : body ? JSON.stringify(body) : '';
    const said = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    // Docker's own TLS port asked in plain HTTP (Go answers so).
    if (/HTTP request to an HTTPS server/i.test(said)) return 'that port speaks TLS: give the source `tls:` (ca, cert, key) or an https:// host';
    return `it answered HTTP ${e.statusCode}, not as a Docker engine does: is this the Docker API's address?${said ? ` (it said: ${said.slice(0, 80)}${said.length > 80 ? '…' : ''})` : ''}`;
  }
  // OpenSSL's messages carry its internals ("C04C…:error:0A000412:SSL routines:…:rec_layer_s3.c:918:"): keep the reason.
  const first = (e.message ?? String(err)).split('\n')[0]!;
  const ssl = /[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]*)/.exec(first);
  const text = (ssl ? ssl[1]! : first).trim();
  if (e.code?.startsWith('ERR_SSL') || e.code?.startsWith('ERR_TLS')) return `TLS failed: ${text}`;
  if (e.code === 'EPROTO' || ssl) {
    const hint = /wrong version number|packet length too long|http request/i.test(text) ? ': it does not speak TLS there (a plain-HTTP port? then tcp:// or http://)' : '';
    return `TLS failed: ${text}${hint}`;
  }
  return e.code && !text.includes(e.code) ? `${e.code}: ${text}` : text;
}
