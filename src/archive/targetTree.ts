import * as fs from 'node:fs';
import { archiveLabel, type ArchiveRef } from './archiveRef';
import type { CreatedPaths } from './createdPaths';
import { parentPath } from './entryName';
import { DEFAULT_DIRECTORY_MODE } from './entryType';
import {
  chmod, closeFd, CREATE_EXCLUSIVE, errnoText, fchmod, lstat, mkdir, openFile, rename, symlink, unlink, writeAll,
} from './fsOps';
import { quoteEntry, UnpackError } from './unpackError';

/** The entry being written, for messages. */
export interface EntryContext {
  archive: ArchiveRef;
  name: string;
}

/**
 * One target directory (the task root or /opt) and the rules for writing into it:
 * - every directory on an entry's path is created by us or checked with lstat to be a real directory, so nothing
 *   is ever written through a symbolic link; files and links are created with O_EXCL (and O_NOFOLLOW);
 * - a file or link from a later zip replaces a file or link of the same name (later layers override earlier
 *   ones); a directory is never replaced by a file or link, nor a file or link by a directory: that is refused;
 * - something we did not create is never deleted: when an entry replaces a pre-existing file it is renamed aside
 *   and deleted only once the whole unpack has succeeded (put back if it fails).
 */
export class TargetTree {
  private readonly directories = new Map<string, Promise<void>>([['', Promise.resolve()]]);
  /** Modes of directory entries we created, applied when everything is written (a read-only one would block us). */
  private readonly directoryModes = new Map<string, number>();
  /** Files and links this run replaced, per zip. */
  readonly replaced = new Map<ArchiveRef, number>();

  constructor(readonly root: string, private readonly created: CreatedPaths, private readonly umask: number) {}

  absolute(path: string): string {
    if (path === '') return this.root;
    return this.root.endsWith('/') ? this.root + path : `${this.root}/${path}`;
  }

  /** Creates the directory (and its parents) or checks that the one already there is a real directory. */
  ensureDirectory(path: string, ctx: EntryContext): Promise<void> {
    let done = this.directories.get(path);
    if (done === undefined) {
      done = this.makeDirectory(path, ctx);
      this.directories.set(path, done);
    }
    return done;
  }

  /**
   * ensureDirectory for many directories at once, synchronously, parents first. A zip's folders are made before any
   * of its files, and at thousands of folders a thread-pool round trip and a promise per mkdir cost several times
   * the system call itself; the extraction workers are still starting meanwhile.
   */
  ensureDirectoriesNow(directories: Iterable<[string, EntryContext]>): void {
    for (const [path, ctx] of directories) this.makeDirectorySync(path, ctx);
  }

  async directoryEntry(path: string, mode: number, ctx: EntryContext): Promise<void> {
    await this.ensureDirectory(path, ctx);
    const absolute = this.absolute(path);
    if (this.created.creator(absolute) !== undefined && mode !== (DEFAULT_DIRECTORY_MODE & ~this.umask)) {
      this.directoryModes.set(absolute, mode);
    }
  }

  async fileEntry(path: string, mode: number, data: Uint8Array, ctx: EntryContext): Promise<void> {
    const fd = await this.createFile(path, mode, ctx);
    await this.finishFile(fd, path, mode, ctx, () => writeAll(fd, data));
  }

  /** Creates an empty file for streaming into; the caller must end with finishFile. */
  async createFile(path: string, mode: number, ctx: EntryContext): Promise<number> {
    await this.ensureDirectory(parentPath(path), ctx);
    const absolute = this.absolute(path);
    const open = (): Promise<number> => openFile(absolute, CREATE_EXCLUSIVE, mode);
    let fd: number;
    try {
      fd = await open();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw this.writeFailed(ctx, absolute, err);
      await this.makeRoom(absolute, 'file', ctx);
      fd = await open().catch((again: unknown) => { throw this.writeFailed(ctx, absolute, again); });
    }
    this.created.add(absolute, 'file', ctx.archive);
    return fd;
  }

  /** A file a batch (see batchExtract) created, by the absolute path the batch was given. */
  recordFile(absolute: string, by: ArchiveRef): void {
    this.created.add(absolute, 'file', by);
  }

  /** The error for a file-system failure described by `problem` (an errno text). */
  writeFailedError(ctx: EntryContext, path: string, problem: string): UnpackError {
    return new UnpackError('write-failed', ctx.archive.file,
      `Cannot unpack ${archiveLabel(ctx.archive)}: could not write entry ${quoteEntry(ctx.name)} to ${this.absolute(path)} ` +
      `(${problem}).`, ctx.name);
  }

  /** Writes through `write`, sets the exact mode if the umask trimmed it, and always closes the descriptor. */
  async finishFile(fd: number, path: string, mode: number, ctx: EntryContext, write: () => Promise<void>): Promise<void> {
    try {
      await write();
      if ((mode & this.umask) !== 0) await fchmod(fd, mode);
    } catch (err) {
      await closeFd(fd).catch(() => undefined);
      throw isErrno(err) ? this.writeFailed(ctx, this.absolute(path), err) : err;
    }
    await closeFd(fd).catch((err: unknown) => { throw this.writeFailed(ctx, this.absolute(path), err); });
  }

