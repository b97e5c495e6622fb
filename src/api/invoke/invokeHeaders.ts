import type { IncomingMessage } from 'node:http';
import { isUtf8 } from 'node:buffer';
import { errors } from '../awsErrors';
import { header } from '../http';
import { MAX_CLIENT_CONTEXT_BYTES } from '../payloadLimits';

/** What an Invoke request's headers and body ask for, validated as Lambda validates them. */

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

const TYPES: readonly InvocationType[] = ['RequestResponse', 'Event', 'DryRun'];
const STREAMING_TYPES: readonly InvocationType[] = ['RequestResponse', 'DryRun'];

export function invocationType(req: IncomingMessage, streaming: boolean): InvocationType {
  const value = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  const allowed = streaming ? STREAMING_TYPES : TYPES;
  const found = allowed.find((t) => t === value);
  if (!found) {
    throw errors.invalidParameter(`1 validation error detected: Value '${value}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return found;
}

export function wantsTail(req: IncomingMessage): boolean {
  const value = header(req, 'x-amz-log-type') ?? 'None';
  if (value !== 'None' && value !== 'Tail') {
    throw errors.invalidParameter(`1 validation error detected: Value '${value}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]`);
  }
  return value === 'Tail';
}

/** The decoded client context JSON, when the caller sent one. */
export function clientContext(req: IncomingMessage): string | undefined {
  const encoded = header(req, 'x-amz-client-context');
  if (encoded === undefined) return undefined;
  if (encoded.length > MAX_CLIENT_CONTEXT_BYTES) {
    throw errors.invalidParameter(`Client context must be at most ${MAX_CLIENT_CONTEXT_BYTES} bytes when base64-encoded.`);
  }
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) throw errors.invalidParameter('Client context must be a valid Base64-encoded JSON object.');
  try {
    const value: unknown = JSON.parse(decoded);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
  } catch {
    throw errors.invalidParameter('Client context must be a valid Base64-encoded JSON object.');
  }
  return decoded;
}

/** The payload must be JSON, in UTF-8: Lambda refuses anything else rather than pass it on altered. */
export function validatePayload(body: Buffer): void {
  if (body.length === 0) return;
  if (!isUtf8(body)) throw errors.invalidJson(describeInvalidUtf8(body));
  try {
    JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw errors.invalidJson((error as Error).message);
  }
}

/** Names the first byte that breaks UTF-8, in the words of the JSON parser behind Lambda's message. */
function describeInvalidUtf8(body: Buffer): string {
  const hex = (byte: number): string => `0x${byte.toString(16).padStart(2, '0')}`;
  for (let i = 0; i < body.length;) {
    const lead = body[i];
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xf0 && lead < 0xf5 ? 4 : 0;
    if (length === 0) return `Invalid UTF-8 start byte ${hex(lead)} at offset ${i}`;
    for (let k = 1; k < length; k++) {
      if (i + k >= body.length) return `Unexpected end of input in a UTF-8 sequence at offset ${i}`;
      if ((body[i + k] & 0xc0) !== 0x80) return `Invalid UTF-8 middle byte ${hex(body[i + k])} at offset ${i + k}`;
    }
    if (!isUtf8(body.subarray(i, i + length))) return `Invalid UTF-8 sequence starting with ${hex(lead)} at offset ${i}`;
    i += length;
  }
  return 'Invalid UTF-8';
}
