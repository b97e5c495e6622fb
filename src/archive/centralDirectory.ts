import { isAscii } from 'node:buffer';
import * as yauzl from 'yauzl';
import { SyncWindowReader } from './syncWindowReader';

/**
 * One central directory record: the fields extraction uses, with the name already decoded. Plain numbers and one
 * string per entry, so 100,000 entries stay a few tens of MB (yauzl's Entry objects carry several Buffers each,
 * and it reads each record with two asynchronous reads).
 */
export interface CentralEntry {
  name: string;
  versionMadeBy: number;
  generalPurposeBitFlag: number;
  compressionMethod: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  externalFileAttributes: number;
  relativeOffsetOfLocalHeader: number;
}

const RECORD_SIGNATURE = 0x02014b50;
const RECORD_FIXED_BYTES = 46;
const STRONG_ENCRYPTION_FLAG = 0x40;
const UTF8_FLAG = 0x800;
const ZIP64_EXTRA_FIELD = 0x0001;
const UNICODE_PATH_EXTRA_FIELD = 0x7075;
const ZIP64_MARK = 0xffffffff;

/**
 * Reads `entryCount` records from `offset` (where yauzl found the central directory), with synchronous reads
 * through one 1 MiB window. Refuses what yauzl refuses, with yauzl's words (the caller maps them to its messages):
 * a bad signature, strong encryption, extra fields that overrun their record, a zip64 field missing a size.
 */
export function readCentralDirectory(fd: number, fileSize: number, offset: number, entryCount: number): CentralEntry[] {
  const reader = new SyncWindowReader(fd, fileSize);
  const entries: CentralEntry[] = [];
  let cursor = offset;
  for (let i = 0; i < entryCount; i++) {
    const fixed = reader.read(cursor, RECORD_FIXED_BYTES);
    if (fixed === undefined) throw new Error('unexpected EOF');
    const signature = fixed.readUInt32LE(0);
    if (signature !== RECORD_SIGNATURE) throw new Error(`invalid central directory file header signature: 0x${signature.toString(16)}`);
    const flags = fixed.readUInt16LE(8);
    if ((flags & STRONG_ENCRYPTION_FLAG) !== 0) throw new Error('strong encryption is not supported');
    const nameLength = fixed.readUInt16LE(28);
    const extraLength = fixed.readUInt16LE(30);
    const commentLength = fixed.readUInt16LE(32);
    const entry: CentralEntry = {
      name: '',
      versionMadeBy: fixed.readUInt16LE(4),
      generalPurposeBitFlag: flags,
      compressionMethod: fixed.readUInt16LE(10),
      crc32: fixed.readUInt32LE(16),
      compressedSize: fixed.readUInt32LE(20),
      uncompressedSize: fixed.readUInt32LE(24),
      externalFileAttributes: fixed.readUInt32LE(38),
      relativeOffsetOfLocalHeader: fixed.readUInt32LE(42),
    };
    cursor += RECORD_FIXED_BYTES;
    const variable = reader.read(cursor, nameLength + extraLength + commentLength);
    if (variable === undefined) throw new Error('unexpected EOF');
    const extra = variable.subarray(nameLength, nameLength + extraLength);
    const unicodePath = applyExtraFields(entry, extra);
    entry.name = decodeName(flags, variable.subarray(0, nameLength), extra, unicodePath);
    cursor += nameLength + extraLength + commentLength;
    entries.push(entry);
  }
  return entries;
}

/** Walks the extra fields (as yauzl does, refusing one that overruns), applies zip64 sizes; true when a Unicode path field is present. */
function applyExtraFields(entry: CentralEntry, extra: Buffer): boolean {
  let unicodePath = false;
  let zip64Seen = false;
  for (let i = 0; i < extra.length - 3;) {
    const id = extra.readUInt16LE(i);
    const dataStart = i + 4;
    const dataEnd = dataStart + extra.readUInt16LE(i + 2);
    if (dataEnd > extra.length) throw new Error('extra field length exceeds extra field buffer size');
    if (id === UNICODE_PATH_EXTRA_FIELD) unicodePath = true;
    if (id === ZIP64_EXTRA_FIELD && !zip64Seen) {
      zip64Seen = true;
      applyZip64(entry, extra.subarray(dataStart, dataEnd));
    }
    i = dataEnd;
  }
  return unicodePath;
}

function applyZip64(entry: CentralEntry, data: Buffer): void {
  let index = 0;
  const next = (what: string): number => {
    if (index + 8 > data.length) throw new Error(`zip64 extended information extra field does not include ${what}`);
    const value = data.readUInt32LE(index) + data.readUInt32LE(index + 4) * 0x100000000;
    index += 8;
    return value;
  };
  if (entry.uncompressedSize === ZIP64_MARK) entry.uncompressedSize = next('uncompressed size');
  if (entry.compressedSize === ZIP64_MARK) entry.compressedSize = next('compressed size');
  if (entry.relativeOffsetOfLocalHeader === ZIP64_MARK) entry.relativeOffsetOfLocalHeader = next('relative header offset');
}

/** The entry's name as text; the common case (plain ASCII or UTF-8) skips yauzl's per-character CP437 decoding. */
function decodeName(flags: number, raw: Buffer, extra: Buffer, unicodePath: boolean): string {
  if (!unicodePath && ((flags & UTF8_FLAG) !== 0 || isAscii(raw))) return raw.toString('utf8');
  // Copies: the window the views point into is reused by the next read.
  const extraFields: Array<{ id: number; data: Buffer }> = [];
  for (let i = 0; i < extra.length - 3;) {
    const dataEnd = i + 4 + extra.readUInt16LE(i + 2);
    extraFields.push({ id: extra.readUInt16LE(i), data: Buffer.from(extra.subarray(i + 4, dataEnd)) });
    i = dataEnd;
  }
  return yauzl.getFileNameLowLevel(flags, Buffer.from(raw), extraFields, true);
}
