// The composition root: builds the services, wires source -> decode -> store -> UI
// (detect and notify plug in as pipeline stages), and disposes them in reverse order.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Events, Handlers } from '../../shared/contract.js';
import type { AnomalyChange, LogEvent, ReportFile, ReportFormat, VigilConfig } from '../../shared/types.js';
import { ConfigFile, type ConfigResult } from './config/config-file.js';
import { defaultConfigText } from './config/default-config.js';
import { resolveSourcePaths } from './config/relative-paths.js';
import { DemoWriter } from './demo/demo-writer.js';
import { ConfiguredDecoders } from './decode/user-formats.js';
import { TemplateStore } from './decode/templates/template-store.js';
import { dataPaths } from './paths.js';
import { Ingestor, type IngestorOptions } from './pipeline/ingestor.js';
import type { BatchStage, StoredRecord, TemplateStage } from './pipeline/types.js';
import { SourceManager, type SourceManagerOptions } from './sources/manager.js';
import { fieldFormats } from './store/query-fields.js';
import { runQueryInWorker, stopQueries } from './store/query-worker.js';
import { Retention, type RetentionOptions } from './store/retention.js';
import { Store } from './store/store.js';
import { StoreLock } from './store/store-lock.js';
import { forView, newestWithin } from './store/view-budget.js';
import { Emitter } from './util/emitter.js';
import { detectionHandlers } from './detect/handlers.js';
import { makeReport } from './report/index.js';
import { DetectionService } from './detect/service.js';
import { notifyHandlers } from './notify/handlers.js';
import { NodeNotifierToaster } from './notify/node-notifier-toaster.js';
import { readOpenAnomalies } from './notify/open-anomalies.js';
import { PlainSecretBox, type SecretBox } from './notify/secret-box.js';
import { SecretStore } from './notify/secret-store.js';
import { NotificationService } from './notify/service.js';
import type { Toaster } from './notify/types.js';

export interface EngineOptions {
  dataDir: string;
  /** Defaults to <dataDir>/vigil.yml, created with a demo source when missing. */
  configPath?: string;
  /** Defaults to <dataDir>/vigil.db. */
  dbPath?: string;
  host: 'electron' | 'server' | 'cli';
  ingestor?: IngestorOptions;
  sources?: SourceManagerOptions;
  /** Lines kept per UI push (the UI shows a tail; everything is in the store). */
  uiTail?: number;
  /** How often the demo log gets a line (ms; default 400). */
  demoIntervalMs?: number;
  log?: (msg: string) => void;
  /** Encrypts <dataDir>/secrets.json values (Electron: safeStorage); default: plain, file mode 0600. */
  secretBox?: SecretBox;
  /** OS notifications; default node-notifier. */
  toaster?: Toaster;
  /** How long a query from the SQL box may run (default QUERY_TIMEOUT_MS). */
  queryTimeoutMs?: number;
  /** How often retention checks the store's bounds, the disk it watches (tests). */
  retention?: Omit<RetentionOptions, 'log'>;
}

/** Internal events beyond the contract's. */
export interface EngineEvents extends Events {
  'records.stored': StoredRecord[];
  /** Detection's output, after the transaction that wrote it committed; notify listens. */
  'anomaly.changed': AnomalyChange[];
}

export class Engine {
  readonly events = new Emitter<EngineEvents>();
  readonly store: Store;
  private readonly lock: StoreLock | null;
  readonly config: ConfigFile;
  readonly handlers: Handlers;
  readonly paths: ReturnType<typeof dataPaths>;
  readonly secrets: SecretStore;
  private notify: NotificationService | null = null;
  private detection: DetectionService | null = null;
  private readonly ingestor: Ingestor;
  private readonly sources: SourceManager;
  /** Keeps the store within its bounds (config `store:`). */
  readonly retention: Retention;
  private demo: DemoWriter | null = null;
  private uiBuffer: StoredRecord[] = [];
  /** Records of the current batch not sent to the UI (a burst past uiTail). */
  private uiSkipped = 0;
  private uiTimer: NodeJS.Timeout | null = null;
  private sourcesTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  /** The store error last said in the log (see onStoreError). */
  private storeErrorSaid: string | null = null;
  private readonly log: (msg: string) => void;

