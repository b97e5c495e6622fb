import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { FIXTURES } from '../helpers/paths';
import { RunningInit } from '../helpers/runningInit';

const SCRIPTED = path.join(FIXTURES, 'runtimes', 'scripted', 'bootstrap');
const REPORT = /REPORT RequestId: (\S+)\tDuration: (\d+\.\d\d) ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB\t(.*)/;

function reportFor(stdout: string, requestId: string): RegExpExecArray {
  const line = stdout.split('\n').find((l) => l.startsWith(`REPORT RequestId: ${requestId}\t`));
  assert.ok(line, `no REPORT for ${requestId} in:\n${stdout}`);
  const match = REPORT.exec(line);
  assert.ok(match, `REPORT line has the wrong shape: ${JSON.stringify(line)}`);
  return match;
}

describe('Lifecycle', function () {
  this.timeout(30_000);

  it('prints INIT_START, START, END and REPORT exactly, with Init Duration on the cold invoke only', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, env: { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512' } });
    try {
      const cold = await sandbox.invoke({ action: 'log', lines: ['from the function'] });
      const warm = await sandbox.invoke({});
      const [coldId, warmId] = [cold.headers['x-amzn-requestid'], warm.headers['x-amzn-requestid']].map(String);
      await sandbox.waitForOutput(`REPORT RequestId: ${warmId}`);
      const lines = sandbox.stdout.split('\n');
      assert.equal(lines[0], 'INIT_START Runtime Version: provided:emulated\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:emulated');
      const start = lines.indexOf(`START RequestId: ${coldId} Version: $LATEST`);
      assert.ok(start > 0, sandbox.stdout);
      assert.deepEqual(lines.slice(start + 1, start + 3), ['from the function', `END RequestId: ${coldId}`]);
      assert.ok(lines[start + 3].startsWith(`REPORT RequestId: ${coldId}\t`));

      const c = reportFor(sandbox.stdout, coldId);
      assert.equal(c[4], '512');
      assert.match(c[6], /^Init Duration: (\d+\.\d\d) ms\t$/);
      const init = Number(/Init Duration: (\d+\.\d\d)/.exec(c[6])?.[1]);
      // Billed = ceil(Duration + Init Duration) on the unrounded values; the printed ones are rounded to 0.01 ms.
      const sum = Number(c[2]) + init;
      assert.ok(Number(c[3]) >= sum - 0.01 && Number(c[3]) < sum + 1.01, `cold billed duration includes init (2025 rule): ${c[0]}`);
      const w = reportFor(sandbox.stdout, warmId);
      assert.equal(w[6], '', 'no Init Duration and no status on a warm success');
      assert.ok(Number(w[3]) >= Number(w[2]) - 0.005 && Number(w[3]) < Number(w[2]) + 1.005, w[0]);
      assert.ok(Number(w[5]) > 0, 'Max Memory Used is measured');
      assert.ok(!sandbox.stdout.includes('INIT_REPORT'), 'INIT_REPORT only when init fails');
    } finally {
      await sandbox.stop();
    }
  });

  it('times out with Sandbox.Timedout, resets, and re-initialises on the next invoke', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, env: { AWS_LAMBDA_FUNCTION_TIMEOUT: '1' } });
    try {
      const res = await sandbox.invoke({ action: 'sleep', ms: 5000 });
      const id = String(res.headers['x-amzn-requestid']);
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
      assert.deepEqual(res.json(), { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${id} Error: Task timed out after 1.00 seconds` });
      await sandbox.waitForOutput(`REPORT RequestId: ${id}`);
      const report = reportFor(sandbox.stdout, id);
      assert.ok(Number(report[2]) >= 1000 && Number(report[2]) < 1500, `duration ${report[2]}`);
      assert.match(report[6], /Status: timeout$/);

      const next = await sandbox.invoke({ action: 'sleep', ms: 10 });
      assert.equal(next.status, 200);
      assert.deepEqual(next.json(), { slept: 10 });
      assert.equal(sandbox.stdout.split('\n').filter((l) => l === 'init mode ok').length, 2, 'the runtime was started again');
      assert.equal(sandbox.stdout.split('\n').filter((l) => l.startsWith('INIT_START')).length, 1, 'a suppressed init prints no INIT_START');
    } finally {
      await sandbox.stop();
    }
  });

  it('reports a runtime crash as Runtime.ExitError and recovers', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED } });
    try {
      const res = await sandbox.invoke({ action: 'crash', code: 2 });
      const id = String(res.headers['x-amzn-requestid']);
      assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
      assert.deepEqual(res.json(), { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${id} Error: Runtime exited with error: exit status 2` });
      await sandbox.waitForOutput(`REPORT RequestId: ${id}`);
      assert.match(reportFor(sandbox.stdout, id)[6], /Status: error\tError Type: Runtime\.ExitError$/);
      assert.ok(sandbox.stdout.indexOf('crashing now') < sandbox.stdout.indexOf(`END RequestId: ${id}`), 'output before END');

      const killed = await sandbox.invoke({ action: 'kill' });
      const killedId = String(killed.headers['x-amzn-requestid']);
      assert.deepEqual(killed.json(), { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${killedId} Error: Runtime exited with error: signal: killed` });
      const clean = await sandbox.invoke({ action: 'crash', code: 0 });
      assert.match((clean.json() as { errorMessage: string }).errorMessage, /Error: Runtime exited without providing a reason$/);

      const after = await sandbox.invoke({ back: true });
      assert.deepEqual(after.json(), { back: true });
    } finally {
      await sandbox.stop();
    }
  });

  it('turns an init error into INIT_REPORT and the first invoke\'s error (suppressed init fails too)', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, env: { FIXTURE_INIT: 'error' } });
    try {
      await sandbox.waitForOutput('INIT_REPORT');
      assert.match(sandbox.stdout, /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Fixture\.InitFailed$/m);
      const res = await sandbox.invoke({});
      const id = String(res.headers['x-amzn-requestid']);
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
      assert.deepEqual(res.json(), { errorMessage: 'bad config', errorType: 'Fixture.InitFailed' });
      await sandbox.waitForOutput(`REPORT RequestId: ${id}`);
      assert.match(sandbox.stdout, /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: invoke\tStatus: error\tError Type: Fixture\.InitFailed$/m);
      assert.match(reportFor(sandbox.stdout, id)[6], /Status: error\tError Type: Fixture\.InitFailed$/);
    } finally {
      await sandbox.stop();
    }
  });

  it('reports a runtime that exits during init as Runtime.ExitError', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, env: { FIXTURE_INIT: 'crash' } });
    try {
      const res = await sandbox.invoke({});
      const id = String(res.headers['x-amzn-requestid']);
      assert.deepEqual(res.json(), { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${id} Error: Runtime exited with error: exit status 3` });
      assert.match(sandbox.stdout, /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Runtime\.ExitError$/m);
    } finally {
      await sandbox.stop();
    }
  });

  it('stops an init that passes the init time limit, then retries inside the invoke under the function timeout', async () => {
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED },
      env: { FIXTURE_INIT: 'hang', LAMBDA_SANDBOX_INIT_TIMEOUT_MS: '300', AWS_LAMBDA_FUNCTION_TIMEOUT: '1' },
    });
    try {
      assert.match(sandbox.stdout, /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout$/m);
      const res = await sandbox.invoke({});
      const id = String(res.headers['x-amzn-requestid']);
      assert.deepEqual(res.json(), { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${id} Error: Task timed out after 1.00 seconds` });
      await sandbox.waitForOutput(`REPORT RequestId: ${id}`);
      assert.match(sandbox.stdout, /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: invoke\tStatus: timeout$/m);
    } finally {
      await sandbox.stop();
    }
  });

  it('succeeds in a suppressed init when the first init was only too slow', async () => {
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED },
      env: { FIXTURE_INIT: 'sleep:400', LAMBDA_SANDBOX_INIT_TIMEOUT_MS: '200', AWS_LAMBDA_FUNCTION_TIMEOUT: '3' },
    });
    try {
      const res = await sandbox.invoke({ ok: 1 });
      const id = String(res.headers['x-amzn-requestid']);
      assert.deepEqual(res.json(), { ok: 1 });
      await sandbox.waitForOutput(`REPORT RequestId: ${id}`);
      const report = reportFor(sandbox.stdout, id);
      assert.ok(Number(report[2]) >= 400, `the suppressed init counts in Duration (${report[2]} ms)`);
      assert.equal(report[6], '', 'no Init Duration field after a suppressed init');
    } finally {
      await sandbox.stop();
    }
  });

  it('reports Runtime.InvalidEntrypoint when no bootstrap can run', async () => {
    const sandbox = await RunningInit.start({ taskFiles: {} });
    try {
      const res = await sandbox.invoke({});
      const id = String(res.headers['x-amzn-requestid']);
      assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
      const body = res.json() as { errorType: string; errorMessage: string };
      assert.equal(body.errorType, 'Runtime.InvalidEntrypoint');
      assert.ok(body.errorMessage.startsWith(`RequestId: ${id} Error: Couldn't find valid bootstrap(s): [${sandbox.dirs.task}/bootstrap `), body.errorMessage);
    } finally {
      await sandbox.stop();
    }
    const notExecutable = await RunningInit.start({ taskFiles: { bootstrap: path.join(FIXTURES, 'runtimes', 'not-executable', 'bootstrap') } });
    try {
      const res = await notExecutable.invoke({});
      const id = String(res.headers['x-amzn-requestid']);
      assert.deepEqual(res.json(), {
        errorType: 'Runtime.InvalidEntrypoint',
        errorMessage: `RequestId: ${id} Error: fork/exec ${notExecutable.dirs.task}/bootstrap: permission denied`,
      });
    } finally {
      await notExecutable.stop();
    }
  });

  it('says why Init failed when it fails, before the first invoke: the log stream and the diagnostics', async () => {
    const sandbox = await RunningInit.start({ taskFiles: {} });
    try {
      await sandbox.waitForOutput('INIT_REPORT');
      const bootstraps = `[${sandbox.dirs.task}/bootstrap `;
      assert.match(sandbox.stdout, /^INIT_START /m);
      const lines = sandbox.stdout.split('\n');
      const at = lines.findIndex((l) => l.startsWith('INIT_REPORT'));
      assert.ok(lines[at - 2].startsWith(`Error: Couldn't find valid bootstrap(s): ${bootstraps}`), lines.join('\n'));
      assert.equal(lines[at - 1], 'Runtime.InvalidEntrypoint');
      assert.match(sandbox.stderr, /Init failed \(init phase\): Runtime\.InvalidEntrypoint: Couldn't find valid bootstrap\(s\)/);
    } finally {
      await sandbox.stop();
    }
  });

  it('takes the runtime command from its arguments (RIE style) and honours AWS_LAMBDA_EXEC_WRAPPER', async () => {
    const root = path.join(FIXTURES, 'runtimes');
    const wrapper = path.join(root, 'wrapper.sh');
    const sandbox = await RunningInit.start({ args: [SCRIPTED, 'index.handler'], env: { AWS_LAMBDA_EXEC_WRAPPER: wrapper } });
    try {
      const res = await sandbox.invoke({ action: 'headers' });
      const env = (res.json() as { env: Record<string, string> }).env;
      assert.equal(env._HANDLER, 'index.handler');
      assert.equal(env.WRAPPED_BY, 'wrapper.sh');
      assert.match(sandbox.stdout, /^wrapper.sh running .*scripted\/bootstrap index\.handler$/m);
    } finally {
      await sandbox.stop();
    }
  });

  it('shuts down on SIGTERM and SIGINT with exit code 0 and no runtime left behind', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED } });
      const res = await sandbox.invoke({ action: 'headers' });
      const runtimePid = (res.json() as { pid: number }).pid;
      sandbox.child.kill(signal);
      assert.deepEqual(await sandbox.exited, { code: 0, signal: null });
      assert.throws(() => process.kill(runtimePid, 0), /ESRCH/, 'the runtime is gone');
      await sandbox.stop();
    }
  });

  it('answers the invocation in flight when SIGTERM stops the environment under it, and exits 0', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, env: { AWS_LAMBDA_FUNCTION_TIMEOUT: '60' } });
    try {
      const pending = sandbox.invoke({ action: 'sleep', ms: 30_000 });
      await sandbox.waitForOutput(/^START RequestId: /m);
      sandbox.child.kill('SIGTERM');
      const res = await pending;
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-amz-function-error'], 'Unhandled');
      const body = res.json() as { errorType: string; errorMessage: string };
      assert.equal(body.errorType, 'Runtime.ExitError');
      assert.match(body.errorMessage, /^RequestId: \S+ Error: Runtime exited with error: signal: killed$/);
      assert.deepEqual(await sandbox.exited, { code: 0, signal: null });
      assert.match(sandbox.stdout, /^REPORT RequestId: .*Status: error\tError Type: Runtime.ExitError/m);
    } finally {
      await sandbox.stop();
    }
  });

  it('runs the runtime as LAMBDA_SANDBOX_RUN_AS, unable to write the task root', async function () {
    if (process.getuid?.() !== 0) {
      console.log('      SKIPPED: dropping privileges needs the tests to run as root');
      this.skip();
    }
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, env: { LAMBDA_SANDBOX_RUN_AS: '65534:65534' } });
    try {
      assert.ok(!sandbox.stdout.includes('INIT_REPORT'), 'the first init succeeded as that user');
      const res = await sandbox.invoke({ action: 'whoami', tmp: sandbox.dirs.tmp });
      assert.deepEqual(res.json(), { uid: 65534, gid: 65534, canWriteTask: false, canWriteTmp: true });
    } finally {
      await sandbox.stop();
    }
  });
});
