import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { archiveLabel, type ArchiveRef } from './archiveRef';
import { type CentralEntry, readCentralDirectory } from './centralDirectory';
import { UnpackError } from './unpackError';
import { WindowedReader } from './windowedReader';

/** An open zip file: its central directory, read once, and access to entry data. */
export interface ZipSource {
  readonly archive: ArchiveRef;
  /** Central directory entries, in central directory order. */
  readonly entries: CentralEntry[];
  /** Where the central directory starts: no entry's data may reach past it. */
  readonly centralDirectoryOffset: number;
  readonly reader: WindowedReader;
  /** The raw (still compressed) data of an entry whose local header we already read; yauzl counts the bytes. */
  openRawStream(dataStart: number, compressedSize: number): Promise<Readable>;
  close(): void;
}

/** Opens a zip and reads its whole central directory; throws UnpackError naming the file. */
export async function openZipSource(archive: ArchiveRef): Promise<ZipSource> {
  const fd = await openForReading(archive);
  let size: number;
  try {
    size = await statRegularFile(fd, archive);
  } catch (err) {
    fs.close(fd, () => undefined);
    throw err;
  }
  const reader = new WindowedReader(fd, size);
  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await new Promise<yauzl.ZipFile>((resolve, reject) => {
      yauzl.fromRandomAccessReader(reader, size, {
        // Sizes are checked per entry in planZip (with the entry's name) and again on the real bytes.
        lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false, strictFileNames: true,
      }, (err, zip) => (err ? reject(err) : resolve(zip)));
    });
  } catch (err) {
    // yauzl only releases the reader through ZipFile.close(), which we never got.
    reader.close(() => undefined);
    throw describeOpenError(archive, err as Error);
  }
  // yauzl starts its cursor at the central directory; its typings misdeclare the field.
  const centralDirectoryOffset = (zipfile as unknown as { readEntryCursor: number }).readEntryCursor;
  try {
    // yauzl found the end records (zip64 included); the records themselves are read here, synchronously.
    const entries = readCentralDirectory(fd, size, centralDirectoryOffset, zipfile.entryCount);
    return {
      archive, entries, centralDirectoryOffset, reader,
      openRawStream: (dataStart, compressedSize) => new Promise((resolve, reject) => {
        zipfile.openReadStreamLowLevel(dataStart, compressedSize, 0, compressedSize, false, null,
          (err, stream) => (err ? reject(err) : resolve(stream)));
      }),
      close: () => zipfile.close(),
    };
  } catch (err) {
    zipfile.close();
    throw describeOpenError(archive, err as Error);
  }
}

function openForReading(archive: ArchiveRef): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.open(archive.file, fs.constants.O_RDONLY, (err, fd) => {
      if (!err) return resolve(fd);
      reject(new UnpackError('unreadable', archive.file, `Cannot unpack ${archiveLabel(archive)}: ${describeFsError(err)}.`));
    });
  });
}

function statRegularFile(fd: number, archive: ArchiveRef): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.fstat(fd, (err, stats) => {
      const refuse = (kind: 'unreadable' | 'not-a-zip', why: string): void =>
        reject(new UnpackError(kind, archive.file, `Cannot unpack ${archiveLabel(archive)}: ${why}.`));
      if (err) return refuse('unreadable', describeFsError(err));
      if (stats.isDirectory()) return refuse('not-a-zip', 'it is a directory, not a zip file');
      if (!stats.isFile()) return refuse('not-a-zip', 'it is not a regular file, so it cannot be a zip file');
      if (stats.size === 0) return refuse('not-a-zip', 'the file is empty, not a zip file');
      resolve(stats.size);
    });
  });
}

function describeOpenError(archive: ArchiveRef, err: Error): UnpackError {
  const label = archiveLabel(archive);
  if (err instanceof UnpackError) return err;
  if (/End of central directory record signature not found/.test(err.message)) {
    return new UnpackError('not-a-zip', archive.file,
      `Cannot unpack ${label}: it is not a zip file (no end-of-central-directory record; a truncated zip looks the same).`);
  }
  if (/not supported/.test(err.message)) {
    return new UnpackError('unsupported', archive.file, `Cannot unpack ${label}: ${err.message}.`);
  }
  if ('code' in err && typeof err.code === 'string') {
    return new UnpackError('unreadable', archive.file, `Cannot unpack ${label}: ${describeFsError(err as NodeJS.ErrnoException)}.`);
  }
  return new UnpackError('corrupt', archive.file,
    `Cannot unpack ${label}: the zip's central directory is corrupt or truncated (${err.message}).`);
}

export function describeFsError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT': return 'the file does not exist';
    case 'EACCES':
    case 'EPERM': return 'permission denied reading the file';
    case 'EISDIR': return 'it is a directory, not a zip file';
    case 'ENOTDIR': return 'a component of its path is not a directory';
    case 'ELOOP': return 'its path has too many levels of symbolic links';
    default: return `cannot read the file (${err.code ?? 'error'}: ${err.message})`;
  }
}
