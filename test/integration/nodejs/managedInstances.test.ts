import * as assert from 'node:assert/strict';
import { CALLBACK_UNSUPPORTED_MANAGED_INSTANCES } from '../../../src/runtimes/nodejs/callbackDeprecation';
import { closeAfterEach } from './helpers/closeAfterEach';
import { Gate } from './helpers/gate';
import { json, startSession, type Session } from './helpers/session';

interface Seen {
  n: number;
  threadId: number;
  awsRequestId: string;
  storeRequestId: string;
  tenantId: string | null;
  storeTenantId: string | null;
  xRayTraceId: string | null;
  storeTraceId: string | null;
  traceEnv: string | null;
}

type LogRecord = { level: string; requestId: string; message: unknown; tenantId?: string };

function records(session: Session): LogRecord[] {
  return session.runtime.lines().map((line) => JSON.parse(line) as LogRecord);
}

/**
 * AWS_LAMBDA_MAX_CONCURRENCY > 1 (docs/nodejs-runtime.md, "Managed Instances"): worker threads, each loading the
 * handler once and running its share of the concurrent /next loops; every invocation keeps its own ids.
 */
describe('nodejs runtime: Managed Instances mode (worker threads)', function () {
  this.timeout(30_000);
  const closeLater = closeAfterEach();

  async function start(handler: string, env: Record<string, string>): Promise<Session> {
    return closeLater(await startSession(handler, env));
  }

  /** Four invocations held at the gate at the same time, then released; what each of them saw. */
  async function fourAtOnce(s: Session): Promise<Seen[]> {
    const gate = closeLater(await new Gate().start());
    await s.api.waitForWaiting(4);
    const results = [0, 1, 2, 3].map((n) =>
      s.api.invoke({ n, gate: gate.url }, {
        requestId: `req-${n}`,
        headers: { 'Lambda-Runtime-Aws-Tenant-Id': `tenant-${n}`, 'Lambda-Runtime-Trace-Id': `Root=1-0000000${n}-abc` },
      }),
    );
    await gate.reachedBy(4);
    assert.equal(gate.waiting, 4, 'all four handlers run at the same time');
    gate.open();
    return (await Promise.all(results)).map((posted) => json(posted.body) as Seen);
  }

  it('runs N invocations at once on the worker threads, each thread loading the handler once', async () => {
    const s = await start('concurrent.gated', { AWS_LAMBDA_MAX_CONCURRENCY: '4', AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' });
    const seen = await fourAtOnce(s);
    for (const { n, awsRequestId, storeRequestId, tenantId, storeTenantId, xRayTraceId, storeTraceId, traceEnv } of seen) {
      assert.deepEqual(
        { awsRequestId, storeRequestId, tenantId, storeTenantId, xRayTraceId, storeTraceId, traceEnv },
        {
          awsRequestId: `req-${n}`,
          storeRequestId: `req-${n}`,
          tenantId: `tenant-${n}`,
          storeTenantId: `tenant-${n}`,
          xRayTraceId: `Root=1-0000000${n}-abc`,
          storeTraceId: `Root=1-0000000${n}-abc`,
          traceEnv: null,
        },
        `invocation ${n} sees only its own ids after waiting alongside the others`,
      );
    }
    const perThread = new Map<number, number>();
    for (const { threadId } of seen) perThread.set(threadId, (perThread.get(threadId) ?? 0) + 1);
    assert.deepEqual([...perThread.values()], [2, 2], 'two workers, two loops each');
    const inits = records(s).filter((r) => typeof r.message === 'string' && r.message.startsWith('init in thread'));
    assert.deepEqual(inits.map((r) => r.message).sort(), [...perThread.keys()].map((id) => `init in thread ${id}`).sort());
  });

  it('writes JSON log lines, each with the request and tenant id of the invocation that wrote it', async () => {
    const s = await start('concurrent.gated', { AWS_LAMBDA_MAX_CONCURRENCY: '4', AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' });
    await fourAtOnce(s);
    await s.runtime.waitForLine((line) => line.includes('after gate 3'));
    const byMessage = new Map(records(s).map((r) => [r.message, r]));
    for (const n of [0, 1, 2, 3]) {
      for (const message of [`before gate ${n}`, `after gate ${n}`]) {
        const record = byMessage.get(message);
        assert.equal(record?.requestId, `req-${n}`, message);
        assert.equal(record?.tenantId, `tenant-${n}`, message);
        assert.equal(record?.level, 'INFO');
      }
    }
    const init = records(s).find((r) => String(r.message).startsWith('init in thread'));
    assert.equal(init?.requestId, '-', 'lines outside invocations carry "-"');
  });

  it('starts at most AWS_LAMBDA_MAX_CONCURRENCY workers by default', async () => {
    const s = await start('concurrent.threadId', { AWS_LAMBDA_MAX_CONCURRENCY: '2' });
    await s.api.waitForWaiting(2);
    const first = json((await s.api.invoke({})).body) as { threadId: number };
    const inits = records(s).filter((r) => String(r.message).startsWith('init in thread'));
    assert.equal(inits.length, 2, 'the default (8 per vCPU) is capped at 2 loops: two workers, one loop each');
    assert.ok(first.threadId >= 1, 'served on a worker thread, not the main thread');
  });

  it('refuses a callback handler at init, posting the error once for all workers', async () => {
    const s = await start('concurrent.callback', { AWS_LAMBDA_MAX_CONCURRENCY: '4', AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' });
    const error = json((await s.api.nextInitError()).body) as { errorType: string; errorMessage: string };
    assert.deepEqual([error.errorType, error.errorMessage], ['Runtime.CallbackHandlerDeprecated', CALLBACK_UNSUPPORTED_MANAGED_INSTANCES]);
    assert.equal((await s.runtime.exited).code, 129);
    assert.equal(s.api.requests.filter((r) => r.endsWith('/runtime/init/error')).length, 1);
  });

  it('fails what a crashed worker had in flight; the other worker goes on serving', async () => {
    const s = await start('concurrent.crashes', { AWS_LAMBDA_MAX_CONCURRENCY: '2', AWS_LAMBDA_NODEJS_WORKER_COUNT: '2' });
    const gate = closeLater(await new Gate().start());
    await s.api.waitForWaiting(2);
    const crashing = s.api.invoke({ crash: true, gate: gate.url });
    const surviving = s.api.invoke({ gate: gate.url });
    await gate.reachedBy(2);
    gate.open();
    const failed = await crashing;
    assert.equal(failed.kind, 'error');
    const error = json(failed.body) as { errorType: string; errorMessage: string };
    assert.equal(error.errorType, 'Error');
    assert.match(error.errorMessage, /^worker crash in thread \d+$/);
    const survivor = json((await surviving).body) as { threadId: number };
    assert.notEqual(`worker crash in thread ${survivor.threadId}`, error.errorMessage, 'the other worker answered');
    const later = json((await s.api.invoke({ gate: gate.url })).body) as { threadId: number };
    assert.equal(later.threadId, survivor.threadId, 'the surviving worker serves the next invocation');
    assert.equal(s.runtime.child.exitCode, null, 'the runtime process is still running');
    await s.runtime.waitForLine((line) => line.includes('exited with code 129'));
  });
});