  private readonly decoders = new ConfiguredDecoders();
  private readonly templates: TemplateStore;

  private constructor(
    private readonly opts: EngineOptions,
    stages: BatchStage[],
  ) {
    this.log = opts.log ?? ((m) => console.error(`vigil: ${m}`));
    const p = dataPaths(opts.dataDir);
    this.paths = { ...p, configPath: opts.configPath ?? p.configPath, dbPath: opts.dbPath ?? p.dbPath };
    // Before the store is opened: a second engine on it must not read its checkpoints.
    this.lock = StoreLock.acquire(this.paths.dbPath, opts.host);
    try {
      this.store = new Store(this.paths.dbPath);
    } catch (err) {
      // Not a store (a file of the user's given as --db), or not writable: no lock file left beside it.
      this.lock?.release({ forget: true });
      throw err;
    }
    this.retention = new Retention(this.store, { ...opts.retention, log: this.log });
    // Template state lives in the store and is saved in each batch's transaction.
    this.templates = new TemplateStore(this.store);
    const templates: TemplateStage = {
      match: (message, r) => this.templates.miner.match(message, r.ts ?? Date.now()),
      persist: () => this.templates.persist(),
      rollback: () => this.templates.rollback(),
    };
    this.config = new ConfigFile(this.paths.configPath, {
      validate: (c) => ConfiguredDecoders.check(c),
      onDidChange: (c) => void this.applyConfig(c),
      onInvalid: (errors) => {
        if (errors.length) this.log(`config ${this.paths.configPath} is invalid; keeping the last good one:\n${errors.map((e) => `  ${e.key}: ${e.reason}`).join('\n')}`);
        else this.log(`config ${this.paths.configPath} is valid again`);
        this.events.emit('config.invalid', errors);
      },
    }, lastGoodPath(this.paths.dataDir, this.paths.configPath));
    this.ingestor = new Ingestor(this.store, templates, stages, {
      onDidStore: (records) => this.onStored(records),
      onStoreError: (err) => {
        // Said once while it repeats (each retry fails the same way), and once when it ends.
        const said = err ? (this.ingestor.blockedReason ?? err.message) : null;
        if (said !== this.storeErrorSaid) {
          if (said) this.log(said);
          else this.log('the store takes writes again');
          this.storeErrorSaid = said;
        }
        this.scheduleSourcesChanged();
      },
    }, opts.ingestor);
    this.sources = new SourceManager(this.store, this.ingestor, this.decoders, () => this.scheduleSourcesChanged(), {
      ...opts.sources,
      log: this.log,
    });
    this.secrets = new SecretStore(join(this.paths.dataDir, 'secrets.json'), opts.secretBox ?? new PlainSecretBox(), this.log);
    this.handlers = this.makeHandlers();
  }

  static async start(opts: EngineOptions): Promise<Engine> {
    // Detection is a pipeline stage; it writes in the records' transaction once attached to the store.
    const detection = new DetectionService({ live: true, ...(opts.log ? { log: opts.log } : {}) });
    const engine = new Engine(opts, [detection.stage]);
    engine.detection = detection;
    detection.attach(engine.store, {
      changed: (all, notify) => {
        engine.events.emit('anomalies.changed', all);
        if (notify.length) engine.events.emit('anomaly.changed', notify);
      },
    });
    try {
      await engine.config.load(defaultConfigText(engine.paths.demoLog));
      engine.config.watch();
      await engine.applyConfig(engine.config.config);
      engine.retention.start();
      engine.notify = NotificationService.start({
        db: engine.store.db,
        config: engine.config.config,
        events: engine.events,
        secrets: engine.secrets,
        toaster: opts.toaster ?? new NodeNotifierToaster(),
        openAnomalies: readOpenAnomalies(engine.store.db),
        reports: (req) => engine.report(req),
        snoozedUntil: (a, now) => detection.core.snoozedUntil(a, now),
        log: engine.log,
      });
    } catch (err) {
      await engine.close();
      throw err;
    }
    return engine;
  }

