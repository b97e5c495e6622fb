import { archiveLabel, type ArchiveRef } from './archiveRef';
import type { CentralEntry } from './centralDirectory';
import { parentPath, toEntryPath } from './entryName';
import { entryType } from './entryType';
import {
  DEFLATE_RATIO_SLACK_BYTES, MAX_DEFLATE_RATIO, MAX_SYMLINK_TARGET_BYTES,
} from './limits';
import { quoteEntry, UnpackError, type UnpackErrorKind } from './unpackError';
import type { ZipSource } from './zipSource';

const STORED = 0;
const DEFLATED = 8;
const LOCAL_HEADER_FIXED_BYTES = 30;
const ENCRYPTED_FLAG = 0x1;
const METHOD_NAMES: Record<number, string> = {
  1: 'Shrink', 6: 'Implode', 9: 'Deflate64', 12: 'bzip2', 14: 'LZMA', 93: 'Zstandard', 95: 'XZ', 98: 'PPMd',
};

/** One entry, checked and ready to extract. */
export interface PlannedEntry {
  entry: CentralEntry;
  /** The name as written in the zip (for messages). */
  name: string;
  /** Normalised relative path inside the target. */
  path: string;
  kind: 'file' | 'directory' | 'symlink';
  mode: number;
  /** Declared uncompressed size. */
  size: number;
  /** This entry's data must end before this offset: the next local header, or the central directory. */
  dataLimit: number;
}

/** A zip whose every entry passed the checks that need no extraction. */
export interface ZipPlan {
  source: ZipSource;
  entries: PlannedEntry[];
  /** Sum of declared uncompressed sizes. */
  declaredBytes: number;
  files: number;
  directories: number;
  symlinks: number;
}

/** Thrown while planning: refuses the zip before anything is written. */
function refuse(archive: ArchiveRef, kind: UnpackErrorKind, name: string, problem: string): UnpackError {
  return new UnpackError(kind, archive.file, `Cannot unpack ${archiveLabel(archive)}: entry ${quoteEntry(name)} ${problem}.`, name);
}

/**
 * Checks every entry of a zip from its central directory alone: names, types, methods, sizes that cannot be
 * true, duplicates, a path that needs a file or symlink of the same zip as a directory, and entries whose data
 * overlap (the trick behind non-recursive zip bombs).
 */
export function planZip(source: ZipSource): ZipPlan {
  const { archive } = source;
  const entries: PlannedEntry[] = [];
  const byPath = new Map<string, PlannedEntry>();
  let declaredBytes = 0;
  const counts = { file: 0, directory: 0, symlink: 0 };

  for (const entry of source.entries) {
    const { name } = entry;
    const where = toEntryPath(name);
    if (!where.ok) throw refuse(archive, 'unsafe-name', name, where.problem);
    if ((entry.generalPurposeBitFlag & ENCRYPTED_FLAG) !== 0) throw refuse(archive, 'unsupported', name, 'is encrypted; encrypted zips are not supported');
    if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
      const method = METHOD_NAMES[entry.compressionMethod];
      throw refuse(archive, 'unsupported', name, `uses compression method ${entry.compressionMethod}` +
        `${method ? ` (${method})` : ''}; only stored (0) and deflate (8) are supported`);
    }
    const type = entryType(entry.versionMadeBy, entry.externalFileAttributes, where.endsWithSlash);
    if (!type.ok) throw refuse(archive, 'unsupported', name, type.problem);
    const size = entry.uncompressedSize;
    if (entry.compressionMethod === STORED && entry.compressedSize !== size) {
      throw refuse(archive, 'corrupt', name, `is stored uncompressed but declares ${entry.compressedSize} bytes in the ` +
        `zip and ${size} bytes unzipped (the zip is corrupt)`);
    }
    if (type.kind === 'directory' && size !== 0) {
      throw refuse(archive, 'corrupt', name, `is a directory but carries ${size} bytes of data`);
    }
    if (type.kind === 'symlink' && (size === 0 || size > MAX_SYMLINK_TARGET_BYTES)) {
      throw refuse(archive, 'unsupported', name, `is a symbolic link with a ${size}-byte target; ` +
        `a target must be 1 to ${MAX_SYMLINK_TARGET_BYTES} bytes`);
    }
    if (entry.compressionMethod === DEFLATED &&
        size > entry.compressedSize * MAX_DEFLATE_RATIO + DEFLATE_RATIO_SLACK_BYTES) {
      throw refuse(archive, 'zip-bomb', name, `declares ${size} bytes from ${entry.compressedSize} compressed bytes, ` +
        `more than deflate can produce; its header lies (a zip bomb or a corrupt zip)`);
    }
    if (where.path === '') {
      if (type.kind !== 'directory') throw refuse(archive, 'unsafe-name', name, 'names the target directory itself');
      continue; // "./": the target directory, which exists anyway.
    }
    const planned: PlannedEntry = {
      entry, name, path: where.path, kind: type.kind, mode: type.mode, size, dataLimit: source.centralDirectoryOffset,
    };
    const twin = byPath.get(planned.path);
    if (twin !== undefined) {
      const same = twin.name === name ? 'twice' : `twice (also as ${quoteEntry(twin.name)})`;
      throw refuse(archive, 'duplicate', name, `appears ${same}; duplicate names are refused because which copy ` +
        'would win is ambiguous');
    }
    byPath.set(planned.path, planned);
    entries.push(planned);
    declaredBytes += size;
    counts[type.kind] += 1;
  }

  const checkedDirectories = new Set<string>();
  for (const planned of entries) checkAncestors(archive, planned, byPath, checkedDirectories);
  checkDataRanges(archive, source.centralDirectoryOffset, entries);
  return {
    source, entries, declaredBytes, files: counts.file, directories: counts.directory, symlinks: counts.symlink,
  };
}

