import type { UnpackErrorKind } from './unpackError';

/**
 * What can be wrong with an entry's data, worded once for both extraction paths (the streaming one on the main
 * thread and the batch one in worker threads). Each text completes "entry "<name>" ...".
 */
export interface EntryProblem {
  kind: UnpackErrorKind;
  problem: string;
}

export const LOCAL_HEADER_SIGNATURE = 0x04034b50;
export const LOCAL_HEADER_FIXED_BYTES = 30;
export const DEFLATED = 8;

export function noLocalHeader(offset: number): EntryProblem {
  return { kind: 'corrupt', problem: `has no local header at offset ${offset} (the zip is corrupt)` };
}

export function overlapsNext(): EntryProblem {
  return { kind: 'corrupt', problem: 'has data that overlaps the next entry or the central directory (a corrupt zip or a zip bomb)' };
}

export function cutShort(): EntryProblem {
  return { kind: 'corrupt', problem: 'is cut short: the zip file ends before its data does (the zip is truncated)' };
}

export function tooManyBytes(declared: number, seen: number): EntryProblem {
  return {
    kind: 'zip-bomb',
    problem: `inflates to more than the ${declared} bytes its header declares (stopped after ${seen}); ` +
      'the header lies (a zip bomb or a corrupt zip)',
  };
}

export function tooFewBytes(declared: number, seen: number): EntryProblem {
  return { kind: 'corrupt', problem: `inflates to ${seen} bytes but its header declares ${declared} (the zip is truncated or corrupt)` };
}

export function corruptData(message: string): EntryProblem {
  return { kind: 'corrupt', problem: `has corrupt compressed data (${message}); the zip is truncated or corrupt` };
}

export function crcMismatch(expected: number, actual: number): EntryProblem | undefined {
  if (expected === actual) return undefined;
  const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
  return { kind: 'corrupt', problem: `fails its CRC-32 check (the zip says ${hex(expected)}, the data gives ${hex(actual)}): the zip is corrupt` };
}

/** Where the data starts, from the 30-byte local header, or the problem with it. */
export function dataStartFrom(header: Buffer, offset: number, compressedSize: number, dataLimit: number): number | EntryProblem {
  if (header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) return noLocalHeader(offset);
  const start = offset + LOCAL_HEADER_FIXED_BYTES + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + compressedSize > dataLimit) return overlapsNext();
  return start;
}
