import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { DockerIgnore } from './dockerignore';

export interface PackedDirectory {
  /** An uncompressed tar stream, produced while it is read (backpressure from the consumer). */
  stream: Readable;
  /** Resolves when everything is packed; rejects (and the stream errors) if a file cannot be read. */
  done: Promise<{ files: number; bytes: number }>;
}

type EntryHeader = Partial<tar.Header> & Pick<tar.Header, 'name'>;

/** Files below this size are read in one call; larger ones are streamed into the tar. */
const WHOLE_READ_LIMIT = 1024 * 1024;

/**
 * Packs a directory's contents into a tar stream: paths relative to the directory, owner root (uid/gid 0), modes
 * and symlinks kept, paths the ignore rules exclude left out. Sockets, FIFOs and devices are skipped.
 */
export function packDirectory(directory: string, ignore: DockerIgnore = DockerIgnore.parse('')): PackedDirectory {
  const root = path.resolve(directory);
  const pack = tar.pack();
  const done = (async () => {
    const totals = { files: 0, bytes: 0 };
    await addDirectory(pack, root, '', ignore, totals);
    pack.finalize();
    return totals;
  })();
  return { stream: asNodeStream(pack, done), done };
}

/** Packs single files under the given names (parent directories created), owner root, modes kept or given. */
export function packFiles(files: ReadonlyArray<{ name: string; source: string; mode?: number }>): PackedDirectory {
  const pack = tar.pack();
  const done = (async () => {
    const totals = { files: 0, bytes: 0 };
    const directories = new Set<string>();
    for (const file of files) {
      for (let dir = path.posix.dirname(file.name); dir !== '.' && !directories.has(dir); dir = path.posix.dirname(dir)) {
        directories.add(dir);
      }
    }
    for (const dir of [...directories].sort()) {
      await addEntry(pack, { name: `${dir}/`, type: 'directory', mode: 0o755, mtime: new Date() });
    }
    for (const file of files) {
      const stat = await fs.promises.stat(file.source);
      if (!stat.isFile()) throw new Error(`${file.source} is not a regular file`);
      await addFile(pack, file.source, { name: file.name, mode: file.mode ?? stat.mode & 0o7777, mtime: stat.mtime }, stat.size);
      totals.files += 1;
      totals.bytes += stat.size;
    }
    pack.finalize();
    return totals;
  })();
  return { stream: asNodeStream(pack, done), done };
}

/** tar-stream's pack is a streamx stream; callers (dockerode) get a plain Node stream that errors when packing fails. */
function asNodeStream(pack: tar.Pack, done: Promise<unknown>): Readable {
  const out = new PassThrough();
  pack.pipe(out);
  done.catch((error: unknown) => {
    pack.destroy(error as Error);
    out.destroy(error as Error);
  });
  return out;
}

async function addDirectory(pack: tar.Pack, root: string, relativeDir: string, ignore: DockerIgnore,
  totals: { files: number; bytes: number }): Promise<void> {
  const entries = await fs.promises.readdir(path.join(root, relativeDir), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
    const full = path.join(root, relative);
    const ignored = ignore.ignores(relative);
    if (entry.isDirectory()) {
      if (ignored && !ignore.mayIncludeInside(relative)) continue;
      if (!ignored) {
        const stat = await fs.promises.stat(full);
        await addEntry(pack, { name: `${relative}/`, type: 'directory', mode: stat.mode & 0o7777, mtime: stat.mtime });
      }
      await addDirectory(pack, root, relative, ignore, totals);
      continue;
    }
    if (ignored) continue;
    const stat = await fs.promises.lstat(full);
    const header = { name: relative, mode: stat.mode & 0o7777, mtime: stat.mtime };
    if (stat.isSymbolicLink()) {
      await addEntry(pack, { ...header, type: 'symlink', linkname: await fs.promises.readlink(full) });
    } else if (stat.isFile()) {
      totals.files += 1;
      totals.bytes += stat.size;
      await addFile(pack, full, header, stat.size);
    }
  }
}

async function addFile(pack: tar.Pack, source: string, header: EntryHeader, size: number): Promise<void> {
  if (size < WHOLE_READ_LIMIT) {
    const body = await fs.promises.readFile(source);
    if (body.length !== size) throw new Error(`${source} changed size while it was being packed`);
    await addEntry(pack, { ...header, type: 'file', size }, body);
  } else {
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry({ ...header, type: 'file', size, uid: 0, gid: 0 }, (error) => (error ? reject(error) : resolve()));
      const input = fs.createReadStream(source);
      input.on('error', (error) => {
        sink.destroy(error);
        reject(error);
      });
      input.pipe(sink);
    });
  }
}

function addEntry(pack: tar.Pack, header: EntryHeader, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const complete = (error?: Error | null) => (error ? reject(error) : resolve());
    const withOwner = { ...header, uid: 0, gid: 0 };
    if (body === undefined) pack.entry(withOwner, complete);
    else pack.entry(withOwner, body, complete);
  });
}
