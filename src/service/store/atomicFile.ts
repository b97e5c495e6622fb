import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Temporary files carry this in their name; loaders skip them (what a crash mid-write leaves behind). */
export const PARTIAL_MARK = '.partial-';

/**
 * Replaces `file` with `data` so that a reader (or a restart after a crash) sees either the old content or the
 * new, never a mix: write a sibling, fsync it, rename it over the file, fsync the directory.
 */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const temporary = `${file}${PARTIAL_MARK}${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const handle = await fs.promises.open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await commitFile(temporary, file);
}

/** Renames a fully written (and synced) temporary file into place and makes the rename durable. */
export async function commitFile(temporary: string, file: string): Promise<void> {
  try {
    await fs.promises.rename(temporary, file);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.promises.open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
