import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as path from 'node:path';
import { decodeEventMessages } from '../../src/api/eventStream';
import { FIXTURES } from '../helpers/paths';
import { request, RunningInit } from '../helpers/runningInit';

const SCRIPTED = path.join(FIXTURES, 'runtimes', 'scripted', 'bootstrap');
const STREAM_PATH = '/2021-11-15/functions/function/response-streaming-invocations';

/** Reads a streaming reply, noting when each piece arrived. */
function streamInvoke(port: number, payload: unknown, urlPath: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; pieces: Array<{ at: number; data: Buffer }>; endedAt: number }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: urlPath, headers, agent: false }, (res) => {
      const pieces: Array<{ at: number; data: Buffer }> = [];
      res.on('data', (data: Buffer) => pieces.push({ at: Date.now(), data }));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, pieces, endedAt: Date.now() }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(payload));
  });
}

describe('Runtime API', function () {
  let sandbox: RunningInit;
  before(async () => {
    sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED } });
  });
  after(async () => {
    await sandbox.stop();
  });

  it('refuses a second response with 403 and a wrong request id with 400', async () => {
    const res = await sandbox.invoke({ action: 'twice' });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body.toString()), 'first');
    // The fixture reports in its log what the Runtime API answered to its later calls.
    await sandbox.waitForOutput('twice: ');
    const line = sandbox.stdout.split('\n').find((l) => l.startsWith('twice: ')) ?? '';
    assert.deepEqual(JSON.parse(line.slice('twice: '.length)), {
      first: 202,
      second: { status: 403, body: { errorMessage: 'State transition from ResponseSent to InvocationResponse failed for runtime. Error: State transition is not allowed', errorType: 'InvalidStateTransition' } },
      wrongId: { status: 400, body: { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' } },
    });
  });

  it('answers calls in the wrong state from the transition table', async () => {
    const api = sandbox.apiPort;
    const response = await request(api, 'POST', '/2018-06-01/runtime/invocation/abc/response', '{}');
    assert.equal(response.status, 403);
    assert.deepEqual(response.json(), {
      errorMessage: 'State transition from Ready to InvocationResponse failed for runtime. Error: State transition is not allowed',
      errorType: 'InvalidStateTransition',
    });
    assert.equal(response.headers['content-type'], 'application/json');
    const initError = await request(api, 'POST', '/2018-06-01/runtime/init/error', '{}');
    assert.equal(initError.status, 403);
    assert.equal((initError.json() as { errorType: string }).errorType, 'InvalidStateTransition');
    const next = await request(api, 'GET', '/2018-06-01/runtime/invocation/next');
    assert.equal(next.status, 403, 'a second /next while one is parked');
    assert.deepEqual(next.json(), {
      errorMessage: 'State transition from Ready to Ready failed for runtime. Error: State transition is not allowed',
      errorType: 'InvalidStateTransition',
    });
    assert.equal((await request(api, 'GET', '/2018-06-01/runtime/nothing')).status, 404);
    assert.equal((await request(api, 'DELETE', '/2018-06-01/runtime/invocation/next')).status, 405);
    // The environment still works after all that.
    assert.deepEqual((await sandbox.invoke({ still: 'fine' })).json(), { still: 'fine' });
  });

  it('answers 413 to a response over 6,291,556 bytes and gives the caller Function.ResponseSizeTooLarge', async () => {
    const res = await sandbox.invoke({ action: 'big', bytes: 6_291_557 });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
    assert.deepEqual(res.json(), {
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'Function.ResponseSizeTooLarge',
    });
    await sandbox.waitForOutput('big response answered 413 {"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}');
    const fits = await sandbox.invoke({ action: 'big', bytes: 6_291_556 });
    assert.equal(fits.body.length, 6_291_556);
    assert.equal(fits.headers['x-amz-function-error'], undefined);
  });

  it('streams chunks to the caller as they arrive, framed as AWS event-stream messages', async () => {
    const started = Date.now();
    const res = await streamInvoke(sandbox.invokePort, { action: 'stream', chunks: 4, gapMs: 150 }, STREAM_PATH);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.amazon.eventstream');
    assert.equal(res.headers['x-amz-executed-version'], '$LATEST');
    const messages = decodeEventMessages(Buffer.concat(res.pieces.map((p) => p.data)));
    const chunks = messages.filter((m) => m.headers[':event-type'] === 'PayloadChunk');
    assert.deepEqual(chunks.map((m) => m.payload.toString()), ['chunk 0\n', 'chunk 1\n', 'chunk 2\n', 'chunk 3\n']);
    assert.deepEqual(chunks[0].headers, { ':event-type': 'PayloadChunk', ':content-type': 'application/octet-stream', ':message-type': 'event' });
    const last = messages[messages.length - 1];
    assert.equal(last.headers[':event-type'], 'InvokeComplete');
    assert.deepEqual(JSON.parse(last.payload.toString()), {});
    // The first chunk arrived well before the function finished (three 150 ms gaps later).
    assert.ok(res.pieces[0].at - started < res.endedAt - started - 250, `first piece at ${res.pieces[0].at - started} ms, end at ${res.endedAt - started} ms`);
  });

  it('ends a stream that failed mid-way with InvokeComplete carrying the error', async () => {
    const res = await streamInvoke(sandbox.invokePort, { action: 'stream', chunks: 2, gapMs: 10, fail: true }, STREAM_PATH);
    const messages = decodeEventMessages(Buffer.concat(res.pieces.map((p) => p.data)));
    assert.deepEqual(messages.slice(0, 2).map((m) => m.payload.toString()), ['chunk 0\n', 'chunk 1\n']);
    const complete = JSON.parse(messages[2].payload.toString()) as { ErrorCode: string; ErrorDetails: string };
    assert.equal(complete.ErrorCode, 'Fixture.StreamFailed');
    assert.deepEqual(JSON.parse(complete.ErrorDetails), { errorMessage: 'stream broke', errorType: 'Fixture.StreamFailed' });
  });

  it('gives a buffered caller the whole streamed response, and a streaming caller a buffered one', async () => {
    const buffered = await sandbox.invoke({ action: 'stream', chunks: 3, gapMs: 5 });
    assert.equal(buffered.body.toString(), 'chunk 0\nchunk 1\nchunk 2\n');
    assert.equal(buffered.headers['content-type'], 'text/plain');
    const streamed = await streamInvoke(sandbox.invokePort, { plain: true }, STREAM_PATH);
    const messages = decodeEventMessages(Buffer.concat(streamed.pieces.map((p) => p.data)));
    assert.deepEqual(messages.map((m) => m.headers[':event-type']), ['PayloadChunk', 'InvokeComplete']);
    assert.deepEqual(JSON.parse(messages[0].payload.toString()), { plain: true });
  });

  it('adds the log tail to InvokeComplete with X-Amz-Log-Type: Tail', async () => {
    const res = await streamInvoke(sandbox.invokePort, { action: 'log', lines: ['streamed tail'] }, STREAM_PATH, { 'X-Amz-Log-Type': 'Tail' });
    const messages = decodeEventMessages(Buffer.concat(res.pieces.map((p) => p.data)));
    const complete = JSON.parse(messages[messages.length - 1].payload.toString()) as { LogResult: string };
    assert.match(Buffer.from(complete.LogResult, 'base64').toString(), /streamed tail\nEND RequestId: /);
  });
});