/**
 * An entry's parent folders must not be files or symbolic links of the same zip. `checked` holds folders already
 * found fine with all their ancestors, so that siblings stop at their common parent.
 */
function checkAncestors(archive: ArchiveRef, planned: PlannedEntry, byPath: Map<string, PlannedEntry>, checked: Set<string>): void {
  const parent = parentPath(planned.path);
  for (let ancestor = parent; ancestor !== '' && !checked.has(ancestor); ancestor = parentPath(ancestor)) {
    const other = byPath.get(ancestor);
    if (other === undefined || other.kind === 'directory') continue;
    if (other.kind === 'symlink') {
      throw refuse(archive, 'through-symlink', planned.name, `would be written through the symbolic link ` +
        `${quoteEntry(other.name)} of the same zip; nothing is ever written through a symbolic link`);
    }
    throw refuse(archive, 'conflict', planned.name, `needs ${quoteEntry(ancestor)} to be a directory, but the zip ` +
      `also has ${quoteEntry(other.name)} as a file`);
  }
  checked.add(parent);
}

/**
 * Local headers must come in strictly separate ranges before the central directory. Each entry's data may only
 * run up to the next local header; overlapping entries are how zip bombs make many entries from one blob.
 */
function checkDataRanges(archive: ArchiveRef, centralDirectoryOffset: number, entries: PlannedEntry[]): void {
  const byOffset = inDataOrder(entries);
  for (let i = 0; i < byOffset.length; i++) {
    const planned = byOffset[i];
    const next = byOffset[i + 1];
    const limit = next ? next.entry.relativeOffsetOfLocalHeader : centralDirectoryOffset;
    const minimumEnd = planned.entry.relativeOffsetOfLocalHeader + LOCAL_HEADER_FIXED_BYTES + planned.entry.compressedSize;
    if (minimumEnd > limit) {
      if (next) {
        throw refuse(archive, 'zip-bomb', planned.name, `overlaps the data of entry ${quoteEntry(next.name)}; ` +
          'entries sharing data are a zip bomb technique (or the zip is corrupt)');
      }
      throw refuse(archive, 'corrupt', planned.name, 'has data that runs into the central directory or past the end ' +
        'of the file (the zip is truncated or corrupt)');
    }
    planned.dataLimit = limit;
  }
}

/**
 * The entries by the offset of their local header. Zip writers put the central directory in that order already,
 * so the array itself is returned when it is (strictly); otherwise a sorted copy.
 */
export function inDataOrder(entries: PlannedEntry[]): PlannedEntry[] {
  const offset = (planned: PlannedEntry): number => planned.entry.relativeOffsetOfLocalHeader;
  for (let i = 1; i < entries.length; i++) {
    if (offset(entries[i - 1]) >= offset(entries[i])) return [...entries].sort((a, b) => offset(a) - offset(b));
  }
  return entries;
}
