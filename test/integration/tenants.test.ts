import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES } from '../helpers/paths';
import { freePort, RunningInit } from '../helpers/runningInit';
import { waitFor } from '../helpers/wait';

const MULTI_LOOP = path.join(FIXTURES, 'runtimes', 'multi-loop-mi', 'bootstrap');
const RECORDER = path.join(FIXTURES, 'extensions', 'recorder');
const SUBSCRIBER = path.join(FIXTURES, 'extensions', 'subscriber');

interface Echo {
  pid: number;
  headers: Record<string, string>;
}

describe('Tenant isolation', function () {
  this.timeout(60_000);
  let sandbox: RunningInit | undefined;
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tenants-'));
  });
  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('passes X-Amz-Tenant-Id to the runtime, the JSON START line and telemetry platform.start', async () => {
    const port = await freePort();
    const out = path.join(dir, 'telemetry.ndjson');
    sandbox = await RunningInit.start({
      taskFiles: { bootstrap: MULTI_LOOP }, optFiles: { 'extensions/sub': SUBSCRIBER },
      env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', SUB_PORT: String(port), SUB_OUT: out, SUB_TYPES: 'platform' },
    });
    const r = await sandbox.invoke({ action: 'echo' }, { 'X-Amz-Tenant-Id': 'blue' });
    assert.equal((r.json() as Echo).headers['lambda-runtime-aws-tenant-id'], 'blue');
    const id = String(r.headers['x-amzn-requestid']);
    await sandbox.waitForOutput(`"requestId":"${id}","version":"$LATEST","tenantId":"blue"`);
    // Without a tenant id, nothing is sent or recorded. (This invoke also thaws the subscriber's held deliveries.)
    const plain = await sandbox.invoke({ action: 'echo' });
    assert.equal((plain.json() as Echo).headers['lambda-runtime-aws-tenant-id'], undefined);
    await sandbox.waitForOutput(`"requestId":"${String(plain.headers['x-amzn-requestid'])}","version":"$LATEST","tracing"`);
    const start = await waitFor('platform.start delivered', async () => {
      const text = await fs.readFile(out, 'utf8').catch(() => '');
      for (const line of text.split('\n').filter(Boolean)) {
        const batch = (JSON.parse(line) as { batch?: Array<{ type: string; record: { requestId?: string } }> }).batch ?? [];
        const found = batch.find((e) => e.type === 'platform.start' && e.record.requestId === id);
        if (found) return found;
      }
      return undefined;
    }).catch(async (error: Error) => assert.fail(`${error.message}\n${await fs.readFile(out, 'utf8').catch(() => '(none)')}\n${sandbox?.stderr}`));
    assert.equal((start.record as { tenantId?: string }).tenantId, 'blue');
  });

  it('PER_TENANT: serves one tenant per environment, spins down for another, refuses an invoke without a tenant id', async () => {
    sandbox = await RunningInit.start({
      taskFiles: { bootstrap: MULTI_LOOP }, optFiles: { 'extensions/keeper': RECORDER },
      env: { LAMBDA_SANDBOX_TENANT_ISOLATION: 'PER_TENANT', EXT_LOG: dir, EXT_KEEPER_EVENTS: 'SHUTDOWN' },
    });
    const none = await sandbox.invoke({ action: 'echo' });
    assert.equal(none.status, 400);
    assert.equal(none.headers['x-amzn-errortype'], 'InvalidParameterValueException');
    assert.match((none.json() as { message: string }).message, /TenantId is required/);

    const blue1 = (await sandbox.invoke({ action: 'echo' }, { 'X-Amz-Tenant-Id': 'blue' })).json() as Echo;
    const blue2 = (await sandbox.invoke({ action: 'echo' }, { 'X-Amz-Tenant-Id': 'blue' })).json() as Echo;
    assert.equal(blue2.pid, blue1.pid, 'the same tenant keeps its environment');
    const redReply = await sandbox.invoke({ action: 'echo' }, { 'X-Amz-Tenant-Id': 'red' });
    const red = redReply.json() as Echo;
    assert.notEqual(red.pid, blue1.pid, 'another tenant gets a fresh environment');
    assert.equal(red.headers['lambda-runtime-aws-tenant-id'], 'red');

    const events = (await fs.readFile(path.join(dir, 'keeper.log'), 'utf8')).split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; event?: { eventType: string; shutdownReason?: string } });
    assert.deepEqual(events.filter((e) => e.kind === 'event').map((e) => `${e.event?.eventType} ${e.event?.shutdownReason}`), ['SHUTDOWN spindown']);
    assert.equal(events.filter((e) => e.kind === 'registered').length, 2);
    const redId = String(redReply.headers['x-amzn-requestid']);
    await sandbox.waitForOutput(new RegExp(`REPORT RequestId: ${redId}.*Init Duration`));
    assert.equal(sandbox.stdout.match(/^INIT_START/gm)?.length, 2, 'a cold Init for the new tenant');
  });

  it('PER_TENANT on Managed Instances: another tenant waits for the invocations in flight, then gets a fresh environment', async () => {
    sandbox = await RunningInit.start({
      taskFiles: { bootstrap: MULTI_LOOP },
      env: { LAMBDA_SANDBOX_TENANT_ISOLATION: 'PER_TENANT', AWS_LAMBDA_MAX_CONCURRENCY: '2' },
    });
    const blue = [1, 2].map(() => sandbox!.invoke({ action: 'sleep', ms: 1000 }, { 'X-Amz-Tenant-Id': 'blue' }));
    await new Promise((r) => setTimeout(r, 300));
    const red = sandbox.invoke({ action: 'echo' }, { 'X-Amz-Tenant-Id': 'red' });
    const [b1, b2, r] = await Promise.all([...blue, red]);
    assert.deepEqual([b1.status, b2.status, r.status], [200, 200, 200], r.body.toString());
    const [f1, f2] = [b1, b2].map((x) => x.json() as { pid: number; endedAt: number });
    const redFacts = r.json() as Echo & { startedAt: number };
    assert.equal(f1.pid, f2.pid, 'both blue invocations ran in one environment');
    assert.notEqual(redFacts.pid, f1.pid, 'red got its own');
    assert.ok(redFacts.startedAt >= Math.max(f1.endedAt, f2.endedAt), 'red ran after blue drained');
    assert.equal(redFacts.headers['lambda-runtime-aws-tenant-id'], 'red');
  });
});
