import * as assert from 'node:assert/strict';
import type { Posted } from './helpers/fakeRuntimeApi';
import { Gate } from './helpers/gate';
import { json, startSession, type Session } from './helpers/session';

/** Streaming responses (docs/lambda-behaviour.md#response-streaming): one chunked POST in streaming mode, failures as trailers. */
describe('nodejs runtime: response streaming', () => {
  let session: Session | undefined;
  let gate: Gate | undefined;
  afterEach(async () => {
    await session?.close();
    await gate?.stop();
    session = undefined;
    gate = undefined;
  });

  async function stream(handler: string, event: unknown = {}): Promise<Posted> {
    session = await startSession(`streaming.${handler}`);
    const posted = await session.api.invoke(event);
    assert.equal(posted.kind, 'response');
    assert.equal(posted.headers['lambda-runtime-function-response-mode'], 'streaming');
    assert.equal(posted.headers['transfer-encoding'], 'chunked');
    assert.equal(posted.headers.trailer, 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body');
    return posted;
  }

  function trailerError(posted: Posted): { errorType: string; errorMessage: string; trace: string[] } {
    const body = posted.trailers['lambda-runtime-function-error-body'];
    assert.ok(body, 'error body trailer');
    const error = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as { errorType: string; errorMessage: string; trace: string[] };
    assert.equal(posted.trailers['lambda-runtime-function-error-type'], error.errorType);
    return error;
  }

  it('sends each write as it happens, while the handler still runs', async () => {
    gate = await new Gate().start();
    session = await startSession('streaming.chunks');
    const seen: string[] = [];
    let firstChunk!: () => void;
    const firstChunkArrived = new Promise<void>((resolve) => (firstChunk = resolve));
    const result = session.api.invoke({ gate: gate.url }, {
      onChunk: (chunk) => {
        seen.push(chunk.toString());
        firstChunk();
      },
    });
    await firstChunkArrived;
    await gate.reached();
    assert.deepEqual(seen, ['first,'], 'the first chunk is here while the handler waits at the gate');
    gate.open();
    const posted = await result;
    assert.equal(posted.body.toString(), 'first,second,{"third":true}');
    assert.equal(posted.headers['content-type'], 'text/plain');
    assert.deepEqual(posted.trailers, {}, 'no error trailers on success');
  });

  it('works with stream.pipeline and a default content type', async () => {
    const posted = await stream('piped');
    assert.equal(posted.body.toString(), 'abc');
    assert.equal(posted.headers['content-type'], 'application/octet-stream');
  });

  it('HttpResponseStream.from: http-integration content type, JSON prelude, 8 NUL bytes, body', async () => {
    const posted = await stream('httpResponse');
    assert.equal(posted.headers['content-type'], 'application/vnd.awslambda.http-integration-response');
    const prelude = JSON.stringify({ statusCode: 201, headers: { 'x-custom': 'yes' }, cookies: ['a=1'] });
    assert.deepEqual(posted.body, Buffer.concat([Buffer.from(prelude), Buffer.alloc(8), Buffer.from('body')]));
  });

  it('an error after some output: the output, then the error as trailers', async () => {
    const posted = await stream('failsMidStream');
    assert.equal(posted.body.toString(), 'partial');
    const error = trailerError(posted);
    assert.deepEqual([error.errorType, error.errorMessage, error.trace[0]], ['Error', 'broke mid-stream', 'Error: broke mid-stream']);
  });

  it('an error before any output: an empty stream with error trailers', async () => {
    const posted = await stream('failsBeforeWrite');
    assert.equal(posted.body.length, 0);
    assert.deepEqual(trailerError(posted).errorType, 'TypeError');
  });

  it('a handler that returns without ending the stream fails the invocation', async () => {
    const posted = await stream('notFinished');
    assert.equal(posted.body.toString(), 'never ended');
    assert.deepEqual(trailerError(posted), { errorType: 'string', errorMessage: 'Response stream is not finished.', trace: [] });
  });

  it('a handler that is not async fails the invocation', async () => {
    const posted = await stream('notAsync');
    assert.deepEqual(trailerError(posted), { errorType: 'string', errorMessage: 'Streaming does not support non-async handlers.', trace: [] });
  });

  it('an error after the stream ended is logged; the complete response stands', async () => {
    const posted = await stream('failsAfterEnd');
    assert.equal(posted.body.toString(), 'complete');
    assert.deepEqual(posted.trailers, {});
    await session!.runtime.waitForLine((l) => l.includes('Invoke Error') && l.includes('too late to report'));
  });

  it('Runtime.NodeJsExit when the handler\'s promise can never settle', async () => {
    const posted = await stream('neverSettles');
    assert.equal(posted.body.length, 0);
    assert.equal(trailerError(posted).errorType, 'Runtime.NodeJsExit');
  });

  it('destroying the stream with an error fails the invocation with that error', async () => {
    const posted = await stream('destroys');
    assert.equal(posted.body.toString(), 'before destroy');
    const error = trailerError(posted);
    assert.deepEqual([error.errorType, error.errorMessage], ['RangeError', 'destroyed by the handler']);
  });

  it('destroying the stream without a reason cuts the response off, and the runtime goes on', async () => {
    session = await startSession('streaming.destroysWithoutReason');
    const posted = await session.api.invoke({});
    assert.equal(posted.aborted, true);
    assert.equal(posted.body.toString(), 'cut off');
    const next = await session.api.invoke({});
    assert.equal(next.aborted, true, 'the next invocation is served by the same runtime');
  });

  it('setContentType after the first write is Runtime.InvalidStreamingOperation', async () => {
    const error = trailerError(await stream('tooLate'));
    assert.deepEqual([error.errorType, error.errorMessage], ['Runtime.InvalidStreamingOperation', 'Cannot set content-type, too late.']);
  });

  it('passes the context as third argument and serves further invocations', async () => {
    const first = await stream('context');
    assert.equal((json(first.body) as { functionName: string }).functionName, 'test_function');
    const second = await session!.api.invoke({}, { requestId: 'second-id' });
    assert.deepEqual(json(second.body), { awsRequestId: 'second-id', functionName: 'test_function' });
  });
});
