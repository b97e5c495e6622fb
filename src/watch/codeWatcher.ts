import * as path from 'node:path';
import { Debouncer } from './debouncer';
import { ignoreEditorAndVcsFiles, type IgnoreRule } from './ignore';
import { TreeWatcher, type WatchDirectory } from './treeWatcher';

/** One changed file: the watched directory it is in, and its path relative to that directory. */
export interface CodeChange {
  dir: string;
  file: string;
}

export interface CodeWatchOptions {
  /** Directories to watch, each with everything under it (e.g. the task root and the opt directory). */
  dirs: string[];
  /** Quiet time after the last change before onChange is called (default DEFAULT_DEBOUNCE_MS). */
  debounceMs?: number;
  /**
   * Called once per burst of changes: `files` are the changed paths relative to their watched directory, sorted,
   * without repeats (created, changed and removed alike); `changes` says which directory each is in.
   */
  onChange(files: string[], changes: CodeChange[]): void;
  /** Lines for the environment's log: what is watched, what cannot be, and why. */
  log(line: string): void;
  /** Paths (relative to their directory) whose changes are ignored; default ignoreEditorAndVcsFiles. */
  ignore?: IgnoreRule;
  /** For tests of the kernel's refusals only; fs.watch (inotify) otherwise. */
  watchDirectory?: WatchDirectory;
}

export interface CodeWatcher {
  /** The directories being watched (those that could not be are left out, with a line in the log). */
  readonly watching: string[];
  /** Stops watching; a pending onChange is dropped. */
  close(): void;
}

export const DEFAULT_DEBOUNCE_MS = 200;

/**
 * Hot reload's eyes (docs/hot-reload.md): watches code directories with inotify, never by polling, and reports
 * which files changed once they stop changing.
 */
export function watchCode(options: CodeWatchOptions): CodeWatcher {
  const dirs = options.dirs.map((dir) => path.resolve(dir));
  const keyOf = (index: number, file: string): string => `${index}\0${file}`;
  const debouncer = new Debouncer<string>(options.debounceMs ?? DEFAULT_DEBOUNCE_MS, (keys) => {
    const changes = keys.map((key): CodeChange => {
      const [index, file] = key.split('\0');
      return { dir: dirs[Number(index)], file };
    });
    options.onChange(changes.map((change) => change.file), changes);
  });
  const trees = dirs.map((root, index) => {
    const tree = new TreeWatcher({
      root,
      ignore: options.ignore ?? ignoreEditorAndVcsFiles,
      onChange: (file) => debouncer.add(keyOf(index, file)),
      onProblem: options.log,
      watchDirectory: options.watchDirectory,
    });
    const started = tree.start();
    if (started) options.log(`watching ${root} for changes (${tree.directoryCount} directories, inotify)`);
    return { root, tree, started };
  });
  return {
    watching: trees.filter(({ started }) => started).map(({ root }) => root),
    close: () => {
      debouncer.cancel();
      for (const { tree } of trees) tree.close();
    },
  };
}