  async symlinkEntry(path: string, target: string, ctx: EntryContext): Promise<void> {
    await this.ensureDirectory(parentPath(path), ctx);
    const absolute = this.absolute(path);
    try {
      await symlink(target, absolute);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw this.writeFailed(ctx, absolute, err);
      await this.makeRoom(absolute, 'symlink', ctx);
      await symlink(target, absolute).catch((again: unknown) => { throw this.writeFailed(ctx, absolute, again); });
    }
    this.created.add(absolute, 'symlink', ctx.archive);
  }

  /** Sets the modes of directory entries; deepest first, so a parent losing its x bit does not block a child. */
  async applyDirectoryModes(): Promise<void> {
    const deepestFirst = [...this.directoryModes].sort(([a], [b]) => b.length - a.length);
    for (const [absolute, mode] of deepestFirst) await chmod(absolute, mode);
  }

  private async makeDirectory(path: string, ctx: EntryContext): Promise<void> {
    await this.ensureDirectory(parentPath(path), ctx);
    const absolute = this.absolute(path);
    try {
      await mkdir(absolute, DEFAULT_DIRECTORY_MODE);
      this.created.add(absolute, 'directory', ctx.archive);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw this.writeFailed(ctx, absolute, err);
    }
    const stats = await lstat(absolute).catch((err: unknown) => { throw this.writeFailed(ctx, absolute, err); });
    this.checkExistingDirectory(stats, absolute, ctx);
  }

  /** makeDirectory without the thread pool; the memo records it as done (or throws, failing the whole unpack). */
  private makeDirectorySync(path: string, ctx: EntryContext): void {
    if (this.directories.has(path)) return;
    this.makeDirectorySync(parentPath(path), ctx);
    const absolute = this.absolute(path);
    try {
      fs.mkdirSync(absolute, DEFAULT_DIRECTORY_MODE);
      this.created.add(absolute, 'directory', ctx.archive);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw this.writeFailed(ctx, absolute, err);
      let stats: fs.Stats;
      try {
        stats = fs.lstatSync(absolute);
      } catch (lstatErr) {
        throw this.writeFailed(ctx, absolute, lstatErr);
      }
      this.checkExistingDirectory(stats, absolute, ctx);
    }
    this.directories.set(path, Promise.resolve());
  }

  /** What is already at a directory's place must be a real directory, not a link to one nor anything else. */
  private checkExistingDirectory(stats: fs.Stats, absolute: string, ctx: EntryContext): void {
    if (stats.isDirectory()) return;
    const origin = this.created.origin(absolute);
    if (stats.isSymbolicLink()) {
      throw this.refuse(ctx, 'through-symlink', `would be written through the symbolic link ${absolute} ${origin}; ` +
        'nothing is ever written through a symbolic link');
    }
    throw this.refuse(ctx, 'conflict', `needs ${absolute} to be a directory, but a ${describeType(stats)} ${origin} is there`);
  }

  /** Clears the name for a file or link: replaces a file or link, refuses to replace a directory. */
  private async makeRoom(absolute: string, incoming: 'file' | 'symlink', ctx: EntryContext): Promise<void> {
    const stats = await lstat(absolute).catch((err: unknown) => { throw this.writeFailed(ctx, absolute, err); });
    if (stats.isDirectory()) {
      const what = incoming === 'file' ? 'a file' : 'a symbolic link';
      throw this.refuse(ctx, 'conflict', `is ${what}, but ${absolute} is a directory ${this.created.origin(absolute)}; ` +
        'a directory is never replaced by a file or a link');
    }
    try {
      if (this.created.creator(absolute) !== undefined) {
        await unlink(absolute);
      } else {
        const backup = this.created.backupNameFor(absolute);
        await rename(absolute, backup);
        this.created.recordSetAside(absolute, backup);
      }
    } catch (err) {
      throw this.writeFailed(ctx, absolute, err);
    }
    this.replaced.set(ctx.archive, (this.replaced.get(ctx.archive) ?? 0) + 1);
  }

  private refuse(ctx: EntryContext, kind: 'conflict' | 'through-symlink', problem: string): UnpackError {
    return new UnpackError(kind, ctx.archive.file,
      `Cannot unpack ${archiveLabel(ctx.archive)}: entry ${quoteEntry(ctx.name)} ${problem}.`, ctx.name);
  }

  private writeFailed(ctx: EntryContext, absolute: string, err: unknown): UnpackError {
    if (err instanceof UnpackError) return err;
    return new UnpackError('write-failed', ctx.archive.file,
      `Cannot unpack ${archiveLabel(ctx.archive)}: could not write entry ${quoteEntry(ctx.name)} to ${absolute} ` +
      `(${errnoText(err)}).`, ctx.name);
  }
}

function isErrno(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).errno === 'number';
}

function describeType(stats: fs.Stats): string {
  if (stats.isFile()) return 'file';
  if (stats.isFIFO()) return 'named pipe';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'device';
  return 'non-directory';
}
