import * as assert from 'node:assert/strict';
import { startSession, type Session } from './helpers/session';

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('nodejs runtime: console output', () => {
  let session: Session | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  /** Runs index.logs once and returns the stdout lines the console calls produced, in order. */
  async function logLines(env: Record<string, string>, last = (line: string) => line.includes('structured')): Promise<string[]> {
    session = await startSession('index.logs', env);
    await session.api.invoke({}, { requestId: 'req-1' });
    // The lines were written before the response was posted, but may be read after it arrived.
    await session.runtime.waitForLine(last);
    return session.runtime.lines();
  }

  it('Text format: timestamp, request id, level, util.format text; newlines become \\r', async () => {
    const lines = await logLines({});
    const fields = lines.map((line) => line.split('\t'));
    for (const [timestamp, requestId] of fields) {
      assert.match(timestamp, TIMESTAMP);
      assert.equal(requestId, 'req-1');
    }
    const rest = fields.map(([, , level, ...message]) => [level, message.join('\t')]);
    assert.deepEqual(rest.map(([level]) => level), ['INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR', 'TRACE', 'FATAL', 'INFO']);
    assert.deepEqual(rest[0], ['INFO', 'log line 1']);
    assert.deepEqual(rest[1], ['INFO', 'multi\rline']);
    assert.deepEqual(rest[2], ['DEBUG', 'debug formatted']);
    assert.deepEqual(rest[3], ['WARN', 'warning { a: 1 }']);
    assert.match(rest[4][1], /^error Error: logged error\r {4}at /);
    assert.deepEqual(rest[5], ['TRACE', 'tracing']);
    assert.deepEqual(rest[6], ['FATAL', 'fatal!']);
    assert.deepEqual(rest[7], ['INFO', '{ structured: true }']);
  });

  it('AWS_LAMBDA_LOG_LEVEL drops lower levels (FATAL always prints)', async () => {
    const lines = await logLines({ AWS_LAMBDA_LOG_LEVEL: 'warn' }, (line) => line.includes('fatal!'));
    assert.deepEqual(lines.map((line) => line.split('\t')[2]), ['WARN', 'ERROR', 'FATAL']);
  });

  it('JSON format: one object per call, errors broken out, objects kept as objects', async () => {
    const lines = await logLines({ AWS_LAMBDA_LOG_FORMAT: 'JSON' });
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const record of records) {
      assert.match(record.timestamp as string, TIMESTAMP);
      assert.equal(record.requestId, 'req-1');
    }
    const strip = ({ timestamp: _t, requestId: _r, stackTrace: _s, ...rest }: Record<string, unknown>) => rest;
    assert.deepEqual(strip(records[0]), { level: 'INFO', message: 'log line 1' });
    assert.deepEqual(strip(records[1]), { level: 'INFO', message: 'multi\nline' });
    assert.deepEqual(strip(records[2]), { level: 'DEBUG', message: 'debug formatted' });
    assert.deepEqual(strip(records[3]), { level: 'WARN', message: 'warning { a: 1 }' });
    assert.equal(records[4].level, 'ERROR');
    assert.match(records[4].message as string, /^error Error: logged error\n {4}at /);
    assert.deepEqual([records[4].errorType, records[4].errorMessage], ['Error', 'logged error']);
    assert.equal((records[4].stackTrace as string[])[0], 'Error: logged error');
    assert.deepEqual(strip(records[6]), { level: 'FATAL', message: 'fatal!' });
    assert.deepEqual(strip(records[7]), { level: 'INFO', message: { structured: true } });
  });

  it('JSON format: tenantId when the invocation has one; an invoke error logged as the error object', async () => {
    session = await startSession('index.throws', { AWS_LAMBDA_LOG_FORMAT: 'JSON' });
    await session.api.invoke({}, { requestId: 'req-2', headers: { 'Lambda-Runtime-Aws-Tenant-Id': 'tenant-1' } });
    const record = JSON.parse(await session.runtime.waitForLine((l) => l.includes('"level":"ERROR"'))) as Record<string, unknown>;
    assert.equal(record.requestId, 'req-2');
    assert.equal(record.tenantId, 'tenant-1');
    const message = record.message as Record<string, unknown>;
    assert.deepEqual([message.errorType, message.errorMessage, message.detail], ['CustomError', 'custom failure', 'extra']);
    assert.equal((message.stackTrace as string[])[0], 'CustomError: custom failure');
  });

  it('lines printed while loading carry request id undefined', async () => {
    session = await startSession('logs-at-init.handler');
    const line = await session.runtime.waitForLine((l) => l.endsWith('loading module'));
    assert.deepEqual(line.split('\t').slice(1), ['undefined', 'INFO', 'loading module']);
  });
});
