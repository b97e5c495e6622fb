import { archiveLabel, type ArchiveRef } from './archiveRef';

/** What went wrong, for callers that branch on it; the message is what users read. */
export type UnpackErrorKind =
  | 'too-many-layers'
  | 'too-large'
  | 'unreadable'
  | 'not-a-zip'
  | 'corrupt'
  | 'zip-bomb'
  | 'unsafe-name'
  | 'duplicate'
  | 'conflict'
  | 'through-symlink'
  | 'unsupported'
  | 'write-failed'
  /** A bug or an extraction worker that died. */
  | 'internal';

/**
 * Why an unpack failed. The message is complete and self-contained (zip file, entry, reason, and what was cleaned
 * up), so the init can print it as the one line it writes before exiting.
 */
export class UnpackError extends Error {
  readonly kind: UnpackErrorKind;
  /** The zip file at fault (for the size budget: the zip that crossed it). */
  readonly file: string;
  /** The entry at fault, as named in the zip, when one is. */
  readonly entry?: string;

  constructor(kind: UnpackErrorKind, file: string, message: string, entry?: string) {
    super(message);
    this.name = 'UnpackError';
    this.kind = kind;
    this.file = file;
    if (entry !== undefined) this.entry = entry;
  }

  /** The same error with a sentence about cleanup appended. */
  withSuffix(suffix: string): UnpackError {
    const copy = new UnpackError(this.kind, this.file, this.message + suffix, this.entry);
    copy.stack = this.stack;
    return copy;
  }
}

/** Quote an entry name for a message, showing control characters instead of printing them. */
export function quoteEntry(name: string): string {
  return JSON.stringify(name);
}

/** "Cannot unpack layer 2 /l.zip: entry "x" <problem>." */
export function entryError(archive: ArchiveRef, kind: UnpackErrorKind, name: string, problem: string): UnpackError {
  return new UnpackError(kind, archive.file, `Cannot unpack ${archiveLabel(archive)}: entry ${quoteEntry(name)} ${problem}.`, name);
}
