import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IgnoreRule } from './ignore';
import { describeWatchProblem } from './watchProblems';

/** Starts watching one directory (not recursively): fs.watch, which is inotify on Linux. */
export type WatchDirectory = (dir: string, listener: (event: string, name: string | null) => void) => fs.FSWatcher;

const watchWithInotify: WatchDirectory = (dir, listener) =>
  fs.watch(dir, { persistent: true }, (event, name) => listener(event, name === null ? null : String(name)));

export interface TreeWatcherOptions {
  root: string;
  ignore: IgnoreRule;
  /** A file under the root was created, changed or removed (path relative to the root). */
  onChange(relativePath: string): void;
  /** A line saying what cannot be watched, and why. */
  onProblem(line: string): void;
  /** fs.watch unless a test needs to see what happens when the kernel refuses a watch. */
  watchDirectory?: WatchDirectory;
}

/**
 * Watches a directory tree with one inotify watch per directory (an inotify watch on a directory reports what
 * happens to its entries), adding new subdirectories as they appear. Node 20's own `recursive: true` on Linux puts a
 * watch on every file and drops errors raised while it starts, so it is not used. Symbolic links are not followed.
 */
export class TreeWatcher {
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private readonly watchDirectory: WatchDirectory;
  private partialReported = false;
  private closed = false;

  constructor(private readonly options: TreeWatcherOptions) {
    this.watchDirectory = options.watchDirectory ?? watchWithInotify;
  }

  /** Directories watched now. */
  get directoryCount(): number {
    return this.watchers.size;
  }

  /** Watches the root and everything under it; false, with a line, when the root itself cannot be watched. */
  start(): boolean {
    const { root, onProblem } = this.options;
    try {
      if (!fs.statSync(root).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      this.watch(root);
    } catch (error) {
      onProblem(describeWatchProblem(root, error));
      return false;
    }
    this.scan(root, false);
    return true;
  }

  close(): void {
    this.closed = true;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private watch(dir: string): void {
    const watcher = this.watchDirectory(dir, (event, name) => this.onEvent(dir, name));
    watcher.on('error', () => this.forget(dir));
    this.watchers.set(dir, watcher);
  }

  /** Watches a directory found under the root; a refusal is reported once (the tree is then watched in part). */
  private tryWatch(dir: string): boolean {
    if (this.watchers.has(dir)) return true;
    try {
      this.watch(dir);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      if (!this.partialReported) {
        this.partialReported = true;
        this.options.onProblem(
          `${describeWatchProblem(dir, error)} (${this.watchers.size} directories under ${this.options.root} are watched; ` +
            'changes elsewhere in it are missed)',
        );
      }
      return false;
    }
  }

  /**
   * Watches the directories under `dir`. With `report`, the files found count as changed: they appeared in a new
   * directory before its watch was in place.
   */
  private scan(dir: string, report: boolean): void {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const relative = path.relative(this.options.root, full);
      if (this.options.ignore(relative)) continue;
      if (entry.isDirectory()) {
        if (this.tryWatch(full)) this.scan(full, report);
      } else if (report) {
        this.options.onChange(relative);
      }
    }
  }

  private onEvent(dir: string, name: string | null): void {
    if (this.closed) return;
    if (!fs.existsSync(dir)) {
      // The directory itself went away; its parent's watch reports it (or, for the root, nothing can).
      this.forget(dir);
      if (dir === this.options.root) this.options.onProblem(`stopped watching ${dir}: it was removed`);
      return;
    }
    if (name === null) return;
    const full = path.join(dir, name);
    const relative = path.relative(this.options.root, full);
    if (this.options.ignore(relative)) return;
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(full);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) {
      if (!this.watchers.has(full) && this.tryWatch(full)) this.scan(full, true);
      return;
    }
    if (stat === undefined) this.forget(full);
    this.options.onChange(relative);
  }

  /** Stops watching `dir` and everything under it. */
  private forget(dir: string): void {
    for (const [watched, watcher] of this.watchers) {
      if (watched === dir || watched.startsWith(dir + path.sep)) {
        watcher.close();
        this.watchers.delete(watched);
      }
    }
  }
}
