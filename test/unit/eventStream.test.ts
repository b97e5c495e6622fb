import * as assert from 'node:assert/strict';
import { decodeEventMessages, encodeEventMessage, invokeComplete, payloadChunk } from '../../src/api/eventStream';

describe('AWS event-stream framing', () => {
  it('frames a message with prelude and message CRCs (known vector)', () => {
    // A message with no headers and no payload is 16 bytes: length, headers length, prelude CRC, message CRC.
    const empty = encodeEventMessage({}, Buffer.alloc(0));
    assert.equal(empty.toString('hex'), '000000100000000005c248eb7d98c8ff');
  });

  it('round-trips chunks and completion events', () => {
    const stream = Buffer.concat([payloadChunk(Buffer.from('hello')), payloadChunk(Buffer.alloc(70_000, 1)), invokeComplete({ ErrorCode: 'E' })]);
    const messages = decodeEventMessages(stream);
    assert.deepEqual(messages.map((m) => m.headers[':event-type']), ['PayloadChunk', 'PayloadChunk', 'InvokeComplete']);
    assert.equal(messages[0].payload.toString(), 'hello');
    assert.equal(messages[1].payload.length, 70_000);
    assert.deepEqual(JSON.parse(messages[2].payload.toString()), { ErrorCode: 'E' });
  });

  it('detects a corrupted message', () => {
    const message = payloadChunk(Buffer.from('hello'));
    message[message.length - 6] ^= 1;
    assert.throws(() => decodeEventMessages(message), /bad message CRC/);
  });
});
