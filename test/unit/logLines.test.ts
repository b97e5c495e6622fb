import * as assert from 'node:assert/strict';
import { logText } from '../../src/telemetry/logLines';
import type { PlatformEvent } from '../../src/telemetry/events';

const time = '2024-05-20T16:29:45.022Z';
const id = 'c7bb77a1-774b-42a2-a86a-a8390d6215cd';
const metrics = { durationMs: 3016.78, billedDurationMs: 3101, memorySizeMB: 128, maxMemoryUsedMB: 31 };

describe('Platform log lines (docs/lambda-behaviour.md#log-lines)', () => {
  const cases: Array<[string, PlatformEvent, string | undefined]> = [
    ['START', { type: 'platform.start', time, record: { requestId: id, version: '$LATEST' } }, `START RequestId: ${id} Version: $LATEST\n`],
    ['END', { type: 'platform.end', time, record: { requestId: id } }, `END RequestId: ${id}\n`],
    ['warm REPORT', { type: 'platform.report', time, record: { requestId: id, status: 'success', metrics: { durationMs: 1.2, billedDurationMs: 2, memorySizeMB: 128, maxMemoryUsedMB: 81 } } },
      `REPORT RequestId: ${id}\tDuration: 1.20 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 81 MB\t\n`],
    ['timeout REPORT', { type: 'platform.report', time, record: { requestId: id, status: 'timeout', metrics: { ...metrics, initDurationMs: 84 } } },
      `REPORT RequestId: ${id}\tDuration: 3016.78 ms\tBilled Duration: 3101 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB\tInit Duration: 84.00 ms\tStatus: timeout\n`],
    ['error REPORT', { type: 'platform.report', time, record: { requestId: id, status: 'error', errorType: 'Runtime.ExitError', metrics } },
      `REPORT RequestId: ${id}\tDuration: 3016.78 ms\tBilled Duration: 3101 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB\tStatus: error\tError Type: Runtime.ExitError\n`],
    ['sampled REPORT', { type: 'platform.report', time, record: { requestId: id, status: 'success', metrics: { ...metrics, durationMs: 3.1 },
      tracing: { spanId: 'd0025b207c551fde', type: 'X-Amzn-Trace-Id', value: 'Root=1-6a507b87-0cc4438344b48ef127ab1931;Parent=d0025b207c551fde;Sampled=1' } } },
      `REPORT RequestId: ${id}\tDuration: 3.10 ms\tBilled Duration: 3101 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB\t\nXRAY TraceId: 1-6a507b87-0cc4438344b48ef127ab1931\tSegmentId: d0025b207c551fde\tSampled: true\t\n`],
    ['INIT_START', { type: 'platform.initStart', time, record: { initializationType: 'on-demand', phase: 'init', runtimeVersion: 'nodejs:24.v48', runtimeVersionArn: 'arn:aws:lambda:us-west-2::runtime:abc', functionName: 'f', functionVersion: '$LATEST', instanceId: 'i', instanceMaxMemory: 128 } },
      'INIT_START Runtime Version: nodejs:24.v48\tRuntime Version ARN: arn:aws:lambda:us-west-2::runtime:abc\n'],
    ['suppressed initStart', { type: 'platform.initStart', time, record: { initializationType: 'on-demand', phase: 'invoke', runtimeVersion: 'x', runtimeVersionArn: 'y', functionName: 'f', functionVersion: '$LATEST', instanceId: 'i', instanceMaxMemory: 128 } }, undefined],
    ['INIT_REPORT timeout', { type: 'platform.initReport', time, record: { initializationType: 'on-demand', phase: 'init', status: 'timeout', metrics: { durationMs: 1236.04 } } },
      'INIT_REPORT Init Duration: 1236.04 ms\tPhase: init\tStatus: timeout\n'],
    ['INIT_REPORT error', { type: 'platform.initReport', time, record: { initializationType: 'on-demand', phase: 'invoke', status: 'error', errorType: 'Runtime.ImportModuleError', metrics: { durationMs: 87.28 } } },
      'INIT_REPORT Init Duration: 87.28 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.ImportModuleError\n'],
    ['successful initReport', { type: 'platform.initReport', time, record: { initializationType: 'on-demand', phase: 'init', status: 'success', metrics: { durationMs: 5 } } }, undefined],
    ['function line', { type: 'function', time, record: 'hello\n' }, 'hello\n'],
  ];
  for (const [name, event, expected] of cases) {
    it(name, () => assert.equal(logText(event, 'Text'), expected));
  }

  it('writes the Telemetry API shapes as JSON lines in the JSON format, with no END', () => {
    const start: PlatformEvent = { type: 'platform.start', time, record: { requestId: id, version: '$LATEST' } };
    assert.deepEqual(JSON.parse(logText(start, 'JSON') ?? ''), start);
    assert.equal(logText({ type: 'platform.end', time, record: { requestId: id } }, 'JSON'), undefined);
    assert.equal(logText({ type: 'function', time, record: '{"level":"INFO"}\n' }, 'JSON'), '{"level":"INFO"}\n');
  });
});
