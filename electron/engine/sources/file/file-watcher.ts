import { watch, type FSWatcher } from 'chokidar';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import type { PathMatcher } from './path-matcher.js';

export interface FileWatcherOptions {
  /** Start with polling (the source asked for it, or events were refused before). */
  poll: boolean;
  pollIntervalMs: number;
  /** A path changed, appeared or went away: look at it. */
  onPath(path: string): void;
  /**
   * A file's content changed (unthrottled, straight from the OS): read it if it is open.
   * `watched` is the path chokidar watches: the folder, or a symlink to the file itself.
   */
  onContent?(path: string, watched: string): void;
  /** Something other than a refused watch went wrong. */
  onError(err: Error): void;
  /** The OS refused a watch (ENOSPC / EMFILE): the caller restarts us with polling. */
  onWatchRefused(err: NodeJS.ErrnoException): void;
}

/**
 * Chokidar over one folder (with a depth), filtered by the source's matcher. Events are
 * only hints: the source re-examines each path it is told about and re-checks every open
 * file on its own tick, so a missed or duplicated event costs latency, never a line.
 * With the native backend chokidar holds one inotify watch per folder, not per file.
 */
export class FileWatcher {
  private w: FSWatcher | null = null;
  private refused = false;

  constructor(
    private readonly matcher: PathMatcher,
    private readonly opts: FileWatcherOptions,
  ) {}

  get polling(): boolean {
    return this.opts.poll;
  }

  /** Resolves when the initial scan reported every existing file (or a watch was refused). */
  start(): Promise<void> {
    const m = this.matcher;
    const w = watch(m.base, {
      persistent: true,
      ignoreInitial: false,
      depth: m.depth,
      backend: this.opts.poll ? 'polling' : 'native',
      pollingInterval: this.opts.pollIntervalMs,
      pollingBinaryInterval: this.opts.pollIntervalMs,
      // Log files are never saved "atomically" by editors; report renames as they happen.
      atomic: false,
      ignorePermissionErrors: false,
      ignored: (p: string, st?: Stats) => {
        if (p === m.base || !st) return false;
        // A symlink is first seen by its own lstat; chokidar asks again with the target's
        // stats, which decide (a link to a log file is read like the file: kubelet's
        // /var/log/containers/*.log are all links).
        if (st.isSymbolicLink()) return false;
        return st.isFile() ? !m.matches(p) : !st.isDirectory();
      },
    });
    this.w = w;
    const onPath = (p: string) => {
      if (!this.refused) this.opts.onPath(p);
    };
    w.on('add', onPath);
    w.on('change', onPath);
    w.on('unlink', onPath);
    // Chokidar holds back repeated `change` events of a file for 50 ms; a log written
    // continuously would wait that long. The raw event says "this name changed" at once.
    w.on('raw', (event: string, name: unknown, details: unknown) => {
      const dir = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
      if (event === 'change' && typeof name === 'string' && name && typeof dir === 'string' && !this.refused) {
        this.opts.onContent?.(join(dir, name), dir);
      }
    });
    return new Promise<void>((resolve) => {
      w.on('error', (e) => {
        const err = e as NodeJS.ErrnoException;
        if (!this.opts.poll && (err.code === 'ENOSPC' || err.code === 'EMFILE')) {
          if (!this.refused) {
            this.refused = true;
            this.opts.onWatchRefused(err);
          }
          resolve();
          return;
        }
        this.opts.onError(err);
      });
      w.once('ready', () => resolve());
    });
  }

  async close(): Promise<void> {
    const w = this.w;
    this.w = null;
    await w?.close();
  }
}
