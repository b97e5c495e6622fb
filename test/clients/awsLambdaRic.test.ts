import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { readStreamedReply } from '../helpers/streamedReply';
import { clientPackage } from './helpers/clientPackages';
import { startFunction } from './helpers/functionSandbox';

type Started = Awaited<ReturnType<typeof startFunction>>;

/**
 * AWS's own Node.js runtime interface client (3.x, the client suites' package `aws-lambda-ric-3`) as the runtime,
 * against our Runtime API: `node <ric>/bin/index.mjs <handler>` is given to the init as its command line (RIE style).
 */
async function ricCommand(handler: string): Promise<string[]> {
  const root = await clientPackage('aws-lambda-ric-3', path.join('dist', 'rapid-client.node'));
  return [process.execPath, path.join(root, 'bin', 'index.mjs'), handler];
}

describe('client suite: aws-lambda-ric as the runtime', function () {
  let buffered: Started;
  let streaming: Started;

  before(async function () {
    this.timeout(15 * 60_000); // the first run installs (compiles) aws-lambda-ric
    const commands = await Promise.all([ricCommand('clients.handler'), ricCommand('streaming.piped')]);
    [buffered, streaming] = await Promise.all(commands.map((args) => startFunction(undefined, { args })));
  });
  after(async () => {
    await Promise.all([buffered, streaming].map((started) => started?.stop()));
  });

  it('gets an invocation and posts its response', async () => {
    const res = await buffered.sandbox.invoke({ n: 7 });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-amz-function-error'], undefined);
    assert.deepEqual(res.json(), { echo: { n: 7 } });
  });

  it('receives the context headers (request id, client context)', async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { via: 'ric' } })).toString('base64');
    const res = await buffered.sandbox.invoke({ action: 'context' }, { 'X-Amz-Client-Context': clientContext });
    const result = res.json() as { clientContext: unknown; requestId: string };
    assert.deepEqual(result.clientContext, { custom: { via: 'ric' } });
    assert.equal(result.requestId, res.headers['x-amzn-requestid']);
  });

  it('posts a function error that reaches the caller', async () => {
    const res = await buffered.sandbox.invoke({ action: 'fail', message: 'ric failure' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
    const error = res.json() as { errorType: string; errorMessage: string; trace: string[] };
    assert.deepEqual([error.errorType, error.errorMessage], ['CustomError', 'ric failure']);
    assert.equal(error.trace[0], 'CustomError: ric failure');
    const again = await buffered.sandbox.invoke({ n: 8 });
    assert.deepEqual(again.json(), { echo: { n: 8 } }, 'and the runtime carries on');
  });

  it('streams a response', async () => {
    const res = await streaming.sandbox.invoke({}, {}, '/2021-11-15/functions/client-suite-fn/response-streaming-invocations');
    assert.equal(res.status, 200);
    const { chunks, complete } = readStreamedReply(res.body);
    assert.equal(chunks.join(''), 'abc');
    assert.deepEqual(complete, {});
  });
});
