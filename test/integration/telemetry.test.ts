import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from '../helpers/wait';
import { FIXTURES, REPO_ROOT } from '../helpers/paths';
import { freePort, RunningInit } from '../helpers/runningInit';

const SCRIPTED = path.join(FIXTURES, 'runtimes', 'scripted', 'bootstrap');
const SUBSCRIBER = path.join(FIXTURES, 'extensions', 'subscriber');
const TELEMETRY_TO_FILE = path.join(REPO_ROOT, 'layers', 'telemetry-to-file', 'extensions', 'telemetry-to-file');

interface WireEvent {
  time: string;
  type: string;
  record: Record<string, unknown> | string;
}

async function lines<T>(file: string): Promise<T[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

async function deliveries(file: string): Promise<Array<{ at: number; batch?: WireEvent[]; subscribed?: number; body?: unknown }>> {
  return lines(file);
}


const requestIdOf = (e: WireEvent): unknown => (typeof e.record === 'object' ? e.record.requestId : undefined);

describe('Telemetry API through the init', function () {
  this.timeout(40_000);

  it('delivers the full event sequence of a cold and a warm invoke, in order, to the example telemetry-to-file layer', async () => {
    const port = await freePort();
    const out = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'telemetry-')), 'telemetry.ndjson');
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED },
      optFiles: { 'extensions/telemetry-to-file': TELEMETRY_TO_FILE },
      env: { TELEMETRY_PORT: String(port), TELEMETRY_FILE: out, AWS_LAMBDA_FUNCTION_NAME: 'telemetry-fn' },
    });
    const cold = await sandbox.invoke({ action: 'log', lines: ['cold line'] });
    const warm = await sandbox.invoke({ action: 'log', lines: ['warm line'] });
    const [coldId, warmId] = [cold.headers['x-amzn-requestid'], warm.headers['x-amzn-requestid']].map(String);
    sandbox.child.kill('SIGTERM');
    await sandbox.exited;
    const events = await lines<WireEvent>(out).catch(() => []);
    await sandbox.stop();

    const platform = events.filter((e) => e.type.startsWith('platform.'));
    assert.deepEqual(platform.map((e) => `${e.type}${requestIdOf(e) === coldId ? ' cold' : requestIdOf(e) === warmId ? ' warm' : ''}`), [
      'platform.initStart', 'platform.telemetrySubscription', 'platform.initRuntimeDone', 'platform.extension', 'platform.initReport',
      'platform.start cold', 'platform.runtimeDone cold', 'platform.report cold',
      'platform.start warm', 'platform.runtimeDone warm', 'platform.report warm',
    ]);
    const byType = (type: string, id?: string) => platform.find((e) => e.type === type && (id === undefined || requestIdOf(e) === id))?.record as Record<string, unknown>;
    assert.deepEqual(Object.keys(byType('platform.initStart')).sort(),
      ['functionName', 'functionVersion', 'initializationType', 'instanceId', 'instanceMaxMemory', 'phase', 'runtimeVersion', 'runtimeVersionArn']);
    assert.equal(byType('platform.initStart').functionName, 'telemetry-fn');
    assert.deepEqual(byType('platform.initRuntimeDone'), { initializationType: 'on-demand', phase: 'init', status: 'success' });
    assert.deepEqual(byType('platform.extension'), { name: 'telemetry-to-file', state: 'Ready', events: ['INVOKE', 'SHUTDOWN'] });
    assert.deepEqual(byType('platform.telemetrySubscription'), { name: 'telemetry-to-file', state: 'Subscribed', types: ['platform', 'function', 'extension'] });
    const runtimeDone = byType('platform.runtimeDone', coldId) as { status: string; metrics: { producedBytes: number }; spans: Array<{ name: string }> };
    assert.equal(runtimeDone.status, 'success');
    assert.equal(runtimeDone.metrics.producedBytes, Buffer.byteLength(JSON.stringify('logged')));
    assert.deepEqual(runtimeDone.spans.map((s) => s.name), ['responseLatency', 'responseDuration', 'runtimeOverhead']);
    const coldReport = byType('platform.report', coldId) as { metrics: Record<string, number>; spans: Array<{ name: string }> };
    const warmReport = byType('platform.report', warmId) as { metrics: Record<string, number> };
    assert.ok(coldReport.metrics.initDurationMs > 0, 'initDurationMs on the cold invoke');
    assert.equal(warmReport.metrics.initDurationMs, undefined, 'none on the warm one');
    assert.deepEqual(coldReport.spans.map((s) => s.name), ['extensionOverhead']);
    for (const event of events) assert.match(event.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const functionLines = events.filter((e) => e.type === 'function').map((e) => e.record);
    assert.deepEqual(functionLines, ['init mode ok\n', 'cold line\n', 'warm line\n']);
    const position = (pred: (e: WireEvent) => boolean) => events.findIndex(pred);
    assert.ok(position((e) => e.record === 'cold line\n') > position((e) => e.type === 'platform.start' && requestIdOf(e) === coldId));
    assert.ok(position((e) => e.record === 'cold line\n') < position((e) => e.type === 'platform.runtimeDone' && requestIdOf(e) === coldId));
    assert.ok(events.some((e) => e.type === 'extension' && String(e.record).includes('[telemetry-to-file] writing')), 'extension lines too');
  });

  it('holds deliveries while the subscriber is frozen and sends them after the thaw', async () => {
    const port = await freePort();
    const out = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'sub-')), 'out');
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED }, optFiles: { 'extensions/subscriber': SUBSCRIBER },
      env: { SUB_PORT: String(port), SUB_OUT: out, LAMBDA_SANDBOX_FREEZE: 'cgroup2' },
    });
    try {
      const first = String((await sandbox.invoke({})).headers['x-amzn-requestid']);
      await new Promise((r) => setTimeout(r, 300));
      const reported = async () => (await deliveries(out)).find((d) => d.batch?.some((e) => e.type === 'platform.report' && requestIdOf(e) === first));
      assert.equal(await reported(), undefined, 'nothing reaches a frozen extension');
      const thawedAt = Date.now();
      await sandbox.invoke({});
      const delivery = await waitFor('the held report', reported);
      assert.ok(delivery.at >= thawedAt, 'delivered after the thaw');
    } finally {
      await sandbox.stop();
    }
  });

  it('sends what was held at each thaw, even a short one, and lets the extension finish it before the freeze', async () => {
    const port = await freePort();
    const out = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'sub-')), 'out');
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED }, optFiles: { 'extensions/subscriber': SUBSCRIBER },
      // A buffering timeout longer than each thaw: what was held goes out at the thaw all the same.
      env: {
        SUB_PORT: String(port), SUB_OUT: out, SUB_EVENTS: 'INVOKE,SHUTDOWN', SUB_PROCESS_MS: '80', LAMBDA_SANDBOX_FREEZE: 'cgroup2',
        SUB_BUFFERING: '{"maxItems":1000,"maxBytes":262144,"timeoutMs":1000}',
      },
    });
    try {
      let previous: string | undefined;
      for (let i = 0; i < 4; i++) {
        // The previous invoke's REPORT was held while frozen; it goes out at this thaw and must be processed before
        // the freeze that follows this (much shorter) invoke.
        const requestId = String((await sandbox.invoke({ i })).headers['x-amzn-requestid']);
        await sandbox.settled();
        const got = (id: string) => async () => (await deliveries(out)).some((d) => d.batch?.some((e) => e.type === 'platform.report' && requestIdOf(e) === id));
        if (previous) assert.ok(await got(previous)(), `invoke ${i}: the report of invoke ${i - 1} was processed before the freeze`);
        previous = requestId;
      }
    } finally {
      await sandbox.stop();
    }
  });

  it('batches by maxItems, and tells a stalled subscriber what it lost with platform.logsDropped', async () => {
    const port = await freePort();
    const out = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'sub-')), 'out');
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED }, optFiles: { 'extensions/subscriber': SUBSCRIBER },
      env: {
        SUB_PORT: String(port), SUB_OUT: out, SUB_STALL_MS: '1500', SUB_TYPES: 'function',
        SUB_BUFFERING: '{"maxItems":1000,"maxBytes":1048576,"timeoutMs":1000}', LAMBDA_SANDBOX_FREEZE: 'none',
      },
    });
    try {
      const lines = Array.from({ length: 6000 }, (_, i) => `line ${i}`);
      await sandbox.invoke({ action: 'log', lines });
      const dropped = await waitFor('logsDropped', async () => {
        for (const d of await deliveries(out)) {
          const event = d.batch?.find((e) => e.type === 'platform.logsDropped');
          if (event) return event;
        }
        return undefined;
      }, 20_000).catch(async (error: Error) => {
        const summary = (await deliveries(out)).map((d) => `${d.at}: ${d.batch ? `${d.batch.length} events (${[...new Set(d.batch.map((e) => e.type))].join(', ')})` : JSON.stringify(d)}`);
        throw new Error(`${error.message}; deliveries:\n${summary.join('\n')}\n${sandbox.stderr}`);
      });
      const record = dropped.record as { droppedRecords: number; droppedBytes: number; reason: string };
      assert.ok(record.droppedRecords > 0 && record.droppedBytes > 0, JSON.stringify(record));
      assert.match(record.reason, /dropped because the downstream consumer is slower/);
      const batches = (await deliveries(out)).filter((d) => d.batch);
      assert.equal(batches[0].batch?.length, 1000, 'the first batch went out at maxItems');
      assert.deepEqual(batches[0].batch?.slice(0, 2).map((e) => e.record), ['init mode ok\n', 'line 0\n']);
    } finally {
      await sandbox.stop();
    }
  });

  it('serves the Logs API in its own shapes, over TCP', async () => {
    const port = await freePort();
    const out = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'sub-')), 'out');
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED }, optFiles: { 'extensions/subscriber': SUBSCRIBER },
      env: { SUB_API: 'logs', SUB_PROTOCOL: 'TCP', SUB_PORT: String(port), SUB_OUT: out },
    });
    const res = await sandbox.invoke({ action: 'log', lines: ['via logs api'] });
    const id = String(res.headers['x-amzn-requestid']);
    sandbox.child.kill('SIGTERM');
    await sandbox.exited;
    await sandbox.stop();
    const all = await deliveries(out);
    assert.equal(all[0].subscribed, 200);
    assert.equal(all[0].body, 'OK');
    const events = all.flatMap((d) => d.batch ?? []);
    const mine = events.filter((e) => requestIdOf(e) === id);
    assert.deepEqual(mine.map((e) => e.type), ['platform.start', 'platform.runtimeDone', 'platform.end', 'platform.report']);
    assert.deepEqual(mine[0].record, { requestId: id });
    assert.deepEqual(mine[1].record, { requestId: id, status: 'success' });
    assert.deepEqual(Object.keys((mine[3].record as { metrics: object }).metrics).sort(), ['billedDurationMs', 'durationMs', 'initDurationMs', 'maxMemoryUsedMB', 'memorySizeMB']);
    assert.ok(events.some((e) => e.type === 'function' && e.record === 'via logs api\n'));
    assert.ok(!events.some((e) => e.type === 'platform.initStart'), 'the Logs API has no initStart');
  });

  it('answers an invalid subscription with ValidationError', async () => {
    const port = await freePort();
    const out = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'sub-')), 'out');
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED }, optFiles: { 'extensions/subscriber': SUBSCRIBER },
      env: { SUB_PORT: String(port), SUB_OUT: out, SUB_BODY: JSON.stringify({ schemaVersion: '2022-12-13', types: ['platform'], buffering: { maxItems: 5 }, destination: { protocol: 'HTTP', URI: 'https://sandbox.localdomain:1234' } }) },
    });
    try {
      const [verdict] = await deliveries(out);
      assert.equal(verdict.subscribed, 400);
      const body = verdict.body as { errorType: string; errorMessage: string };
      assert.equal(body.errorType, 'ValidationError');
      assert.match(body.errorMessage, /maxItems/);
      assert.match(body.errorMessage, /https|URI/);
    } finally {
      await sandbox.stop();
    }
  });
});
