import * as assert from 'node:assert/strict';
import { CALLBACK_REMOVED_NODEJS24 } from '../../../src/runtimes/nodejs/callbackDeprecation';
import { Gate } from './helpers/gate';
import { node24OrSkip } from './helpers/node24';
import { json, startSession, type Session } from './helpers/session';

type RapidError = { errorType: string; errorMessage: string; trace: string[] };

/**
 * The runtime on a real Node.js 24 behaves as Lambda's nodejs24.x (docs/nodejs-runtime.md, "Node.js 24"); the same
 * handlers on this machine's older Node keep the callback model (see callbacks.test.ts).
 */
describe('nodejs runtime on Node.js 24: the async-only model of nodejs24.x', function () {
  let node24: string;
  let session: Session | undefined;
  before(function () {
    this.timeout(300_000);
    node24 = node24OrSkip(this);
  });
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  async function on24(handler: string): Promise<Session> {
    session = await startSession(handler, {}, undefined, node24);
    return session;
  }

  it('refuses a callback-style handler at init with Runtime.CallbackHandlerDeprecated, and exits', async () => {
    const { api, runtime } = await on24('index.callbackWaits');
    const posted = await api.nextInitError();
    const error = json(posted.body) as RapidError;
    assert.deepEqual([error.errorType, error.errorMessage], ['Runtime.CallbackHandlerDeprecated', CALLBACK_REMOVED_NODEJS24]);
    assert.equal(posted.headers['lambda-runtime-function-error-type'], 'Runtime.CallbackHandlerDeprecated');
    assert.equal(error.trace[0], `Runtime.CallbackHandlerDeprecated: ${CALLBACK_REMOVED_NODEJS24}`);
    assert.equal((await runtime.exited).code, 129);
    assert.equal(api.requests.includes('GET /2018-06-01/runtime/invocation/next'), false, 'never asks for an invocation');
  });

  it('accepts a streaming handler, whose third parameter is its context', async () => {
    const { api } = await on24('streaming.context');
    const posted = await api.invoke({}, { requestId: 'stream-24' });
    assert.deepEqual(JSON.parse(posted.body.toString()), { awsRequestId: 'stream-24', functionName: 'test_function' });
  });

  it('calls the handler with (event, context) only: no succeed/fail/done, no callbackWaitsForEmptyEventLoop', async () => {
    const { api } = await on24('asyncOnly.contextShape');
    const trace = 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1';
    const shape = json((await api.invoke({}, { headers: { 'Lambda-Runtime-Trace-Id': trace } })).body) as Record<string, unknown>;
    assert.deepEqual(shape, {
      keys: [
        'awsRequestId', 'clientContext', 'functionName', 'functionVersion', 'getRemainingTimeInMillis', 'identity',
        'invokedFunctionArn', 'logGroupName', 'logStreamName', 'memoryLimitInMB', 'tenantId', 'xRayTraceId',
      ],
      callbackWaitsForEmptyEventLoop: false,
      succeed: 'undefined',
      xRayTraceId: trace,
      traceEnv: trace,
      argumentCount: 2,
    });
  });

  it('fails an invocation that calls context.succeed (it does not exist any more)', async () => {
    const { api } = await on24('asyncOnly.usesSucceed');
    const posted = await api.invoke({});
    assert.equal(posted.kind, 'error');
    const error = json(posted.body) as RapidError;
    assert.equal(error.errorType, 'TypeError');
    assert.match(error.errorMessage, /succeed is not a function/);
  });

  it('answers a synchronous handler\'s return value (the callback model answered null)', async () => {
    const { api } = await on24('asyncOnly.syncValue');
    assert.deepEqual(json((await api.invoke({})).body), { sync: true });
  });

  it('does not wait on beforeExit: a promise that never settles ends the process, nothing is posted', async () => {
    const { api, runtime } = await on24('index.neverSettles');
    const posted = api.invoke({});
    const exit = await runtime.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    const answered = await Promise.race([posted.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 200))]);
    assert.equal(answered, false, 'no Runtime.NodeJsExit or other answer: the init sees the runtime exit');
  });

  it('prints "-" as the request id outside invocations, as aws-lambda-ric 4.x does', async () => {
    const { runtime } = await on24('logs-at-init.handler');
    const line = await runtime.waitForLine((l) => l.endsWith('loading module'));
    assert.deepEqual(line.split('\t').slice(1), ['-', 'INFO', 'loading module']);
  });

  it('runs Managed Instances mode on its worker threads too', async () => {
    session = await startSession('concurrent.gated', { AWS_LAMBDA_MAX_CONCURRENCY: '2', AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' }, undefined, node24);
    const gate = await new Gate().start();
    try {
      await session.api.waitForWaiting(2);
      const replies = [0, 1].map((n) => session!.api.invoke({ n, gate: gate.url }, { requestId: `mi-${n}` }));
      await gate.reachedBy(2);
      gate.open();
      const seen = (await Promise.all(replies)).map((posted) => json(posted.body) as { storeRequestId: string; threadId: number });
      assert.deepEqual(seen.map((s) => s.storeRequestId), ['mi-0', 'mi-1']);
      assert.notEqual(seen[0].threadId, seen[1].threadId);
    } finally {
      await gate.stop();
    }
  });

  it('keeps the async handlers, errors and streaming of earlier runtimes', async () => {
    const { api } = await on24('index.throws');
    const error = json((await api.invoke({})).body) as RapidError;
    assert.deepEqual([error.errorType, error.errorMessage], ['CustomError', 'custom failure']);
    await session!.close();
    const streamed = await (await on24('streaming.piped')).api.invoke({});
    assert.equal(streamed.body.toString(), 'abc');
  });
});
