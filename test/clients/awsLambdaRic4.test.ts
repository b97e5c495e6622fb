import * as assert from 'node:assert/strict';
import { CALLBACK_REMOVED_NODEJS24 } from '../../src/runtimes/nodejs/callbackDeprecation';
import { readStreamedReply } from '../helpers/streamedReply';
import { startFunction } from './helpers/functionSandbox';
import { prepareRic4 } from './helpers/ric4';
import { Gate } from '../integration/nodejs/helpers/gate';


type Started = Awaited<ReturnType<typeof startFunction>>;

/**
 * AWS's own Node.js runtime interface client, version 4 (what nodejs24.x and Managed Instances run), on a real
 * Node.js 24 against our Runtime API: `node <ric>/index.mjs` as the init's command line, the handler in _HANDLER.
 */
describe('client suite: aws-lambda-ric 4.x on Node.js 24 as the runtime', function () {
  // The first run builds the native client (minutes); later runs take it from the temporary directory.
  this.timeout(25 * 60_000);
  let command: string[];
  const started: Started[] = [];

  before(function () {
    const ric = prepareRic4();
    if ('skipped' in ric) {
      console.log(`      SKIPPED: ${ric.skipped}`);
      this.skip();
    }
    command = [ric.node, ric.entry];
  });
  after(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  async function start(handler: string, env: Record<string, string> = {}): Promise<Started> {
    const sandbox = await startFunction(handler, { args: command, env });
    started.push(sandbox);
    return sandbox;
  }

  describe('one invocation at a time', function () {
    this.timeout(60_000);
    let buffered: Started;
    before(async () => {
      buffered = await start('clients.handler');
    });

    it('gets an invocation and posts its response', async () => {
      const res = await buffered.sandbox.invoke({ n: 7 });
      assert.equal(res.status, 200, res.body.toString());
      assert.equal(res.headers['x-amz-function-error'], undefined);
      assert.deepEqual(res.json(), { echo: { n: 7 } });
    });

    it('receives the context headers (request id, client context)', async () => {
      const clientContext = Buffer.from(JSON.stringify({ custom: { via: 'ric4' } })).toString('base64');
      const res = await buffered.sandbox.invoke({ action: 'context' }, { 'X-Amz-Client-Context': clientContext });
      const result = res.json() as { clientContext: unknown; requestId: string };
      assert.deepEqual(result.clientContext, { custom: { via: 'ric4' } });
      assert.equal(result.requestId, res.headers['x-amzn-requestid']);
    });

    it('posts a function error that reaches the caller, and carries on', async () => {
      const res = await buffered.sandbox.invoke({ action: 'fail', message: 'ric4 failure' });
      assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
      const error = res.json() as { errorType: string; errorMessage: string; trace: string[] };
      assert.deepEqual([error.errorType, error.errorMessage], ['CustomError', 'ric4 failure']);
      assert.deepEqual((await buffered.sandbox.invoke({ n: 8 })).json(), { echo: { n: 8 } });
    });

    it('streams a response', async () => {
      const streaming = await start('streaming.piped');
      const res = await streaming.sandbox.invoke({}, {}, '/2021-11-15/functions/client-suite-fn/response-streaming-invocations');
      assert.equal(res.status, 200);
      const { chunks, complete } = readStreamedReply(res.body);
      assert.equal(chunks.join(''), 'abc');
      assert.deepEqual(complete, {});
    });

    it('refuses a callback handler with the same error type and message as our built-in runtime on Node.js 24', async () => {
      const callback = await start('index.callbackWaits');
      const res = await callback.sandbox.invoke({});
      const error = res.json() as { errorType: string; errorMessage: string };
      assert.deepEqual([error.errorType, error.errorMessage], ['Runtime.CallbackHandlerDeprecated', CALLBACK_REMOVED_NODEJS24]);
    });
  });

  describe('Managed Instances mode (AWS_LAMBDA_MAX_CONCURRENCY)', function () {
    this.timeout(60_000);
    let gate: Gate | undefined;
    after(async () => {
      await gate?.stop();
    });

    it('serves concurrent invocations on its worker threads, each answered on its own request id', async () => {
      const concurrent = await start('concurrent.gated', { AWS_LAMBDA_MAX_CONCURRENCY: '4', AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' });
      gate = await new Gate().start();
      const replies = [0, 1, 2, 3].map((n) => concurrent.sandbox.invoke({ n, gate: gate!.url }));
      await gate.reachedBy(4);
      assert.equal(gate.waiting, 4, 'four invocations run at the same time in one environment');
      gate.open();
      const seen = await Promise.all(replies);
      for (const [n, res] of seen.entries()) {
        const result = res.json() as { n: number; awsRequestId: string; storeRequestId: string };
        assert.equal(result.n, n);
        assert.equal(result.awsRequestId, res.headers['x-amzn-requestid']);
        assert.equal(result.storeRequestId, result.awsRequestId, 'awslambda.InvokeStore keeps each invocation apart');
      }
      // Which of its worker threads takes which invocation is AWS's client's business (it varies from run to run).
    });
  });
});
