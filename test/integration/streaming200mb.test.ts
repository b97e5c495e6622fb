import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { decodeEventMessages } from '../../src/api/eventStream';
import { FIXTURES } from '../helpers/paths';
import { RunningInit } from '../helpers/runningInit';

const MULTI_LOOP = path.join(FIXTURES, 'runtimes', 'multi-loop-mi', 'bootstrap');
const STREAM_PATH = '/2021-11-15/functions/function/response-streaming-invocations';
const MiB = 1024 * 1024;

/** The payload bytes of a streamed reply, checked to be the fixture's a..z chunk cycle, and its InvokeComplete. */
function payloadOf(body: Buffer): { bytes: number; complete: Record<string, string> } {
  const messages = decodeEventMessages(body);
  const last = messages.pop();
  assert.equal(last?.headers[':event-type'], 'InvokeComplete');
  const payload = Buffer.concat(messages.map((m) => m.payload));
  return { bytes: payload.length, complete: JSON.parse(last!.payload.toString()) as Record<string, string> };
}

function assertCycle(body: Buffer, chunk: number): void {
  const payload = Buffer.concat(decodeEventMessages(body).slice(0, -1).map((m) => m.payload));
  for (let at = 0, n = 0; at < payload.length; at += chunk, n++) {
    const expected = 97 + (n % 26);
    const slice = payload.subarray(at, Math.min(at + chunk, payload.length));
    if (slice[0] !== expected || slice[slice.length - 1] !== expected) assert.fail(`chunk ${n} at ${at} is not '${String.fromCharCode(expected)}'`);
  }
}

describe('Response streaming to 200 MB', function () {
  this.timeout(90_000);

  it('delivers a 30 MB stream whole, in order', async () => {
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: MULTI_LOOP }, env: { LAMBDA_SANDBOX_STREAM_BANDWIDTH_BPS: String(64 * MiB), AWS_LAMBDA_FUNCTION_TIMEOUT: '60' },
    });
    try {
      const r = await sandbox.invoke({ action: 'stream', bytes: 30 * MiB, chunk: 65_536 }, {}, STREAM_PATH);
      assert.equal(r.status, 200);
      const { bytes, complete } = payloadOf(r.body);
      assert.deepEqual(complete, {});
      assert.equal(bytes, 30 * MiB);
      assertCycle(r.body, 65_536);
    } finally {
      await sandbox.stop();
    }
  });

  it('streams the first 6 MB uncapped and the rest at the bandwidth cap', async () => {
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: MULTI_LOOP }, env: { LAMBDA_SANDBOX_STREAM_BANDWIDTH_BPS: String(MiB / 2), AWS_LAMBDA_FUNCTION_TIMEOUT: '60' },
    });
    try {
      const uncapped = Date.now();
      const within = await sandbox.invoke({ action: 'stream', bytes: 6 * MiB }, {}, STREAM_PATH);
      const uncappedMs = Date.now() - uncapped;
      assert.equal(payloadOf(within.body).bytes, 6 * MiB);

      const capped = Date.now();
      const beyond = await sandbox.invoke({ action: 'stream', bytes: 7 * MiB }, {}, STREAM_PATH);
      const cappedMs = Date.now() - capped;
      assert.equal(payloadOf(beyond.body).bytes, 7 * MiB);
      // 1 MiB past the uncapped 6 MiB at 0.5 MiB/s takes at least 2 s (less a chunk's worth).
      assert.ok(cappedMs >= 1_800, `7 MiB took ${cappedMs} ms`);
      assert.ok(cappedMs - uncappedMs >= 1_000, `the capped part added ${cappedMs - uncappedMs} ms`);
    } finally {
      await sandbox.stop();
    }
  });

  it('ends a stream past 200 MB with Function.ResponseSizeTooLarge after delivering the first 200 MB', async () => {
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: MULTI_LOOP }, env: { LAMBDA_SANDBOX_STREAM_BANDWIDTH_BPS: '10000000000', AWS_LAMBDA_FUNCTION_TIMEOUT: '120' },
    });
    try {
      const r = await sandbox.invoke({ action: 'stream', bytes: 201 * MiB, chunk: MiB }, {}, STREAM_PATH);
      assert.equal(r.status, 200);
      const { bytes, complete } = payloadOf(r.body);
      assert.ok(bytes <= 200 * MiB, `${bytes} bytes reached the caller`);
      assert.equal(complete.ErrorCode, 'Function.ResponseSizeTooLarge');
      assert.deepEqual(JSON.parse(complete.ErrorDetails), {
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: `Response payload size exceeded maximum allowed payload size (${200 * MiB} bytes).`,
      });
    } finally {
      await sandbox.stop();
    }
  });
});
