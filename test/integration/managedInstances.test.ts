import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES } from '../helpers/paths';
import { freePort, request, RunningInit, type InvokeResult } from '../helpers/runningInit';
import { waitFor } from '../helpers/wait';

const MULTI_LOOP = path.join(FIXTURES, 'runtimes', 'multi-loop-mi', 'bootstrap');
const RECORDER = path.join(FIXTURES, 'extensions', 'recorder');
const SUBSCRIBER = path.join(FIXTURES, 'extensions', 'subscriber');

interface Facts {
  worker: number;
  pid: number;
  requestId: string;
  startedAt: number;
  endedAt: number;
}

const facts = (r: InvokeResult): Facts => r.json() as Facts;

function jsonLines(stdout: string): Array<{ type?: string; record?: Record<string, unknown> }> {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type?: string; record?: Record<string, unknown> });
}

describe('Managed Instances mode (AWS_LAMBDA_MAX_CONCURRENCY > 1)', function () {
  this.timeout(60_000);
  let sandbox: RunningInit | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  it('runs N invocations at once in one runtime process, each answered on its own request id, with per-invocation JSON platform lines', async () => {
    sandbox = await RunningInit.start({ taskFiles: { bootstrap: MULTI_LOOP }, env: { AWS_LAMBDA_MAX_CONCURRENCY: '4' } });
    const results = await Promise.all([0, 1, 2, 3].map(() => sandbox!.invoke({ action: 'sleep', ms: 1500 })));
    for (const r of results) assert.equal(r.status, 200, r.body.toString());
    const all = results.map(facts);
    // Each caller got the answer for its own request, from one process, four different workers.
    assert.deepEqual(all.map((f) => f.requestId), results.map((r) => r.headers['x-amzn-requestid']));
    assert.equal(new Set(all.map((f) => f.pid)).size, 1);
    assert.equal(new Set(all.map((f) => f.worker)).size, 4);
    // They overlapped: every one started before any one ended.
    assert.ok(Math.max(...all.map((f) => f.startedAt)) < Math.min(...all.map((f) => f.endedAt)), JSON.stringify(all));

    await sandbox.waitForOutput(new RegExp(all.map(() => '"type":"platform.report"').join('[\\s\\S]*')));
    const platform = jsonLines(sandbox.stdout);
    for (const f of all) {
      for (const type of ['platform.start', 'platform.runtimeDone', 'platform.report']) {
        assert.equal(platform.filter((e) => e.type === type && e.record?.requestId === f.requestId).length, 1, `${type} for ${f.requestId}`);
      }
    }
    assert.ok(!/^START RequestId/m.test(sandbox.stdout), 'platform lines are JSON on Managed Instances');
  });

  it('gives the runtime AWS_LAMBDA_MAX_CONCURRENCY and JSON logs', async () => {
    sandbox = await RunningInit.start({ taskFiles: { bootstrap: MULTI_LOOP }, env: { AWS_LAMBDA_MAX_CONCURRENCY: '2', AWS_LAMBDA_LOG_FORMAT: 'Text' } });
    const echo = await sandbox.invoke({ action: 'echo' });
    assert.equal(echo.status, 200);
    const headers = (echo.json() as { headers: Record<string, string> }).headers;
    assert.ok(headers['lambda-runtime-invocation-id']);
    const env = await fs.readFile(`/proc/${facts(echo).pid}/environ`, 'utf8');
    assert.ok(env.split('\0').includes('AWS_LAMBDA_MAX_CONCURRENCY=2'));
    assert.ok(env.split('\0').includes('AWS_LAMBDA_LOG_FORMAT=JSON'));
  });

  it('does not freeze between invokes: a worker keeps running after its invocation ended', async () => {
    sandbox = await RunningInit.start({ taskFiles: { bootstrap: MULTI_LOOP }, env: { AWS_LAMBDA_MAX_CONCURRENCY: '2', LAMBDA_SANDBOX_FREEZE: 'sigstop' } });
    const first = await sandbox.invoke({ action: 'echo' });
    const pid = facts(first).pid;
    await new Promise((r) => setTimeout(r, 300));
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    assert.notEqual(state, 'T', 'the runtime is not stopped between invokes');
  });

  it('times out one invocation only: its caller gets Sandbox.Timedout, neighbours and the runtime go on, its late response gets 410', async () => {
    sandbox = await RunningInit.start({
      taskFiles: { bootstrap: MULTI_LOOP },
      env: { AWS_LAMBDA_MAX_CONCURRENCY: '3', AWS_LAMBDA_FUNCTION_TIMEOUT: '1' },
    });
    const [slow, quick] = await Promise.all([
      sandbox.invoke({ action: 'late', ms: 2000 }),
      sandbox.invoke({ action: 'sleep', ms: 300 }),
    ]);
    assert.equal(slow.status, 200);
    assert.equal(slow.headers['x-amz-function-error'], 'Unhandled');
    const slowId = String(slow.headers['x-amzn-requestid']);
    assert.deepEqual(slow.json(), { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${slowId} Error: Task timed out after 1.00 seconds` });
    assert.equal(quick.status, 200);
    const pid = facts(quick).pid;

    // While the timed-out worker still runs, new invocations are served by the same process.
    const after = await sandbox.invoke({ action: 'sleep', ms: 10 });
    assert.equal(after.status, 200);
    assert.equal(facts(after).pid, pid);
    assert.equal(facts(after).requestId, after.headers['x-amzn-requestid']);

    await sandbox.waitForOutput(`late-response ${slowId}`);
    const late = new RegExp(`late-response ${slowId} (\\d+) (.*)`).exec(sandbox.stdout);
    assert.equal(late?.[1], '410');
    assert.equal((JSON.parse(late?.[2] ?? '{}') as { errorType: string }).errorType, 'InvocationGone');
    const again = await sandbox.invoke({ action: 'echo' });
    assert.equal(facts(again).pid, pid, 'no reset after a timeout');
    assert.equal(facts(again).requestId, again.headers['x-amzn-requestid'], 'the late answer reached no newer caller');
    assert.match(sandbox.stdout, /"type":"platform.report".*"status":"timeout"/);
  });

  it('fails what a dying runtime had in flight and initialises again at the next invoke', async () => {
    sandbox = await RunningInit.start({ taskFiles: { bootstrap: MULTI_LOOP }, env: { AWS_LAMBDA_MAX_CONCURRENCY: '2', AWS_LAMBDA_FUNCTION_TIMEOUT: '10' } });
    const before = facts(await sandbox.invoke({ action: 'echo' })).pid;
    const longOne = sandbox.invoke({ action: 'sleep', ms: 5000 });
    await new Promise((r) => setTimeout(r, 300));
    const crash = await sandbox.invoke({ action: 'crash' });
    const victim = await longOne;
    for (const r of [crash, victim]) {
      assert.equal(r.headers['x-amz-function-error'], 'Unhandled');
      assert.equal((r.json() as { errorType: string }).errorType, 'Runtime.ExitError');
    }
    const next = await sandbox.invoke({ action: 'echo' });
    assert.equal(next.status, 200);
    assert.notEqual(facts(next).pid, before, 'a fresh runtime');
  });

  it('queues invocations beyond N, and refuses with 429 when the queue is full', async () => {
    sandbox = await RunningInit.start({
      taskFiles: { bootstrap: MULTI_LOOP }, env: { AWS_LAMBDA_MAX_CONCURRENCY: '2', LAMBDA_SANDBOX_MAX_QUEUE: '1', AWS_LAMBDA_FUNCTION_TIMEOUT: '20' },
    });
    const running = [sandbox.invoke({ action: 'sleep', ms: 3000 }), sandbox.invoke({ action: 'sleep', ms: 3000 })];
    await waitFor('an invocation running', async () => {
      const health = await request(sandbox!.invokePort, 'GET', '/healthz');
      return (health.json() as { busy: boolean }).busy ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    const queued = sandbox.invoke({ action: 'echo' });
    // A third one waits only while both slots are taken.
    await waitFor('one invocation queued', async () => {
      const health = await request(sandbox!.invokePort, 'GET', '/healthz');
      return (health.json() as { queued: number }).queued === 1 ? true : undefined;
    });
    const refused = await sandbox.invoke({ action: 'echo' });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['x-amzn-errortype'], 'TooManyRequestsException');
    const [a, b, c] = await Promise.all([...running, queued]);
    assert.deepEqual([a.status, b.status, c.status], [200, 200, 200]);
    assert.ok(facts(c).startedAt >= Math.min(facts(a).endedAt, facts(b).endedAt), 'the third ran after one of the first two ended');
  });

  it('ends Init with one worker in /next, and hands invocations to workers as they arrive', async () => {
    sandbox = await RunningInit.start({
      taskFiles: { bootstrap: MULTI_LOOP }, env: { AWS_LAMBDA_MAX_CONCURRENCY: '2', FIXTURE_WORKER_DELAY_MS: '5000' },
    });
    const [a, b] = await Promise.all([sandbox.invoke({ action: 'sleep', ms: 100 }), sandbox.invoke({ action: 'sleep', ms: 100 })]);
    assert.deepEqual([a.status, b.status], [200, 200]);
    assert.deepEqual([facts(a).worker, facts(b).worker].sort(), [0, 0], 'worker 1 had not started yet: worker 0 served both');
  });

  it('refuses more concurrent /next than AWS_LAMBDA_MAX_CONCURRENCY', async () => {
    sandbox = await RunningInit.start({ taskFiles: { bootstrap: MULTI_LOOP }, env: { AWS_LAMBDA_MAX_CONCURRENCY: '2' } });
    await waitFor('both workers waiting', async () => {
      const r = await request(sandbox!.apiPort, 'GET', '/2018-06-01/runtime/invocation/next');
      return r.status === 403 ? r : undefined;
    }).then((r) => {
      assert.equal((r.json() as { errorType: string }).errorType, 'ConcurrencyLimitExceeded');
    });
  });

  it('replaces the environment at the next invoke after an extension crashes', async () => {
    const logDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mi-ext-'));
    sandbox = await RunningInit.start({
      taskFiles: { bootstrap: MULTI_LOOP }, optFiles: { 'extensions/watcher': RECORDER },
      env: { AWS_LAMBDA_MAX_CONCURRENCY: '2', EXT_LOG: logDir, EXT_WATCHER_EVENTS: 'SHUTDOWN' },
    });
    const first = await sandbox.invoke({ action: 'echo' });
    const registered = (await fs.readFile(path.join(logDir, 'watcher.log'), 'utf8')).split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; pid: number }).find((e) => e.kind === 'registered');
    process.kill(registered!.pid, 'SIGKILL');
    await waitFor('the environment marked unhealthy', async () => {
      const health = await request(sandbox!.invokePort, 'GET', '/healthz');
      return (health.json() as { environment: string }).environment === 'Uninitialized' ? true : undefined;
    });
    const next = await sandbox.invoke({ action: 'echo' });
    assert.equal(next.status, 200, next.body.toString());
    assert.notEqual(facts(next).pid, facts(first).pid, 'a new environment');
    const registrations = (await fs.readFile(path.join(logDir, 'watcher.log'), 'utf8')).split('\n').filter((l) => l.includes('"registered"'));
    assert.equal(registrations.length, 2, 'the extension was started again');
    await fs.rm(logDir, { recursive: true, force: true });
  });

  describe('subscriptions', () => {
    for (const [schema, expected] of [['2025-01-29', 200], ['2022-12-13', 400], ['2022-07-01', 400]] as const) {
      it(`${expected === 200 ? 'accepts' : 'refuses'} Telemetry API schema ${schema}`, async () => {
        const port = await freePort();
        const out = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'mi-sub-')), 'out.ndjson');
        const body = { schemaVersion: schema, types: ['platform'], destination: { protocol: 'HTTP', URI: `http://sandbox.localdomain:${port}/in` } };
        sandbox = await RunningInit.start({
          taskFiles: { bootstrap: MULTI_LOOP }, optFiles: { 'extensions/sub': SUBSCRIBER },
          env: { AWS_LAMBDA_MAX_CONCURRENCY: '2', SUB_PORT: String(port), SUB_OUT: out, SUB_BODY: JSON.stringify(body) },
        });
        const first = await waitFor('the subscription answer', async () => {
          const text = await fs.readFile(out, 'utf8').catch(() => '');
          return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { subscribed?: number; body?: unknown }).find((e) => e.subscribed !== undefined);
        });
        assert.equal(first.subscribed, expected);
        if (expected === 400) {
          assert.deepEqual(first.body, {
            errorType: 'ValidationError',
            errorMessage: `schemaVersion "${schema}" is not supported on Lambda Managed Instances; use 2025-01-29`,
          });
        } else {
          assert.equal(first.body, 'OK');
          const r = await sandbox.invoke({ action: 'echo' });
          const id = String(r.headers['x-amzn-requestid']);
          await waitFor('platform.start delivered', async () => ((await fs.readFile(out, 'utf8')).includes(id) ? true : undefined));
        }
        await fs.rm(path.dirname(out), { recursive: true, force: true });
      });
    }

    it('answers the Logs API as not available', async () => {
      const port = await freePort();
      const out = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'mi-sub-')), 'out.ndjson');
      sandbox = await RunningInit.start({
        taskFiles: { bootstrap: MULTI_LOOP }, optFiles: { 'extensions/sub': SUBSCRIBER },
        env: { AWS_LAMBDA_MAX_CONCURRENCY: '2', SUB_API: 'logs', SUB_PORT: String(port), SUB_OUT: out },
      });
      const first = await waitFor('the subscription answer', async () => {
        const text = await fs.readFile(out, 'utf8').catch(() => '');
        return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { subscribed?: number; body?: unknown }).find((e) => e.subscribed !== undefined);
      });
      assert.deepEqual(first, { ...first, subscribed: 202, body: { errorMessage: 'Logs API is not supported', errorType: 'Logs.NotSupported' } });
      await fs.rm(path.dirname(out), { recursive: true, force: true });
    });
  });
});
