import { chmod, readFile, realpath, rename, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { existsSync, realpathSync, watch, type FSWatcher } from 'node:fs';
import { dirname, basename } from 'node:path';
import YAML, { isMap, isSeq, type Document } from 'yaml';
import { VigilConfig as ConfigSchema, configErrors } from '../../../shared/schema.js';
import { withoutUnknownKeys } from '../decode/formats/compile.js';
import type { ConfigError, SourceConfig, VigilConfig } from '../../../shared/types.js';
import { keepLayout } from './keep-layout.js';

/** How many times the file's anchors may be used (yaml's guard against expansion attacks, 100 by default). */
const MAX_ALIAS_USES = 10_000;

export type ConfigResult = { ok: true; config: VigilConfig } | { ok: false; errors: ConfigError[] };

/**
 * Parses and validates config text. YAML syntax errors name their line and column.
 * `lenient`: keys Vigil does not know are dropped, not refused, as before they were refused:
 * for the copy of the last config in force, so a config an older Vigil ran still starts
 * (its file is then reported, with the keys, as any invalid file is).
 */
export function parseConfig(text: string, opts: { lenient?: boolean } = {}): ConfigResult {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: true });
  if (doc.errors.length) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        key: e.linePos?.[0] ? `(yaml line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '(yaml)',
        reason: e.message.split('\n')[0]!,
      })),
    };
  }
  let value: unknown;
  try {
    // yaml refuses past 100 uses of anchors (the billion-laughs guard): 101 sources each
    // merging `<<: *common` were refused, and the error, thrown, stopped the engine. Ten
    // thousand uses is ample for a config; an expansion past it is refused here, with a reason.
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_USES }) ?? {};
  } catch (err) {
    return { ok: false, errors: [{ key: '(yaml)', reason: `anchors (&name, *name, <<: *name) expand too far: ${(err as Error).message} (at most ${MAX_ALIAS_USES} uses)` }] };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, errors: [{ key: '(root)', reason: 'must be a mapping with sources, channels and rules' }] };
  }
  let r = ConfigSchema.safeParse(value);
  if (!r.success && opts.lenient && dropUnknownKeys(value as Record<string, unknown>, r.error.issues)) r = ConfigSchema.safeParse(value);
  if (!r.success) return { ok: false, errors: configErrors(r.error) };
  return { ok: true, config: r.data as VigilConfig };
}

/** Deletes the keys the issues call unknown, and user formats' unknown keys; true when something was dropped. */
function dropUnknownKeys(value: Record<string, unknown>, issues: readonly { code: string; path: PropertyKey[]; keys?: string[]; params?: Record<string, unknown> }[]): boolean {
  let dropped = false;
  const at = (path: PropertyKey[]): unknown => path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k] : undefined), value);
  for (const i of issues) {
    if (i.code === 'unrecognized_keys' && i.keys) {
      const o = at(i.path) as Record<string, unknown> | undefined;
      if (o && typeof o === 'object') for (const k of i.keys) dropped = delete o[k] || dropped;
    } else if (i.code === 'custom' && i.params?.unknownKey && i.path.length === 1) {
      dropped = delete value[String(i.path[0])] || dropped;
    }
  }
  if (Array.isArray(value.formats)) {
    value.formats = value.formats.map(withoutUnknownKeys);
    dropped = true;
  }
  return dropped;
}

/** Nothing but blanks and comments. */
function isEmptyDocument(text: string): boolean {
  return text.split('\n').every((l) => /^\s*(#.*)?$/.test(l));
}

export function formatErrors(errors: ConfigError[]): string {
  return errors.map((e) => `${e.key}: ${e.reason}`).join('\n');
}

export interface ConfigFileEvents {
  /** Checks beyond the schema (e.g. user formats compile); errors refuse the config. */
  validate(config: VigilConfig): ConfigError[];
  /** A new valid config is in force. */
  onDidChange(config: VigilConfig): void;
  /** The file was edited into something invalid (the last good config stays in force); [] when it was put back as in force. */
  onInvalid(errors: ConfigError[]): void;
}

/**
 * `vigil.yml`: the file is the truth. Edits through the contract keep the user's comments
 * (YAML document API) and are written atomically; edits by hand are picked up by a
 * watcher. An invalid config is refused with key + reason and the last good one stays.
 */
export class ConfigFile {
  private current: VigilConfig | null = null;
  private text = '';
  private watcher: FSWatcher | null = null;
  /** Where a linked vigil.yml points, watched too (see watch). */
  private targetWatcher: FSWatcher | null = null;
  private targetWatched: string | null = null;
  /** Takes in an edit soon (set by watch). */
  private onChange: (() => void) | null = null;
  private reloadTimer: NodeJS.Timeout | null = null;
  /**
   * Reading the file in, edits and writes go one at a time, in the order they came: two
   * edits at once each wrote over the other's temporary file, and one was lost while the
   * config in force said otherwise.
   */
  private turn: Promise<unknown> = Promise.resolve();
  /** Temporary files of writes get their own names (see writeAtomic). */
  private writes = 0;
  /** The file as it is on disk when it does not validate (edited by hand), with why; the last good config stays in force meanwhile. */
  private invalidOnDisk: { text: string; errors: ConfigError[] } | null = null;

  constructor(
    readonly path: string,
    private readonly events: Partial<ConfigFileEvents> = {},
    /**
     * Where a copy of the last config that was in force is kept, so that a file edited into
     * something invalid while Vigil ran does not stop the next start: it starts with that
     * copy, and says why. Without one, an invalid file refuses to start.
     */
    private readonly lastGoodPath: string | null = null,
  ) {}

  get config(): VigilConfig {
    if (!this.current) throw new Error('config not loaded');
    return this.current;
  }
  get rawText(): string {
    return this.text;
  }
  /** What the file holds: the text in force, or a newer one that does not validate and why. */
  get onDisk(): { text: string; errors: ConfigError[] } {
    return this.invalidOnDisk ?? { text: this.text, errors: [] };
  }

  /**
   * Loads the file, creating it from `defaultText` when missing. An invalid file puts the
   * last config that was in force (its copy) in force, and is reported; with no such copy,
   * it throws.
   */
  async load(defaultText?: string): Promise<VigilConfig> {
    if (!existsSync(this.path) && defaultText !== undefined) {
      await mkdir(dirname(this.path), { recursive: true });
      await this.writeAtomic(defaultText);
    }
    const text = await readFile(this.path, 'utf8');
    const r = this.check(text);
    if (!r.ok) {
      const good = await this.readLastGood();
      if (!good) throw new ConfigInvalidError(this.path, r.errors);
      this.text = good.text;
      this.current = good.config;
      this.invalidOnDisk = { text, errors: r.errors };
      this.events.onInvalid?.(r.errors);
      return good.config;
    }
    this.text = text;
    this.current = r.config;
    await this.saveLastGood(text);
    return r.config;
  }

  private async readLastGood(): Promise<{ text: string; config: VigilConfig } | null> {
    if (!this.lastGoodPath) return null;
    try {
      const text = await readFile(this.lastGoodPath, 'utf8');
      const r = this.check(text, true);
      return r.ok ? { text, config: r.config } : null;
    } catch {
      return null;
    }
  }

  private async saveLastGood(text: string): Promise<void> {
    if (!this.lastGoodPath) return;
    try {
      await mkdir(dirname(this.lastGoodPath), { recursive: true });
      const tmp = `${this.lastGoodPath}.${process.pid}.tmp`;
      await writeFile(tmp, text, { mode: 0o600 }).catch(async (err: unknown) => {
        await rm(tmp, { force: true });
        throw err;
      });
      await rename(tmp, this.lastGoodPath);
    } catch {
      // Best effort: without it, an invalid file refuses the next start, as it always did.
    }
  }

  /**
   * Watch the file for edits by hand. The folder is watched: editors replace the file
   * (rename), which a file watch loses. A vigil.yml that is a link is watched where it
   * points too (edits to the dotfile it names were not seen until a restart), and again
   * where it points next when the link is re-pointed.
   */
  watch(): void {
    if (this.watcher) return;
    const changed = (this.onChange = () => {
      if (this.reloadTimer) clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => void this.reload(), 150);
    });
    this.watcher = watch(dirname(this.path), (_e, name) => {
      // The link's name, or what it points to in the same folder (vigil.yml -> vigil.real.yml).
      if (name && name !== basename(this.path) && name !== basename(this.targetWatched ?? this.path)) return;
      changed();
    });
    this.watcher.on('error', () => undefined);
    this.watchTarget();
  }

  private watchTarget(): void {
    const changed = this.onChange;
    if (!changed) return;
    let real: string;
    try {
      real = realpathSync(this.path);
    } catch {
      real = this.path;
    }
    if (real === this.targetWatched) return;
    this.targetWatcher?.close();
    this.targetWatcher = null;
    this.targetWatched = real;
    if (real === this.path || dirname(real) === dirname(this.path)) return;
    try {
      this.targetWatcher = watch(dirname(real), (_e, name) => {
        if (name && name !== basename(real)) return;
        changed();
      });
      this.targetWatcher.on('error', () => undefined);
    } catch {
      // Its folder cannot be watched: edits through the link are still seen.
    }
  }

  async close(): Promise<void> {
    this.watcher?.close();
    this.watcher = null;
    this.targetWatcher?.close();
    this.targetWatcher = null;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
  }

  private reload(): Promise<unknown> {
    if (this.watcher) this.watchTarget();
    // After our own write this finds the text in force (a no-op). A hand edit saved just after
    // an edit from the app is taken in: skipped while the app wrote, it was not in force.
    return this.inTurn(() => this.readBack());
  }

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /**
   * Takes in what the file holds now: a valid newer text is put in force; an invalid one is
   * remembered (and reported) while the last good config stays. Returns the file's errors.
   */
  private async readBack(): Promise<ConfigError[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return []; // mid-replace (the next event brings it), or removed: what is in force stays
    }
    if (text === this.text) {
      // Put back as it was: nothing changes in force, but whoever was told it was invalid hears it is not.
      if (this.invalidOnDisk) {
        this.invalidOnDisk = null;
        this.events.onInvalid?.([]);
      }
      return [];
    }
    if (text === this.invalidOnDisk?.text) return this.invalidOnDisk.errors;
    let r = this.check(text);
    // Emptied (a save cut short, a `> vigil.yml`): the sources in force are not dropped on that word.
    if (r.ok && this.current?.sources.length && isEmptyDocument(text)) {
      r = { ok: false, errors: [{ key: basename(this.path), reason: 'is empty now (a save cut short?), so the config in force stays; to watch nothing, write "sources: []"' }] };
    }
    if (!r.ok) {
      this.invalidOnDisk = { text, errors: r.errors };
      this.events.onInvalid?.(r.errors);
      return r.errors;
    }
    this.invalidOnDisk = null;
    this.text = text;
    this.current = r.config;
    await this.saveLastGood(text);
    this.events.onDidChange?.(r.config);
    return [];
  }

  private check(text: string, lenient = false): ConfigResult {
    const r = parseConfig(text, { lenient });
    if (!r.ok) return r;
    const more = this.events.validate?.(r.config) ?? [];
    return more.length ? { ok: false, errors: more } : r;
  }

  /** Replace the whole text (the UI's editor). */
  /**
   * Puts `text` in force and writes it. With `base` (the text the edit started from), the
   * edit is refused when the file holds something else now: saving would undo a change
   * made meanwhile (another window, a source added from the app, a hand edit).
   */
  setText(text: string, base?: string): Promise<ConfigResult> {
    return this.inTurn(() => this.setTextNow(text, base));
  }

  private async setTextNow(text: string, base?: string): Promise<ConfigResult> {
    if (base !== undefined) {
      await this.readBack();
      if (this.onDisk.text !== base && this.onDisk.text !== text) {
        return {
          ok: false,
          errors: [{ key: basename(this.path), reason: 'changed since you opened it (in another window, from the app, or by hand); your text was not saved, so as not to undo that change. Revert to see it, then make your change again.' }],
        };
      }
    }
    const r = this.check(text);
    if (!r.ok) return r;
    if (!(await this.commit(text, r.config, base === undefined ? undefined : this.onDisk.text))) {
      return { ok: false, errors: [{ key: basename(this.path), reason: 'changed while your text was being saved (by hand, or by another program); your text was not saved, so as not to undo that change. Revert to see it, then make your change again.' }] };
    }
    return r;
  }

  /**
   * Edit through the YAML document, keeping comments and layout. The edit applies to the
   * file as it is now: a hand edit not yet picked up is taken in first, and one that does
   * not validate refuses the edit (writing over it would throw the user's work away).
   */
  edit(fn: (doc: Document, config: VigilConfig) => string | void): Promise<ConfigResult> {
    return this.inTurn(() => this.editNow(fn));
  }

  private async editNow(fn: (doc: Document, config: VigilConfig) => string | void): Promise<ConfigResult> {
    // A hand edit saved while this one was made is taken in, and the edit made again on it:
    // written over, it was lost without a word.
    for (let attempt = 1; ; attempt++) {
      const fileErrors = await this.readBack();
      if (fileErrors.length) {
        return {
          ok: false,
          errors: [
            { key: basename(this.path), reason: 'was edited and is not valid now, so this change was not made (it would overwrite that edit). Fix the file, here or in the Config view, then try again.' },
            ...fileErrors,
          ],
        };
      }
      const base = this.text;
      const doc = YAML.parseDocument(base || '{}');
      if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as never;
      const problem = fn(doc, this.config);
      if (problem) return { ok: false, errors: [{ key: 'sources', reason: problem }] };
      // Not folded at 80 characters: a long one-line source ({ name: web, ... }) became 8 lines.
      const text = keepLayout(base, YAML.parseDocument(base || '{}').toString({ lineWidth: 0 }), doc.toString({ lineWidth: 0 }));
      const r = this.check(text);
      if (!r.ok) return r;
      if (await this.commit(text, r.config, base)) return r;
      if (attempt === 5) return { ok: false, errors: [{ key: basename(this.path), reason: 'kept changing while this change was made (another program writing it?); the change was not made' }] };
    }
  }

  addSource(source: SourceConfig): Promise<ConfigResult> {
    return this.edit((doc, cfg) => {
      if (cfg.sources.some((s) => s.name === source.name)) return `a source named "${source.name}" exists already`;
      const seq = doc.get('sources');
      if (!isSeq(seq)) doc.set('sources', doc.createNode([]));
      (doc.get('sources') as { add(v: unknown): void }).add(doc.createNode(stripUndefined(source)));
    });
  }

  removeSource(name: string): Promise<ConfigResult> {
    return this.edit((doc, cfg) => {
      const i = cfg.sources.findIndex((s) => s.name === name);
      if (i < 0) return `no source named "${name}"`;
      deleteItem(doc, 'sources', i);
    });
  }

  /** Forces a format on a source (`format:`), or lets it detect again (null). */
  setSourceFormat(name: string, format: string | null): Promise<ConfigResult> {
    return this.edit((doc, cfg) => {
      const i = cfg.sources.findIndex((s) => s.name === name);
      if (i < 0) return `no source named "${name}"`;
      if (format === null) doc.deleteIn(['sources', i, 'format']);
      else doc.setIn(['sources', i, 'format'], format);
    });
  }

  setSourceEnabled(name: string, enabled: boolean): Promise<ConfigResult> {
    return this.edit((doc, cfg) => {
      const i = cfg.sources.findIndex((s) => s.name === name);
      if (i < 0) return `no source named "${name}"`;
      doc.setIn(['sources', i, 'enabled'], enabled);
    });
  }

  /** Writes and puts in force; with `expect`, only if the file still holds that (false when it does not). */
  private async commit(text: string, config: VigilConfig, expect?: string): Promise<boolean> {
    if (!(await this.writeAtomic(text, expect))) return false;
    this.text = text;
    this.current = config;
    this.invalidOnDisk = null;
    await this.saveLastGood(text);
    this.events.onDidChange?.(config);
    return true;
  }

  /**
   * Through a link (a vigil.yml kept with the user's dotfiles): the file it points to is
   * rewritten, the link stays. The file keeps its permissions; a new one is the user's
   * alone (channels may hold webhook URLs with tokens).
   */
  private async writeAtomic(text: string, expect?: string): Promise<boolean> {
    const target = await realpath(this.path).catch(() => this.path);
    const mode = await stat(target).then((st) => st.mode & 0o7777, () => 0o600);
    const tmp = `${target}.${process.pid}-${++this.writes}.tmp`;
    try {
      await writeFile(tmp, text, { mode });
      await chmod(tmp, mode); // the umask does not take bits the file had
      // Last look before replacing it: what the edit was made on must still be there.
      const now = expect === undefined ? null : await readFile(target, 'utf8').catch(() => null);
      if (now !== null && now !== expect) {
        await rm(tmp, { force: true });
        return false;
      }
      await rename(tmp, target);
      return true;
    } catch (err) {
      // A full disk: the half-written copy goes (they piled up beside vigil.yml), the file stays as it was.
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

/**
 * Deletes item `i` of a top-level list with the comment just above it. The yaml library
 * keeps a comment above the first item as the list's own: the default config's comment on
 * its demo source stayed, above the next source, when the demo was removed.
 */
export function deleteItem(doc: Document, key: string, i: number): void {
  const seq = doc.get(key);
  if (i === 0 && isSeq(seq) && !seq.flow) seq.commentBefore = undefined;
  doc.deleteIn([key, i]);
}

export class ConfigInvalidError extends Error {
  constructor(
    readonly path: string,
    readonly errors: ConfigError[],
  ) {
    super(`invalid config ${path}:\n${formatErrors(errors)}`);
  }
}

function stripUndefined<T extends object>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}
