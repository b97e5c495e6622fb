import { crc32 } from 'node:zlib';

/**
 * AWS event-stream framing (docs/lambda-behaviour.md#invoke-api): total length, headers length, prelude CRC, headers, payload, message CRC,
 * all big-endian. Only string headers (type 7) are needed here.
 */
export function encodeEventMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const headerParts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name);
    const valueBytes = Buffer.from(value);
    const part = Buffer.alloc(1 + nameBytes.length + 1 + 2 + valueBytes.length);
    let at = part.writeUInt8(nameBytes.length, 0);
    at += nameBytes.copy(part, at);
    at = part.writeUInt8(7, at);
    at = part.writeUInt16BE(valueBytes.length, at);
    valueBytes.copy(part, at);
    headerParts.push(part);
  }
  const headerBytes = Buffer.concat(headerParts);
  const total = 12 + headerBytes.length + payload.length + 4;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headerBytes.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  headerBytes.copy(message, 12);
  payload.copy(message, 12 + headerBytes.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}

export function payloadChunk(bytes: Buffer): Buffer {
  return encodeEventMessage(
    { ':event-type': 'PayloadChunk', ':content-type': 'application/octet-stream', ':message-type': 'event' },
    bytes,
  );
}

export interface InvokeComplete {
  ErrorCode?: string;
  ErrorDetails?: string;
  LogResult?: string;
}

export function invokeComplete(detail: InvokeComplete): Buffer {
  return encodeEventMessage(
    { ':event-type': 'InvokeComplete', ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from(JSON.stringify(detail)),
  );
}

export interface DecodedEventMessage {
  headers: Record<string, string>;
  payload: Buffer;
}

/** Splits a buffer of whole messages, verifying both CRCs; used by tests and by the host-side client. */
export function decodeEventMessages(buffer: Buffer): DecodedEventMessage[] {
  const messages: DecodedEventMessage[] = [];
  let at = 0;
  while (at < buffer.length) {
    const total = buffer.readUInt32BE(at);
    const headersLength = buffer.readUInt32BE(at + 4);
    const message = buffer.subarray(at, at + total);
    if (message.length < total) throw new Error('truncated event-stream message');
    if (crc32(message.subarray(0, 8)) !== message.readUInt32BE(8)) throw new Error('bad prelude CRC');
    if (crc32(message.subarray(0, total - 4)) !== message.readUInt32BE(total - 4)) throw new Error('bad message CRC');
    const headers: Record<string, string> = {};
    let h = 12;
    while (h < 12 + headersLength) {
      const nameLength = message.readUInt8(h);
      const name = message.toString('utf8', h + 1, h + 1 + nameLength);
      h += 1 + nameLength;
      const type = message.readUInt8(h);
      if (type !== 7) throw new Error(`unsupported header type ${type}`);
      const valueLength = message.readUInt16BE(h + 1);
      headers[name] = message.toString('utf8', h + 3, h + 3 + valueLength);
      h += 3 + valueLength;
    }
    messages.push({ headers, payload: message.subarray(12 + headersLength, total - 4) });
    at += total;
  }
  return messages;
}
