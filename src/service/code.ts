import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { combinedTooLargeText, FUNCTION_TOO_LARGE_TEXT, MAX_LAYERS, MAX_UNZIPPED_BYTES, TOO_MANY_LAYERS_TEXT } from '../archive/limits';
import { UnpackError } from '../archive/unpackError';
import { planZip } from '../archive/zipPlan';
import { openZipSource } from '../archive/zipSource';
import { invalidParameter } from './api/errors';
import type { Store } from './store/store';

/** Lambda's quota for a zip uploaded in the request (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
export const MAX_ZIPPED_BYTES = 52_428_800;

export interface AcceptedZip {
  blob: string;
  size: number;
  /** Sum of the sizes its entries unzip to. */
  unzippedBytes: number;
}

/**
 * Takes a zip from a request (`ZipFile`/`Content.ZipFile`, base64), checks it as the init would before unpacking
 * — every entry's name, type and size, zip-bomb tricks — so no environment ever sees a hostile zip, and stores it.
 */
export async function acceptZip(store: Store, base64: unknown, member: string): Promise<AcceptedZip> {
  if (typeof base64 !== 'string' || base64 === '') throw invalidParameter(`${member} is required: the function's deployment package (a zip, base64).`);
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length > MAX_ZIPPED_BYTES) throw invalidParameter(`Zipped size must be smaller than ${MAX_ZIPPED_BYTES} bytes`);
  const incoming = store.incomingFile();
  await fs.promises.writeFile(incoming, bytes);
  try {
    const unzippedBytes = await checkZip(incoming);
    const sha = crypto.createHash('sha256').update(bytes).digest('hex');
    return { blob: await store.adoptBlob(incoming, sha), size: bytes.length, unzippedBytes };
  } catch (error) {
    await fs.promises.rm(incoming, { force: true });
    throw error;
  }
}

async function checkZip(file: string): Promise<number> {
  let source;
  try {
    source = await openZipSource({ role: 'function', index: 0, file, target: '/var/task' });
  } catch (error) {
    throw unzipFailure(error);
  }
  try {
    return planZip(source).declaredBytes;
  } catch (error) {
    throw unzipFailure(error);
  } finally {
    source.close();
  }
}

/** Lambda's text for a zip it cannot use, followed by what exactly is wrong (the upload's temporary path left out). */
function unzipFailure(error: unknown): Error {
  if (!(error instanceof UnpackError)) return error instanceof Error ? error : new Error(String(error));
  const detail = error.message.replace(/ (function zip|layer \d+) \S+\.zip/, ' the zip');
  return invalidParameter(`Could not unzip uploaded file. Please check your file, then try to upload again. (${detail})`);
}

/** The 250 MB quota for a function version's code and its layers (the same texts the init prints, docs/lambda-behaviour.md#packages-and-layers). */
export function checkUnzippedTotal(functionBytes: number, layerBytes: number[]): void {
  if (layerBytes.length > MAX_LAYERS) throw invalidParameter(TOO_MANY_LAYERS_TEXT);
  if (functionBytes >= MAX_UNZIPPED_BYTES) throw invalidParameter(FUNCTION_TOO_LARGE_TEXT);
  const total = layerBytes.reduce((sum, bytes) => sum + bytes, functionBytes);
  if (layerBytes.length > 0 && total > MAX_UNZIPPED_BYTES) throw invalidParameter(combinedTooLargeText(total));
}

/** CodeSha256 as Lambda reports it: base64 of the digest. */
export const codeSha256 = (blobHex: string) => Buffer.from(blobHex, 'hex').toString('base64');
