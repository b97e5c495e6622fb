import * as assert from 'node:assert/strict';
import { decodeEventMessages } from '../../src/api/eventStream';

/** A response-streaming invoke's body, taken apart: the PayloadChunk texts and the final InvokeComplete's JSON. */
export function readStreamedReply(body: Buffer): { chunks: string[]; complete: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string } } {
  const messages = decodeEventMessages(body);
  const last = messages[messages.length - 1];
  assert.equal(last?.headers[':event-type'], 'InvokeComplete', 'the stream ends with InvokeComplete');
  const chunks = messages.slice(0, -1);
  for (const chunk of chunks) assert.equal(chunk.headers[':event-type'], 'PayloadChunk');
  return { chunks: chunks.map((m) => m.payload.toString()), complete: JSON.parse(last.payload.toString()) as Record<string, string> };
}
