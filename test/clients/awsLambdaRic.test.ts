import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readStreamedReply } from '../helpers/streamedReply';
import { startFunction } from './helpers/functionSandbox';

type Started = Awaited<ReturnType<typeof startFunction>>;

/**
 * AWS's own Node.js runtime interface client as the runtime, against our Runtime API: `node <ric>/bin/index.mjs
 * <handler>` is given to the init as its command line (RIE style).
 */
function ricCommand(handler: string): string[] {
  let packageJson: string;
  try {
    packageJson = require.resolve('aws-lambda-ric/package.json');
  } catch (error) {
    throw new Error(`aws-lambda-ric is not installed, so this client suite cannot run (npm ci installs it): ${(error as Error).message}`);
  }
  const root = path.dirname(packageJson);
  const nativeClient = path.join(root, 'dist', 'rapid-client.node');
  if (!fs.existsSync(nativeClient)) {
    throw new Error(
      `aws-lambda-ric is installed but its native client ${nativeClient} was not built: its install script needs ` +
        '"allowScripts": {"aws-lambda-ric": true} in package.json and autoconf, automake, libtool, cmake, make and g++ ' +
        '(then run npm rebuild aws-lambda-ric)',
    );
  }
  return [process.execPath, path.join(root, 'bin', 'index.mjs'), handler];
}

describe('client suite: aws-lambda-ric as the runtime', function () {
  let buffered: Started;
  let streaming: Started;

  before(async () => {
    const commands = [ricCommand('clients.handler'), ricCommand('streaming.piped')];
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
