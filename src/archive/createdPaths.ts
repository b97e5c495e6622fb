import { promises as fsp } from 'node:fs';
import { archiveLabel, type ArchiveRef } from './archiveRef';

export type CreatedKind = 'file' | 'directory' | 'symlink';

interface Created {
  kind: CreatedKind;
  by: ArchiveRef;
}

/** A pre-existing file or link that an entry replaced, kept aside until the unpack succeeds. */
interface SetAside {
  original: string;
  backup: string;
}

export interface UndoResult {
  /** What was removed, by kind. */
  removed: Record<CreatedKind, number>;
  restored: number;
  /** Paths that could not be removed or put back, with the reason. */
  leftovers: string[];
}

const UNDO_CONCURRENCY = 16;

/**
 * Everything this unpack created, in creation order, so a failure can remove exactly that and nothing else:
 * the target directories may hold content we did not write (a mounted /opt).
 */
export class CreatedPaths {
  private readonly created = new Map<string, Created>();
  private readonly setAside: SetAside[] = [];
  private backupCounter = 0;

  add(path: string, kind: CreatedKind, by: ArchiveRef): void {
    const existing = this.created.get(path);
    // A path replaced by a later layer keeps its first position: its parent directories come before it.
    if (existing) existing.kind = kind;
    else this.created.set(path, { kind, by });
  }

  /** Who created the path during this run, if anyone. */
  creator(path: string): ArchiveRef | undefined {
    return this.created.get(path)?.by;
  }

  /** How a message says where an existing path came from. */
  origin(path: string): string {
    const by = this.creator(path);
    return by ? `from ${archiveLabel(by)}` : 'that was there before unpacking';
  }

  get count(): number {
    return this.created.size;
  }

  /** A name beside `original`, in the same directory so a rename never crosses file systems. */
  backupNameFor(original: string): string {
    const slash = original.lastIndexOf('/');
    this.backupCounter += 1;
    return `${original.slice(0, slash)}/.lambda-sandbox-replaced-${process.pid}-${this.backupCounter}`;
  }

  recordSetAside(original: string, backup: string): void {
    this.setAside.push({ original, backup });
  }

  /** After success: the replaced originals are no longer needed. Returns paths that could not be deleted. */
  async dropSetAside(): Promise<string[]> {
    const failures: string[] = [];
    for (const { backup } of this.setAside) {
      await fsp.unlink(backup).catch((err: NodeJS.ErrnoException) => failures.push(`${backup} (${err.code})`));
    }
    return failures;
  }

  /** After failure: remove what we created (files first, then directories deepest first), restore what we set aside. */
  async undo(): Promise<UndoResult> {
    const result: UndoResult = { removed: { file: 0, directory: 0, symlink: 0 }, restored: 0, leftovers: [] };
    const all = [...this.created].reverse();
    const leaves = all.filter(([, c]) => c.kind !== 'directory');
    let next = 0;
    const removeLeaves = async (): Promise<void> => {
      while (next < leaves.length) {
        const [path, c] = leaves[next++];
        await this.remove(path, c.kind, fsp.unlink, result);
      }
    };
    await Promise.all(Array.from({ length: UNDO_CONCURRENCY }, removeLeaves));
    for (const [path, c] of all) if (c.kind === 'directory') await this.remove(path, c.kind, fsp.rmdir, result);
    for (const { original, backup } of [...this.setAside].reverse()) {
      try {
        await fsp.rename(backup, original);
        result.restored += 1;
      } catch (err) {
        result.leftovers.push(`${original} (could not put back the original, kept as ${backup}: ${(err as NodeJS.ErrnoException).code})`);
      }
    }
    return result;
  }

  private async remove(path: string, kind: CreatedKind, how: (path: string) => Promise<void>, result: UndoResult): Promise<void> {
    try {
      await how(path);
      result.removed[kind] += 1;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') result.removed[kind] += 1;
      else result.leftovers.push(`${path} (${code})`);
    }
  }
}
