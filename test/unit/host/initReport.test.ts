import * as assert from 'node:assert/strict';
import { describeInitFailure, initFailures } from '../../../src/host/initReport';

describe('host: a failed Init read from the container log', () => {
  it('finds INIT_REPORT with its error type and the runtime\'s error message before it', () => {
    const lines = [
      'INIT_START Runtime Version: nodejs:24.emulated\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:emulated',
      '[lambda-sandbox] INFO starting runtime: node bootstrap.js (built-in Node.js runtime)',
      '2026-11-30T00:48:37.062Z\tundefined\tERROR\tUncaught Exception \t{"errorType":"Runtime.ImportModuleError",' +
        '"errorMessage":"Error: Cannot find module \'index\'\\nRequire stack:\\n- /var/runtime/index.mjs","stack":[]}',
      '[lambda-sandbox] INFO sandbox failed: Runtime.ImportModuleError: the runtime reported an init error (Runtime.ImportModuleError)',
      'INIT_REPORT Init Duration: 629.58 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError',
    ];
    const [failure, ...more] = initFailures(lines);
    assert.deepEqual(more, []);
    assert.deepEqual(failure, { status: 'error', errorType: 'Runtime.ImportModuleError', detail: "Error: Cannot find module 'index'" });
    assert.equal(describeInitFailure(failure), "Init failed (Runtime.ImportModuleError): Error: Cannot find module 'index'");
  });

  it('reads Lambda\'s two lines for a failure the platform found (the message, then the type alone)', () => {
    const lines = [
      '[lambda-sandbox] WARN Init failed (init phase): Runtime.InvalidEntrypoint: Couldn\'t find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]',
      'Error: Couldn\'t find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]',
      'Runtime.InvalidEntrypoint',
      'INIT_REPORT Init Duration: 0.52 ms\tPhase: init\tStatus: error\tError Type: Runtime.InvalidEntrypoint',
    ];
    assert.deepEqual(initFailures(lines), [{
      status: 'error', errorType: 'Runtime.InvalidEntrypoint', detail: 'Couldn\'t find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]',
    }]);
    assert.deepEqual(initFailures([lines[0], lines[3]]), [{
      status: 'error', errorType: 'Runtime.InvalidEntrypoint', detail: 'Couldn\'t find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]',
    }], 'from the diagnostics when the log stream has no error line');
  });

  it('reads a timeout, which has no error type', () => {
    const [failure] = initFailures(['INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout']);
    assert.deepEqual(failure, { status: 'timeout' });
    assert.equal(describeInitFailure(failure), 'Init timed out');
  });

  it('reads the JSON log format\'s platform.initReport, and a plain error line', () => {
    const lines = [
      'bootstrap: fatal: Runtime.ExitError: exit status 3 before /next',
      '{"time":"2026-11-30T00:00:00.000Z","type":"platform.initReport","record":{"initializationType":"on-demand",' +
        '"phase":"init","status":"error","errorType":"Runtime.ExitError","metrics":{"durationMs":12.5}}}',
    ];
    assert.deepEqual(initFailures(lines), [
      { status: 'error', errorType: 'Runtime.ExitError', detail: 'bootstrap: fatal: Runtime.ExitError: exit status 3 before /next' },
    ]);
  });

  it('finds nothing in the log of an Init that succeeded, and each failure once', () => {
    assert.deepEqual(initFailures(['INIT_START Runtime Version: x', 'START RequestId: 1 Version: $LATEST', 'END RequestId: 1']), []);
    const twice = initFailures([
      'INIT_REPORT Init Duration: 1.00 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError',
      'INIT_REPORT Init Duration: 1.00 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.ExitError',
    ]);
    assert.deepEqual(twice, [{ status: 'error', errorType: 'Runtime.ExitError' }, { status: 'error', errorType: 'Runtime.ExitError' }]);
  });
});