  /** Detection: anomalies, snoozes, bands (built in start). */
  get anomalies(): DetectionService {
    if (!this.detection) throw new Error('detection is not started');
    return this.detection;
  }

  /** Outbox, routing, tray (built in start). */
  get notifications(): NotificationService {
    if (!this.notify) throw new Error('notifications are not started');
    return this.notify;
  }

  on<K extends keyof EngineEvents>(event: K, cb: (payload: EngineEvents[K]) => void): () => void {
    return this.events.on(event, cb);
  }

  /** Everything accepted is written before this resolves. */
  async flush(): Promise<void> {
    await this.ingestor.drain();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.config.close();
      await this.demo?.close();
      stopQueries('Vigil is stopping; the query was stopped');
      await this.sources.close();
      try {
        await this.ingestor.close();
      } catch (err) {
        this.log(`could not store everything before closing: ${(err as Error).message}`);
      }
      await this.retention.close();
      await this.detection?.close();
      // After the ingestor: the last anomalies it produced are queued; requests out finish.
      await this.notify?.close();
      if (this.uiTimer) clearTimeout(this.uiTimer);
      if (this.sourcesTimer) clearTimeout(this.sourcesTimer);
      this.events.clear();
      this.store.close();
      this.lock?.release();
    })();
    return this.closing;
  }

  private async applyConfig(config: VigilConfig): Promise<void> {
    this.decoders.setUserFormats(config.formats ?? []);
    this.retention.configure(config.store);
    this.detection?.configure(config);
    await this.syncDemo(config);
    await this.sources.apply(resolveSourcePaths(config.sources, dirname(this.paths.configPath)));
    this.events.emit('config.changed', config);
  }

  /** The demo log is written while a source watches it, and only then. */
  private async syncDemo(config: VigilConfig): Promise<void> {
    const wanted = config.sources.some((s) => s.type === 'file' && s.enabled !== false && s.path === this.paths.demoLog);
    if (wanted && !this.demo) {
      this.demo = new DemoWriter(this.paths.demoLog, this.opts.demoIntervalMs);
      await this.demo.start();
    } else if (!wanted && this.demo) {
      await this.demo.close();
      this.demo = null;
    }
  }

  private onStored(records: StoredRecord[]): void {
    this.events.emit('records.stored', records);
    this.retention.noteStored();
    const keep = this.opts.uiTail ?? 500;
    if (this.uiBuffer.length + records.length > keep) {
      // A burst: the UI gets the newest lines, and is told how many it did not get (they are
      // in the store: it reloads its view from there).
      this.uiSkipped += this.uiBuffer.length + records.length - keep;
      this.uiBuffer = this.uiBuffer.concat(records.slice(-keep)).slice(-keep);
    } else {
      this.uiBuffer = this.uiBuffer.concat(records);
    }
    this.uiTimer ??= setTimeout(() => {
      this.uiTimer = null;
      const batch = this.uiBuffer;
      const skipped = this.uiSkipped;
      this.uiBuffer = [];
      this.uiSkipped = 0;
      // Within a push's text budget: the newest; the UI is told of the others as of any it did not get.
      const all = batch.map((r) => forView(toLogEvent(r)));
      const sent = newestWithin(all);
      const notSent = skipped + all.length - sent.length;
      if (notSent) this.events.emit('events.skipped', { count: notSent, beforeId: sent[0]?.id ?? batch[0]?.id ?? 0 });
      if (sent.length) this.events.emit('events.appended', sent);
    }, 100);
  }

  private scheduleSourcesChanged(): void {
    this.sourcesTimer ??= setTimeout(() => {
      this.sourcesTimer = null;
      this.events.emit('sources.changed', this.sources.views());
    }, 100);
  }

  /** An incident report on one anomaly, from the store (the contract's anomalies.report, e-mail attachments). */
  private report(req: { id: number; format?: ReportFormat; redact?: boolean; maxEvidence?: number; timeZone?: string }): ReportFile | null {
    return makeReport(this.store.db, req, {
      settingsFor: (source) => this.anomalies.settingsFor(source),
      sourceFor: (source) => this.config.config.sources.find((s) => s.name === source) ?? null,
      vigilVersion: packageVersion(),
    });
  }

  private makeHandlers(): Handlers {
    const result = (r: ConfigResult) => r;
    return {
      'app.info': () => ({
        version: packageVersion(),
        host: this.opts.host,
        dataDir: this.paths.dataDir,
        dbPath: this.paths.dbPath,
        configPath: this.paths.configPath,
      }),
      'config.get': () => {
        const file = this.config.onDisk;
        return { text: file.text, fileErrors: file.errors, config: this.config.config, path: this.paths.configPath };
      },
      'config.set': async ({ text, base }) => result(await this.config.setText(text, base)),
      'sources.list': () => this.sources.views(),
      'sources.add': async (source) => {
        if (source.format && !this.decoders.names().includes(source.format)) return unknownFormat(`sources.${this.config.config.sources.length}.format`, source.format);
        return result(await this.config.addSource(source));
      },
      'sources.remove': async ({ name }) => result(await this.config.removeSource(name)),
      'sources.setEnabled': async ({ name, enabled }) => result(await this.config.setSourceEnabled(name, enabled)),
      'sources.decoding': ({ name }) => this.sources.decoding(name),
      'sources.setFormat': async ({ name, format }) => {
        if (format !== null && !this.decoders.names().includes(format)) {
          const i = this.config.config.sources.findIndex((s) => s.name === name);
          return unknownFormat(`sources.${i < 0 ? name : i}.format`, format);
        }
        return result(await this.config.setSourceFormat(name, format));
      },
      'formats.list': () => this.decoders.names(),
      'events.tail': (req) => this.store.tail(req as never),
      'stats.rates': (req) => this.store.rates(req as never),
      'query.run': ({ sql, limit }) => runQueryInWorker(this.paths.dbPath, sql, limit ?? 1000, this.opts.queryTimeoutMs, fieldFormats(this.decoders.definitions())),
      'store.usage': () => this.retention.usage(),
      ...notifyHandlers(() => this.notifications, this.config, this.secrets),
      ...detectionHandlers(() => this.anomalies, this.config),
      'anomalies.report': (req) => this.report(req),
    };
  }
}

/** Where the last config in force is kept, per config file (several may share a data folder). */
function lastGoodPath(dataDir: string, configPath: string): string {
  return join(dataDir, 'last-good-config', `${createHash('sha1').update(resolve(configPath)).digest('hex').slice(0, 12)}.yml`);
}

function unknownFormat(key: string, format: string): ConfigResult {
  return { ok: false, errors: [{ key, reason: `"${format}" is not a known format (see formats.list)` }] };
}

export function toLogEvent(r: StoredRecord): LogEvent {
  return {
    id: r.id,
    source: r.sourceName,
    path: r.path,
    ts: r.ts,
    level: r.level,
    levelText: r.levelText,
    message: r.message,
    raw: r.raw,
    stream: r.stream ?? null,
    format: r.format,
    templateId: r.templateId,
    template: r.template,
    flags: r.flags,
  };
}

let version: string | null = null;
/** Vigil's version, from package.json (this file and the built bundles are two folders below it). */
export function packageVersion(): string {
  if (version) return version;
  try {
    version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    version = '0.0.0';
  }
  return version;
}
