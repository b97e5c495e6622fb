import * as assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config';
import { EntrypointError, type RuntimeCommand } from '../../../src/launch/runtimeCommand';
import { Environment } from '../../../src/lifecycle/environment';
import type { Logger } from '../../../src/logger';
import { NoFreezer } from '../../../src/process/freezer/no-freezer';
import { EventStream, type PlatformEvent } from '../../../src/telemetry/events';

/**
 * The environment's lifecycle with a runtime that cannot be found (a scripted resolveRuntime): no process is started,
 * so the Init phase's events, the suppressed init inside an invoke, the state machine and the shutdown can be read
 * exactly. Sandboxes with real processes are the integration tests' business.
 */

const quiet: Logger = { log() {}, error() {}, warn() {}, info() {}, debug() {} };

function environmentWithoutRuntime(): { environment: Environment; events: PlatformEvent[]; resolved: () => number } {
  const stream = new EventStream();
  const events: PlatformEvent[] = [];
  stream.subscribe((event) => events.push(event));
  let resolved = 0;
  const environment = new Environment({
    config: loadConfig({ AWS_LAMBDA_FUNCTION_TIMEOUT: '2' }, []),
    events: stream,
    log: quiet,
    freezer: new NoFreezer(),
    instanceId: 'instance-1',
    resolveRuntime: async (): Promise<RuntimeCommand> => {
      resolved++;
      throw new EntrypointError("Couldn't find valid bootstrap(s): [/var/task/bootstrap]");
    },
  });
  return { environment, events, resolved: () => resolved };
}

describe('Environment lifecycle', () => {
  it('reports a failed Init with its events in order and Lambda\'s two error lines, and stays Uninitialized', async () => {
    const { environment, events } = environmentWithoutRuntime();
    assert.equal(await environment.initialize(), false);
    assert.deepEqual(events.map((e) => e.type), ['platform.initStart', 'function', 'function', 'platform.initRuntimeDone', 'platform.initReport']);
    assert.deepEqual(events.filter((e) => e.type === 'function').map((e) => e.record), [
      "Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap]", 'Runtime.InvalidEntrypoint',
    ]);
    const report = events[4];
    assert.ok(report.type === 'platform.initReport');
    assert.deepEqual([report.record.phase, report.record.status, report.record.errorType], ['init', 'error', 'Runtime.InvalidEntrypoint']);
    assert.equal(environment.state.state, 'Uninitialized');
  });

  it('runs the suppressed Init inside the invoke and hands the caller its error', async () => {
    const { environment, events, resolved } = environmentWithoutRuntime();
    await environment.initialize();
    events.length = 0;
    const readiness = await environment.prepare('req-1');
    assert.equal(readiness.ok, false);
    assert.ok(!readiness.ok);
    assert.equal(readiness.errorType, 'Runtime.InvalidEntrypoint');
    assert.deepEqual(JSON.parse(String(readiness.outcome.kind === 'error' && readiness.outcome.body)), {
      errorMessage: "RequestId: req-1 Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap]", errorType: 'Runtime.InvalidEntrypoint',
    });
    const initReport = events.find((e) => e.type === 'platform.initReport');
    assert.ok(initReport?.type === 'platform.initReport');
    assert.equal(initReport.record.phase, 'invoke');
    assert.equal(events.some((e) => e.type === 'function'), false, 'the lines are for the init phase; the invoke carries the error');
    assert.equal(resolved(), 2);
  });

  it('shuts down once, from any state, and then takes no invocation', async () => {
    const { environment } = environmentWithoutRuntime();
    await environment.initialize();
    await environment.shutdown();
    await environment.shutdown();
    assert.equal(environment.state.state, 'Stopped');
    const readiness = await environment.prepare('late').catch((error: Error) => error);
    assert.ok(readiness instanceof Error || readiness.ok === false, 'no sandbox for an invocation after shutdown');
  });
});
