import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from '../helpers/wait';
import { FIXTURES } from '../helpers/paths';
import { request, RunningInit } from '../helpers/runningInit';

const SCRIPTED = path.join(FIXTURES, 'runtimes', 'scripted', 'bootstrap');
const RECORDER = path.join(FIXTURES, 'extensions', 'recorder');
const NOT_EXECUTABLE = path.join(FIXTURES, 'runtimes', 'not-executable', 'bootstrap');

interface Entry {
  at: number;
  kind: string;
  status?: number;
  event?: Record<string, unknown>;
  body?: Record<string, unknown>;
  env?: Record<string, string>;
  requestId?: string;
  pid?: number;
}

async function entries(dir: string, name: string): Promise<Entry[]> {
  const text = await fs.readFile(path.join(dir, `${name}.log`), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
}


describe('Extensions API', function () {
  this.timeout(30_000);
  let logDir: string;
  beforeEach(async () => {
    logDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lambda-sandbox-ext-'));
  });
  afterEach(async () => {
    await fs.rm(logDir, { recursive: true, force: true });
  });

  it('starts the runtime only after every extension registered, and sends exact INVOKE and SHUTDOWN events', async () => {
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED },
      optFiles: { 'extensions/alpha': RECORDER, 'extensions/beta': RECORDER },
      env: { EXT_LOG: logDir, EXT_BETA_BEHAVIOUR: 'slow-register', EXT_BETA_DELAY_MS: '300', _HANDLER: 'index.handler', AWS_LAMBDA_FUNCTION_NAME: 'ext-fn' },
    });
    const betaRegistered = sandbox.stdout.indexOf('[beta] registered');
    assert.ok(betaRegistered >= 0 && betaRegistered < sandbox.stdout.indexOf('init mode ok'), sandbox.stdout);

    const [alphaReg] = await entries(logDir, 'alpha');
    assert.equal(alphaReg.status, 200);
    assert.deepEqual(alphaReg.body, { functionName: 'ext-fn', functionVersion: '$LATEST', handler: 'index.handler', accountId: '123456789012' });
    const env = alphaReg.env ?? {};
    for (const hidden of ['_HANDLER', 'LAMBDA_TASK_ROOT', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_XRAY_DAEMON_ADDRESS', 'AWS_EXECUTION_ENV']) {
      assert.equal(env[hidden], undefined, `${hidden} is not given to extensions`);
    }
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'ext-fn');
    assert.equal(env.AWS_LAMBDA_RUNTIME_API, `127.0.0.1:${sandbox.apiPort}`);

    const trace = 'Root=1-5f35ae12-0c0fec141ab77a00bc047aa2;Parent=2be948a625588e32;Sampled=1';
    const res = await sandbox.invoke({ action: 'headers' }, { 'X-Amzn-Trace-Id': trace });
    const headers = (res.json() as { headers: Record<string, string> }).headers;
    const invoke = await waitFor('INVOKE', async () => (await entries(logDir, 'alpha')).find((e) => e.event?.eventType === 'INVOKE'));
    assert.deepEqual(invoke.event, {
      eventType: 'INVOKE',
      deadlineMs: Number(headers['lambda-runtime-deadline-ms']),
      requestId: headers['lambda-runtime-aws-request-id'],
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ext-fn',
      tracing: { type: 'X-Amzn-Trace-Id', value: trace },
    });
    assert.equal((invoke as { contentType?: string }).contentType, 'application/json');

    const before = Date.now();
    sandbox.child.kill('SIGTERM');
    assert.deepEqual(await sandbox.exited, { code: 0, signal: null });
    for (const name of ['alpha', 'beta']) {
      const shutdown = (await entries(logDir, name)).find((e) => e.event?.eventType === 'SHUTDOWN');
      assert.ok(shutdown, `${name} got SHUTDOWN`);
      assert.deepEqual(Object.keys(shutdown.event ?? {}), ['eventType', 'shutdownReason', 'deadlineMs']);
      assert.equal(shutdown.event?.shutdownReason, 'spindown');
      const deadline = Number(shutdown.event?.deadlineMs);
      assert.ok(deadline > before && deadline <= Date.now() + 2000, `deadline ${deadline - before} ms after SIGTERM`);
    }
    assert.match(sandbox.stdout, /\[alpha\] shutting down: spindown/);
    await sandbox.stop();
  });

  it('answers the caller before a slow extension finishes, and holds the next invoke until it has', async () => {
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED },
      optFiles: { 'extensions/slowpoke': RECORDER },
      env: { EXT_LOG: logDir, EXT_SLOWPOKE_DELAY_MS: '400', EXT_SLOWPOKE_EVENTS: 'INVOKE' },
    });
    try {
      const first = await sandbox.invoke({ n: 1 });
      const answeredAt = Date.now();
      const firstId = String(first.headers['x-amzn-requestid']);
      const second = await sandbox.invoke({ n: 2 });
      const secondId = String(second.headers['x-amzn-requestid']);
      const firstDone = await waitFor('first done', async () => (await entries(logDir, 'slowpoke')).find((e) => e.kind === 'done' && e.requestId === firstId));
      const secondInvoke = await waitFor('second INVOKE', async () => (await entries(logDir, 'slowpoke')).find((e) => e.event?.requestId === secondId));
      assert.ok(answeredAt < firstDone.at, 'the caller had its answer before the extension finished');
      assert.ok(secondInvoke.at >= firstDone.at, 'the next invoke waited for the extension');
      await sandbox.waitForOutput(`REPORT RequestId: ${firstId}`);
      const report = sandbox.stdout.split('\n').find((l) => l.startsWith(`REPORT RequestId: ${firstId}`)) ?? '';
      assert.ok(Number(/Duration: (\d+\.\d+) ms/.exec(report)?.[1]) >= 400, `Duration covers the extension's work: ${report}`);
    } finally {
      await sandbox.stop();
    }
  });

  it('answers every Extensions API error with Lambda\'s type and message', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, optFiles: { 'extensions/alpha': RECORDER }, env: { EXT_LOG: logDir } });
    try {
      const api = (method: string, p: string, body?: string, headers: Record<string, string> = {}) =>
        request(sandbox.apiPort, method, `/2020-01-01/extension${p}`, body, headers);
      const check = async (call: Promise<{ status: number; json(): unknown }>, errorType: string, errorMessage: string) => {
        const res = await call;
        assert.equal(res.status, 403, errorType);
        assert.deepEqual(res.json(), { errorMessage, errorType });
      };
      await check(api('POST', '/register', '{}'), 'Extension.InvalidExtensionName', 'Empty extension name');
      await check(api('POST', '/register', '{"events":["INVOKE","RESTORE"]}', { 'Lambda-Extension-Name': 'x' }), 'Extension.InvalidEventType', 'RESTORE: ErrorInvalidEventType');
      await check(api('POST', '/register', '{"configurationKeys":["a"]}', { 'Lambda-Extension-Name': 'x' }), 'InvalidRequestFormat', 'configurationKeys are deprecated; use environment variables instead');
      await check(api('POST', '/register', '{"events":["INVOKE"]}', { 'Lambda-Extension-Name': 'late' }), 'Extension.RegistrationClosed', 'Extension registration closed already');
      await check(api('GET', '/event/next'), 'Extension.MissingExtensionIdentifier', 'Missing Lambda-Extension-Identifier header');
      await check(api('GET', '/event/next', undefined, { 'Lambda-Extension-Identifier': 'nope' }), 'Extension.InvalidExtensionIdentifier', 'Invalid Lambda-Extension-Identifier');
      const unknown = '3da1f2dc-3222-475e-9205-e2e6c6318895';
      await check(api('GET', '/event/next', undefined, { 'Lambda-Extension-Identifier': unknown }), 'Extension.UnknownExtensionIdentifier', `Unknown extension ${unknown}`);
      await check(api('POST', '/init/error', '{}', { 'Lambda-Extension-Identifier': unknown }), 'Extension.UnknownExtensionIdentifier', `Unknown extension ${unknown}`);
    } finally {
      await sandbox.stop();
    }
  });

  it('lets the runtime register an internal extension (INVOKE only) that gets INVOKE events', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, env: { FIXTURE_INTERNAL_EXTENSION: 'apm-agent' } });
    try {
      assert.match(sandbox.stdout, /internal SHUTDOWN registration: 403 \{"errorMessage":"SHUTDOWN: ShutdownEventNotSupportedForInternalExtension","errorType":"Extension.InvalidEventType"\}/);
      const res = await sandbox.invoke({});
      await sandbox.waitForOutput(`internal apm-agent got INVOKE ${String(res.headers['x-amzn-requestid'])}`);
    } finally {
      await sandbox.stop();
    }
  });

  for (const [what, files, env, errorType] of [
    ['an extension that crashes before registering', { 'extensions/alpha': RECORDER }, { EXT_ALPHA_BEHAVIOUR: 'crash-before-register' }, 'Extension.Crash'],
    ['an extension that reports an init error', { 'extensions/alpha': RECORDER }, { EXT_ALPHA_BEHAVIOUR: 'init-error' }, 'Extension.InitError'],
    ['an extension file that is not executable', { 'extensions/alpha': NOT_EXECUTABLE }, {}, 'Extension.LaunchError'],
  ] as const) {
    it(`fails init (and the suppressed init) for ${what} with ${errorType}`, async () => {
      const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, optFiles: files, env: { EXT_LOG: logDir, ...env } });
      try {
        await sandbox.waitForOutput('INIT_REPORT');
        assert.match(sandbox.stdout, new RegExp(`^INIT_REPORT Init Duration: \\d+\\.\\d\\d ms\\tPhase: init\\tStatus: error\\tError Type: ${errorType.replace('.', '\\.')}$`, 'm'));
        assert.ok(!sandbox.stdout.includes('init mode ok'), 'the runtime was never started');
        const res = await sandbox.invoke({});
        assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
        const body = res.json() as { errorType: string; errorMessage: string };
        assert.equal(body.errorType, errorType);
        assert.ok(body.errorMessage.startsWith(`RequestId: ${String(res.headers['x-amzn-requestid'])} Error: `), body.errorMessage);
      } finally {
        await sandbox.stop();
      }
    });
  }

  it('sends SHUTDOWN with reason timeout when an invoke times out, then re-initialises', async () => {
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED }, optFiles: { 'extensions/alpha': RECORDER }, env: { EXT_LOG: logDir, AWS_LAMBDA_FUNCTION_TIMEOUT: '1' },
    });
    try {
      const res = await sandbox.invoke({ action: 'sleep', ms: 3000 });
      assert.equal((res.json() as { errorType: string }).errorType, 'Sandbox.Timedout');
      const shutdown = await waitFor('SHUTDOWN', async () => (await entries(logDir, 'alpha')).find((e) => e.event?.eventType === 'SHUTDOWN'));
      assert.equal(shutdown.event?.shutdownReason, 'timeout');
      const again = await sandbox.invoke({ again: true });
      assert.deepEqual(again.json(), { again: true });
      assert.equal((await entries(logDir, 'alpha')).filter((e) => e.kind === 'registered').length, 2, 'the extension was started again');
    } finally {
      await sandbox.stop();
    }
  });

  it('kills an extension that ignores SHUTDOWN at the 2,000 ms deadline', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, optFiles: { 'extensions/stubborn': RECORDER }, env: { EXT_LOG: logDir, EXT_STUBBORN_BEHAVIOUR: 'ignore-shutdown' } });
    const extensionPid = await waitFor('pid', async () => (await entries(logDir, 'stubborn')).find((e) => e.kind === 'registered')?.pid);
    const before = Date.now();
    sandbox.child.kill('SIGTERM');
    assert.deepEqual(await sandbox.exited, { code: 0, signal: null });
    const took = Date.now() - before;
    assert.ok(took >= 1500, `waited for the deadline (${took} ms)`);
    assert.match(sandbox.stderr, /extension stubborn did not exit before the shutdown deadline; killing it/);
    assert.throws(() => process.kill(extensionPid, 0), /ESRCH/, 'the extension is gone');
    await sandbox.stop();
  });

  it('counts extension post-processing against the function timeout', async () => {
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED },
      optFiles: { 'extensions/laggard': RECORDER },
      env: { EXT_LOG: logDir, EXT_LAGGARD_DELAY_MS: '3000', EXT_LAGGARD_EVENTS: 'INVOKE,SHUTDOWN', AWS_LAMBDA_FUNCTION_TIMEOUT: '1' },
    });
    try {
      const res = await sandbox.invoke({ fast: true });
      assert.deepEqual(res.json(), { fast: true }, 'the caller has the response the runtime gave');
      const id = String(res.headers['x-amzn-requestid']);
      await sandbox.waitForOutput(`REPORT RequestId: ${id}`);
      const report = sandbox.stdout.split('\n').find((l) => l.startsWith(`REPORT RequestId: ${id}`)) ?? '';
      assert.match(report, /\tStatus: timeout$/);
      // The reset stops the sandbox; the extension, still busy, is killed at the deadline and started again.
      const again = await sandbox.invoke({ again: true });
      assert.deepEqual(again.json(), { again: true });
      assert.equal((await entries(logDir, 'laggard')).filter((e) => e.kind === 'registered').length, 2);
    } finally {
      await sandbox.stop();
    }
  });

  it('spins an idle sandbox down with SHUTDOWN spindown, and cold-starts on the next invoke', async () => {
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED },
      optFiles: { 'extensions/alpha': RECORDER },
      env: { EXT_LOG: logDir, LAMBDA_SANDBOX_IDLE_SHUTDOWN_MS: '300' },
    });
    try {
      await sandbox.invoke({ first: true });
      const shutdown = await waitFor('SHUTDOWN', async () => (await entries(logDir, 'alpha')).find((e) => e.event?.eventType === 'SHUTDOWN'));
      assert.equal(shutdown.event?.shutdownReason, 'spindown');
      const res = await sandbox.invoke({ second: true });
      assert.deepEqual(res.json(), { second: true });
      const id = String(res.headers['x-amzn-requestid']);
      await sandbox.waitForOutput(`REPORT RequestId: ${id}`);
      assert.equal(sandbox.stdout.split('\n').filter((l) => l.startsWith('INIT_START')).length, 2, 'a cold start again');
      const report = sandbox.stdout.split('\n').find((l) => l.startsWith(`REPORT RequestId: ${id}`)) ?? '';
      assert.match(report, /\tInit Duration: \d+\.\d\d ms\t$/);
    } finally {
      await sandbox.stop();
    }
  });
});
