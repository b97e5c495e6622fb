import * as assert from 'node:assert/strict';
import { reportRecord, runtimeDoneRecord, traceContext } from '../../../src/telemetry/platformRecords';

const base = { requestId: 'r-1', status: 'success' as const, producedBytes: 10, memorySizeMb: 128, maxMemoryUsedMb: 40 };

describe('platform records from an invocation timeline', () => {
  it('ends Duration when the runtime and extensions are done, however late REPORT is computed (freeze excluded)', async () => {
    const t0 = performance.now();
    const timeline = { received: t0, started: t0 + 1, delivered: t0 + 2, runtimeDone: t0 + 12, extensionsDone: t0 + 17, ended: t0 + 17 };
    const now = reportRecord({ ...base, timeline, suppressedInit: false });
    await new Promise((resolve) => setTimeout(resolve, 30)); // a slow freeze happens between the phase's end and REPORT
    const later = reportRecord({ ...base, timeline, suppressedInit: false });
    assert.equal(now.metrics.durationMs, 15);
    assert.equal(later.metrics.durationMs, 15);
    assert.equal(later.metrics.billedDurationMs, 15);
    assert.deepEqual(later.spans?.map((s) => [s.name, s.durationMs]), [['extensionOverhead', 5]]);
  });

  it('counts a suppressed init from the start of the phase and bills a cold start its Init Duration', () => {
    const timeline = { received: 0, started: 10, delivered: 110, runtimeDone: 120.4, ended: 120.4 };
    assert.equal(reportRecord({ ...base, timeline, suppressedInit: true }).metrics.durationMs, 110.4);
    const cold = reportRecord({ ...base, timeline, suppressedInit: false, initDurationMs: 80.25 });
    assert.equal(cold.metrics.durationMs, 10.4);
    assert.equal(cold.metrics.billedDurationMs, 91);
    assert.equal(cold.metrics.initDurationMs, 80.25);
  });

  it('gives runtimeDone its response spans and omits errorType where the schema has none', () => {
    const timeline = { received: 0, started: 0, delivered: 1, responseStarted: 3, responseEnded: 4, runtimeDone: 6 };
    const record = runtimeDoneRecord({ ...base, timeline, status: 'timeout', errorType: 'Sandbox.Timedout' });
    assert.equal(record.status, 'timeout');
    assert.equal('errorType' in record, false);
    assert.deepEqual(record.spans.map((s) => [s.name, s.durationMs]), [['responseLatency', 2], ['responseDuration', 1], ['runtimeOverhead', 2]]);
    assert.equal(record.metrics.durationMs, 5);
  });

  it('reads the parent span from the trace header', () => {
    assert.deepEqual(traceContext('Root=1-5e272390-8c4d2c1d1d3cbb2d3c8e6b8a;Parent=53995c3f42cd8ad8;Sampled=1'), {
      spanId: '53995c3f42cd8ad8', type: 'X-Amzn-Trace-Id', value: 'Root=1-5e272390-8c4d2c1d1d3cbb2d3c8e6b8a;Parent=53995c3f42cd8ad8;Sampled=1',
    });
    assert.equal(traceContext(''), undefined);
  });
});
