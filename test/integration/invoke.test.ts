import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { FIXTURES } from '../helpers/paths';
import { request, RunningInit } from '../helpers/runningInit';

const SCRIPTED = path.join(FIXTURES, 'runtimes', 'scripted', 'bootstrap');
const SHELL_ECHO = path.join(FIXTURES, 'runtimes', 'shell-echo', 'bootstrap');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Invoke API with a custom runtime', function () {
  let sandbox: RunningInit;

  before(async () => {
    sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED },
      env: { AWS_LAMBDA_FUNCTION_NAME: 'my-function', AWS_REGION: 'eu-west-1', AWS_LAMBDA_FUNCTION_TIMEOUT: '5', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256', MY_SETTING: 'kept' },
    });
  });
  after(async () => {
    assert.deepEqual(await sandbox.stop(), { code: 0, signal: null });
  });

  it('delivers the event with every /next header and Lambda\'s environment', async () => {
    const context = Buffer.from(JSON.stringify({ custom: { k: 'v' } })).toString('base64');
    const trace = 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1';
    const before = Date.now();
    const res = await sandbox.invoke({ action: 'headers' }, { 'X-Amz-Client-Context': context, 'X-Amzn-Trace-Id': trace, 'X-Amz-Tenant-Id': 'tenant-7' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-amz-executed-version'], '$LATEST');
    assert.match(String(res.headers['x-amzn-requestid']), UUID);
    assert.equal(res.headers['x-amz-function-error'], undefined);
    const seen = res.json() as { headers: Record<string, string>; env: Record<string, string>; cwd: string };
    const h = seen.headers;
    assert.equal(h['lambda-runtime-aws-request-id'], res.headers['x-amzn-requestid']);
    const deadline = Number(h['lambda-runtime-deadline-ms']);
    assert.ok(deadline >= before + 5000 && deadline <= Date.now() + 5000, `deadline ${deadline}`);
    assert.equal(h['lambda-runtime-invoked-function-arn'], 'arn:aws:lambda:eu-west-1:123456789012:function:my-function');
    assert.equal(h['lambda-runtime-trace-id'], trace);
    assert.deepEqual(JSON.parse(h['lambda-runtime-client-context']), { custom: { k: 'v' } });
    assert.equal(h['lambda-runtime-aws-tenant-id'], 'tenant-7');
    assert.equal(h['content-type'], 'application/json');
    assert.equal(h['lambda-runtime-cognito-identity'], undefined);

    const env = seen.env;
    assert.equal(seen.cwd, sandbox.dirs.task);
    assert.equal(env.AWS_LAMBDA_RUNTIME_API, `127.0.0.1:${sandbox.apiPort}`);
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'my-function');
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
    assert.equal(env.AWS_REGION, 'eu-west-1');
    assert.equal(env.AWS_DEFAULT_REGION, 'eu-west-1');
    assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/my-function');
    assert.match(env.AWS_LAMBDA_LOG_STREAM_NAME, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.equal(env.AWS_LAMBDA_INITIALIZATION_TYPE, 'on-demand');
    assert.equal(env.LAMBDA_TASK_ROOT, sandbox.dirs.task);
    assert.equal(env.TZ, ':UTC');
    assert.equal(env.LANG, 'en_US.UTF-8');
    assert.equal(env.MY_SETTING, 'kept');
    assert.equal(env.AWS_EXECUTION_ENV, undefined, 'custom runtimes get no AWS_EXECUTION_ENV');
    assert.ok(env.PATH.startsWith(`/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:${sandbox.dirs.opt}/bin`), env.PATH);
    assert.ok(env.LD_LIBRARY_PATH.includes(`${sandbox.dirs.task}/lib`) && env.LD_LIBRARY_PATH.includes(`${sandbox.dirs.opt}/lib`));
    assert.ok(env.NODE_PATH.includes(`${sandbox.dirs.opt}/nodejs/node_modules`));
    assert.equal(env.LAMBDA_SANDBOX_API_ADDRESS, undefined, 'the init\'s own settings stay out of the function');
  });

  it('returns a function error with X-Amz-Function-Error and the runtime\'s body verbatim', async () => {
    const res = await sandbox.invoke({ action: 'error', type: 'InvalidEventDataException', message: 'Error parsing event data.' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
    assert.deepEqual(res.json(), { errorMessage: 'Error parsing event data.', errorType: 'InvalidEventDataException', stackTrace: ['at fixture'] });
  });

  it('answers on the AWS path with the function name, qualifiers and ARNs', async () => {
    for (const name of ['my-function', 'my-function:$LATEST', 'arn:aws:lambda:eu-west-1:123456789012:function:my-function', '123456789012:function:my-function']) {
      const res = await sandbox.invoke({ action: 'headers' }, {}, `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`);
      assert.equal(res.status, 200, name);
      const arn = (res.json() as { headers: Record<string, string> }).headers['lambda-runtime-invoked-function-arn'];
      assert.equal(arn, name.endsWith('$LATEST') ? 'arn:aws:lambda:eu-west-1:123456789012:function:my-function:$LATEST' : 'arn:aws:lambda:eu-west-1:123456789012:function:my-function');
    }
    const q = await sandbox.invoke({}, {}, '/2015-03-31/functions/my-function/invocations?Qualifier=%24LATEST');
    assert.equal(q.status, 200);
  });

  it('refuses an unknown function or version with ResourceNotFoundException', async () => {
    const res = await sandbox.invoke({}, {}, '/2015-03-31/functions/nope/invocations');
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-amzn-errortype'], 'ResourceNotFoundException');
    assert.equal((res.json() as { Message: string }).Message, 'Function not found: arn:aws:lambda:eu-west-1:123456789012:function:nope');
    const version = await sandbox.invoke({}, {}, '/2015-03-31/functions/my-function/invocations?Qualifier=7');
    assert.equal(version.status, 404);
    assert.equal((version.json() as { Message: string }).Message, 'Function not found: arn:aws:lambda:eu-west-1:123456789012:function:my-function:7');
  });

  it('returns the last 4 KB of the invocation\'s log with X-Amz-Log-Type: Tail', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(60)}`);
    const res = await sandbox.invoke({ action: 'log', lines }, { 'X-Amz-Log-Type': 'Tail' });
    assert.equal(res.status, 200);
    const tail = Buffer.from(String(res.headers['x-amz-log-result']), 'base64');
    assert.equal(tail.length, 4096);
    const text = tail.toString();
    const id = String(res.headers['x-amzn-requestid']);
    assert.match(text, new RegExp(`line 99 x+\\nEND RequestId: ${id}\\nREPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\t`));
    assert.ok(!text.includes('line 0 '), 'only the last 4 KB');
    const small = await sandbox.invoke({ action: 'log', lines: ['hello tail'] }, { 'X-Amz-Log-Type': 'Tail' });
    const smallText = Buffer.from(String(small.headers['x-amz-log-result']), 'base64').toString();
    assert.match(smallText, /^START RequestId: \S+ Version: \$LATEST\nhello tail\nEND RequestId: \S+\nREPORT RequestId: /);
    const none = await sandbox.invoke({}, {});
    assert.equal(none.headers['x-amz-log-result'], undefined);
  });

  it('runs Event invocations later with 202 and DryRun not at all with 204', async () => {
    const marker = `event-${Date.now()}`;
    const res = await sandbox.invoke({ action: 'log', lines: [marker] }, { 'X-Amz-Invocation-Type': 'Event' });
    assert.equal(res.status, 202);
    assert.equal(res.body.length, 0);
    await sandbox.waitForOutput(marker);
    const dry = await sandbox.invoke({ action: 'log', lines: ['dry-run-must-not-run'] }, { 'X-Amz-Invocation-Type': 'DryRun' });
    assert.equal(dry.status, 204);
    await sandbox.invoke({});
    assert.ok(!sandbox.stdout.includes('dry-run-must-not-run'));
    const bad = await sandbox.invoke({}, { 'X-Amz-Invocation-Type': 'Later' });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers['x-amzn-errortype'], 'InvalidParameterValueException');
  });

  it('refuses a request over 6 MB with 413 in AWS\'s shape', async () => {
    const big = Buffer.alloc(6_291_457, 0x20);
    const res = await sandbox.invoke(big);
    assert.equal(res.status, 413);
    assert.equal(res.headers['x-amzn-errortype'], 'RequestEntityTooLargeException');
    assert.equal((res.json() as { message: string }).message, 'Request must be smaller than 6291456 bytes for the InvokeFunction operation');
    const ok = await sandbox.invoke(Buffer.concat([Buffer.from('{"a":"'), Buffer.alloc(6_291_448, 0x61), Buffer.from('"}')]));
    assert.equal(ok.status, 200, 'exactly 6,291,456 bytes is allowed');
    assert.equal(ok.body.length, 6_291_456);
  });

  it('refuses invalid JSON and a bad client context', async () => {
    const res = await sandbox.invoke('{not json');
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-amzn-errortype'], 'InvalidRequestContentException');
    assert.match((res.json() as { message: string }).message, /^Could not parse request body into json: Could not parse payload into json: /);
    const ctx = await sandbox.invoke({}, { 'X-Amz-Client-Context': Buffer.from('[1,2]').toString('base64') });
    assert.equal(ctx.status, 400);
    assert.equal((ctx.json() as { message: string }).message, 'Client context must be a valid Base64-encoded JSON object.');
  });

  it('refuses a payload that is not valid UTF-8 instead of passing it on altered', async () => {
    const payload = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const res = await sandbox.invoke(payload);
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-amzn-errortype'], 'InvalidRequestContentException');
    assert.equal((res.json() as { message: string }).message,
      'Could not parse request body into json: Could not parse payload into json: Invalid UTF-8 middle byte 0x28 at offset 10');
    const lone = await sandbox.invoke(Buffer.from([0x22, 0xff, 0x22]));
    assert.match((lone.json() as { message: string }).message, /Invalid UTF-8 start byte 0xff at offset 1$/);
    const fine = await sandbox.invoke(Buffer.from('{"name":"café ✓ 𝄞"}'));
    assert.deepEqual(fine.json(), { name: 'café ✓ 𝄞' });
  });

  it('answers 20 concurrent invokes, each with its own result', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => sandbox.invoke({ n: i })));
    results.forEach((res, i) => {
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { n: i });
    });
    assert.equal(new Set(results.map((r) => r.headers['x-amzn-requestid'])).size, 20);
  });

  it('answers unknown paths and methods in AWS\'s shape, and /healthz', async () => {
    const unknown = await request(sandbox.invokePort, 'GET', '/nothing-here');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers['x-amzn-errortype'], 'UnknownOperationException');
    const method = await request(sandbox.invokePort, 'GET', '/2015-03-31/functions/function/invocations');
    assert.equal(method.status, 405);
    const health = await request(sandbox.invokePort, 'GET', '/healthz');
    assert.equal(health.status, 200);
    const status = health.json() as { status: string; busy: boolean; queued: number };
    assert.equal(status.status, 'ready');
    assert.equal(typeof status.busy, 'boolean');
    assert.equal(status.queued, 0);
  });
});

describe('Invoke API limits', function () {
  it('queues invokes up to LAMBDA_SANDBOX_MAX_QUEUE and refuses the rest with 429', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, env: { LAMBDA_SANDBOX_MAX_QUEUE: '2' } });
    try {
      const running = sandbox.invoke({ action: 'sleep', ms: 400 });
      await new Promise((r) => setTimeout(r, 100));
      const queued = [sandbox.invoke({ q: 1 }), sandbox.invoke({ q: 2 })];
      await new Promise((r) => setTimeout(r, 100));
      const refused = await sandbox.invoke({ q: 3 });
      assert.equal(refused.status, 429);
      assert.equal(refused.headers['x-amzn-errortype'], 'TooManyRequestsException');
      assert.equal(refused.headers['retry-after'], '1');
      assert.deepEqual(refused.json(), { Type: 'User', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', message: 'Rate Exceeded.', Message: 'Rate Exceeded.' });
      assert.deepEqual((await running).json(), { slept: 400 });
      assert.deepEqual((await Promise.all(queued)).map((r) => r.json()), [{ q: 1 }, { q: 2 }]);
    } finally {
      await sandbox.stop();
    }
  });

  it('runs the shell runtime from the Lambda tutorial (curl against the Runtime API)', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SHELL_ECHO } });
    try {
      const res = await sandbox.invoke({ from: 'shell' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { from: 'shell' });
      await sandbox.waitForOutput(`shell runtime got ${String(res.headers['x-amzn-requestid'])}`);
    } finally {
      await sandbox.stop();
    }
  });
});
