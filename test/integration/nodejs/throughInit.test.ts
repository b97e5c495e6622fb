import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { RunningInit } from '../../helpers/runningInit';
import { readStreamedReply } from '../../helpers/streamedReply';
import { TempDir } from '../../helpers/zipFiles';
import { writeFunctionZips } from './helpers/functionZips';

/**
 * The built-in runtime started by the real init: the init unpacks a function zip and a layer zip, finds no bootstrap,
 * and runs `_HANDLER` with the Node.js runtime.
 */
describe('nodejs runtime through the init', function () {
  let temp: TempDir;
  let zips: { functionZip: string; layerZip: string };
  let sandbox: RunningInit | undefined;

  before(async () => {
    temp = new TempDir();
    zips = await writeFunctionZips(temp);
  });
  after(() => temp.cleanup());
  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  function start(handler: string, env: Record<string, string> = {}): Promise<RunningInit> {
    return RunningInit.start({
      env: {
        _HANDLER: handler,
        LAMBDA_SANDBOX_FUNCTION_ZIP: zips.functionZip,
        LAMBDA_SANDBOX_LAYERS: zips.layerZip,
        AWS_LAMBDA_FUNCTION_NAME: 'node-fn',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
        AWS_LAMBDA_FUNCTION_TIMEOUT: '7',
        ...env,
      },
    });
  }

  it('runs an async handler and fills the context from the invoke', async () => {
    sandbox = await start('index.context');
    const trace = 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1';
    const clientContext = Buffer.from(JSON.stringify({ custom: { user: 'u1' } })).toString('base64');
    const res = await sandbox.invoke({}, { 'X-Amzn-Trace-Id': trace, 'X-Amz-Client-Context': clientContext });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-amz-function-error'], undefined);
    const context = res.json() as Record<string, unknown>;
    assert.equal(context.awsRequestId, res.headers['x-amzn-requestid']);
    assert.equal(context.functionName, 'node-fn');
    assert.equal(context.memoryLimitInMB, '512');
    assert.equal(context.functionVersion, '$LATEST');
    assert.equal(context.invokedFunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:node-fn');
    assert.equal(context.logGroupName, '/aws/lambda/node-fn');
    assert.deepEqual(context.clientContext, { custom: { user: 'u1' } });
    assert.equal(context.traceId, trace);
    assert.equal(context.executionEnv, `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`);
    const remaining = context.remaining as number;
    assert.ok(remaining > 0 && remaining <= 7000, `remaining ${remaining} ms of a 7 s timeout`);
  });

  it('returns a handler error with X-Amz-Function-Error and Lambda\'s error JSON', async () => {
    sandbox = await start('index.throws');
    const res = await sandbox.invoke({});
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
    const error = res.json() as { errorType: string; errorMessage: string; trace: string[] };
    assert.deepEqual(Object.keys(error), ['errorType', 'errorMessage', 'trace']);
    assert.deepEqual([error.errorType, error.errorMessage, error.trace[0]], ['CustomError', 'custom failure', 'CustomError: custom failure']);
    assert.equal((await sandbox.invoke({})).headers['x-amz-function-error'], 'Unhandled', 'and keeps serving');
  });

  it('reports an unhandled rejection, and the next invoke runs in a fresh runtime', async () => {
    sandbox = await start('index.unhandledRejection');
    const res = await sandbox.invoke({});
    assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
    const error = res.json() as { errorType: string; errorMessage: string };
    assert.deepEqual([error.errorType, error.errorMessage], ['Runtime.UnhandledPromiseRejection', 'Error: nobody catches me']);
    const again = await sandbox.invoke({});
    assert.equal((again.json() as { errorType: string }).errorType, 'Runtime.UnhandledPromiseRejection');
  });

  it('reports an init error (Runtime.ImportModuleError) to the caller', async () => {
    sandbox = await start('missing-module.handler');
    const res = await sandbox.invoke({});
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
    const error = res.json() as { errorType: string; errorMessage: string };
    assert.equal(error.errorType, 'Runtime.ImportModuleError');
    assert.match(error.errorMessage, /^Error: Cannot find module 'missing-module'/);
    await sandbox.waitForOutput(/INIT_REPORT .*Error Type: Runtime\.ImportModuleError/);
  });

  it('resolves a layer package through NODE_PATH', async () => {
    sandbox = await start('layer-user/index.handler');
    const res = await sandbox.invoke({ name: 'grace' });
    assert.deepEqual(res.json(), {
      greeting: 'hello grace from a layer',
      resolved: path.join(sandbox.dirs.opt, 'nodejs', 'node_modules', 'layer-greeting', 'index.js'),
    });
  });

  it('loads an ES module package with top-level await', async () => {
    sandbox = await start('typemodule/app.handler');
    assert.deepEqual((await sandbox.invoke(1)).json(), { format: 'type-module-js', loadedAt: 'tla', isEsm: true, event: 1 });
  });

  it('prints function output between START and END in Lambda\'s text format, and in the log tail', async () => {
    const init = (sandbox = await start('index.logs'));
    const res = await init.invoke({}, { 'X-Amz-Log-Type': 'Tail' });
    const requestId = String(res.headers['x-amzn-requestid']);
    const tail = Buffer.from(String(res.headers['x-amz-log-result']), 'base64').toString('utf8');
    assert.match(tail, new RegExp(`\\t${requestId}\\tINFO\\tlog line 1\\n`));
    assert.match(tail, new RegExp(`\\t${requestId}\\tINFO\\tmulti\\rline\\n`));
    await init.waitForOutput(`END RequestId: ${requestId}`);
    const out = init.stdout;
    const startAt = out.indexOf(`START RequestId: ${requestId}`);
    const lineAt = out.indexOf(`\t${requestId}\tFATAL\tfatal!`);
    assert.ok(startAt >= 0 && lineAt > startAt && out.indexOf(`END RequestId: ${requestId}`) > lineAt, out);
  });

  it('prints JSON log lines with AWS_LAMBDA_LOG_FORMAT=JSON and filters with AWS_LAMBDA_LOG_LEVEL', async () => {
    sandbox = await start('index.logs', { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'ERROR' });
    const res = await sandbox.invoke({});
    const requestId = String(res.headers['x-amzn-requestid']);
    await sandbox.waitForOutput('"message":"fatal!"');
    const records = sandbox.stdout
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes(`"requestId":"${requestId}"`))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => typeof record.level === 'string');
    assert.deepEqual(records.map((r) => r.level), ['ERROR', 'FATAL']);
    assert.equal(records[0].errorMessage, 'logged error');
  });

  it('streams a response through response-streaming-invocations', async () => {
    sandbox = await start('streaming.piped');
    const res = await sandbox.invoke({}, {}, '/2021-11-15/functions/node-fn/response-streaming-invocations');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.amazon.eventstream');
    const { chunks, complete } = readStreamedReply(res.body);
    assert.equal(chunks.join(''), 'abc');
    assert.deepEqual(complete, {});
  });

  it('ends a failed stream with InvokeComplete carrying the error', async () => {
    sandbox = await start('streaming.failsMidStream');
    const res = await sandbox.invoke({}, {}, '/2021-11-15/functions/node-fn/response-streaming-invocations');
    const { chunks, complete } = readStreamedReply(res.body);
    assert.equal(chunks.join(''), 'partial');
    assert.equal(complete.ErrorCode, 'Error');
    assert.match(String(complete.ErrorDetails), /broke mid-stream/);
  });
});
