import * as assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config';
import { Invocation, deadlineAfter, type Outcome, type ReplyPort } from '../../../src/invoke/invocation';
import { runInvokePhase, type DeliveryTarget, type InvokeEnvironment } from '../../../src/invoke/invokePhase';
import type { Readiness } from '../../../src/lifecycle/environment';
import type { Delivery, Settled } from '../../../src/lifecycle/sandbox';
import type { Logger } from '../../../src/logger';
import { EventStream, type PlatformEvent } from '../../../src/telemetry/events';

/**
 * The invoke phase's sequence with a scripted environment and sandbox: what it emits, what the caller gets, and how it
 * settles. The processes, the Runtime API and the timing are the integration tests' business.
 */

const config = loadConfig({ AWS_LAMBDA_FUNCTION_TIMEOUT: '3' }, []);
/** Quiet: the fault test makes the phase log a stack trace on purpose. */
const log: Logger = { log() {}, error() {}, warn() {}, info() {}, debug() {} };

class RecordedReply implements ReplyPort {
  outcome: Outcome | undefined;
  streamStart(): void {}
  streamChunk(): void {}
  complete(outcome: Outcome): void {
    this.outcome = outcome;
  }
}

/** A sandbox whose runtime answers (or not) as the test says, and whose within() settles as the test says. */
class ScriptedSandbox implements DeliveryTarget {
  constructor(private readonly script: { answer?: Outcome; runtime: Settled<number>; extensions?: Settled<number> }) {}

  async deliver(invocation: Invocation): Promise<Delivery> {
    invocation.mark('delivered');
    if (this.script.answer) invocation.complete(this.script.answer);
    return { runtime: Promise.resolve(0), extensions: this.script.extensions ? Promise.resolve(0) : undefined };
  }

  private calls = 0;
  async within<T>(): Promise<Settled<T>> {
    this.calls++;
    return (this.calls === 1 ? this.script.runtime : this.script.extensions) as Settled<T>;
  }
}

class ScriptedEnvironment implements InvokeEnvironment {
  readonly maxMemoryUsedMb = 42;
  readonly calls: string[] = [];
  constructor(private readonly readiness: Readiness<DeliveryTarget>) {}
  async prepare(): Promise<Readiness<DeliveryTarget>> {
    this.calls.push('prepare');
    return this.readiness;
  }
  async invocationDone(): Promise<void> {
    this.calls.push('done');
  }
  async invocationFailed(_sandbox: DeliveryTarget, reason: string): Promise<void> {
    this.calls.push(`failed:${reason}`);
  }
  async recoverFromFault(): Promise<void> {
    this.calls.push('recover');
  }
}

async function run(environment: InvokeEnvironment): Promise<{ events: PlatformEvent[]; reply: RecordedReply }> {
  const events = new EventStream();
  const seen: PlatformEvent[] = [];
  events.subscribe((event) => seen.push(event));
  const reply = new RecordedReply();
  const invocation = new Invocation({ requestId: 'req-1', payload: Buffer.from('{}'), contentType: 'application/json', invokedFunctionArn: 'arn', traceId: '' }, reply);
  await runInvokePhase(invocation, { config, events, log, environment });
  return { events: seen, reply };
}

const ready = (sandbox: DeliveryTarget, initDurationMs?: number): Readiness<DeliveryTarget> =>
  ({ ok: true, sandbox, deadline: deadlineAfter(3000), initDurationMs, suppressedInit: false });

describe('The invoke phase', () => {
  it('emits start, runtimeDone, end and report in order, answers the caller and settles Ready', async () => {
    const answer: Outcome = { kind: 'success', contentType: 'application/json', body: Buffer.from('"ok"') };
    const environment = new ScriptedEnvironment(ready(new ScriptedSandbox({ answer, runtime: { ok: true, value: performance.now() } }), 12.5));
    const { events, reply } = await run(environment);
    assert.deepEqual(events.map((e) => e.type), ['platform.start', 'platform.runtimeDone', 'platform.end', 'platform.report']);
    assert.deepEqual(reply.outcome, answer);
    assert.deepEqual(environment.calls, ['prepare', 'done']);
    const report = events[3];
    assert.ok(report.type === 'platform.report');
    assert.equal(report.record.status, 'success');
    assert.equal(report.record.metrics.initDurationMs, 12.5);
    assert.equal(report.record.metrics.maxMemoryUsedMB, 42);
  });

  it('answers Sandbox.Timedout and resets when the runtime does not finish in time', async () => {
    const environment = new ScriptedEnvironment(ready(new ScriptedSandbox({ runtime: { ok: false, failure: 'timeout' } })));
    const { events, reply } = await run(environment);
    assert.equal(reply.outcome?.kind === 'error' && reply.outcome.errorType, 'Sandbox.Timedout');
    assert.match(String(reply.outcome?.kind === 'error' && reply.outcome.body), /Task timed out after 3\.00 seconds/);
    assert.deepEqual(environment.calls, ['prepare', 'failed:timeout']);
    const report = events.find((e) => e.type === 'platform.report');
    assert.equal(report?.type === 'platform.report' && report.record.status, 'timeout');
  });

  it('fails the phase when an extension crashes after the runtime answered, though the caller has its answer', async () => {
    const answer: Outcome = { kind: 'success', contentType: 'application/json', body: Buffer.from('1') };
    const sandbox = new ScriptedSandbox({ answer, runtime: { ok: true, value: 0 }, extensions: { ok: false, failure: { errorType: 'Extension.Crash', message: 'gone' } } });
    const environment = new ScriptedEnvironment(ready(sandbox));
    const { events, reply } = await run(environment);
    assert.deepEqual(reply.outcome, answer);
    assert.deepEqual(environment.calls, ['prepare', 'failed:failure']);
    const report = events.find((e) => e.type === 'platform.report');
    assert.deepEqual(report?.type === 'platform.report' && [report.record.status, report.record.errorType], ['error', 'Extension.Crash']);
  });

  it('answers the init failure of a suppressed init and reports it without delivering anything', async () => {
    const outcome: Outcome = { kind: 'error', status: 'error', errorType: 'Runtime.InvalidEntrypoint', body: Buffer.from('{}') };
    const environment = new ScriptedEnvironment({ ok: false, outcome, status: 'error', errorType: 'Runtime.InvalidEntrypoint' });
    const { events, reply } = await run(environment);
    assert.deepEqual(reply.outcome, outcome);
    assert.deepEqual(events.map((e) => e.type), ['platform.start', 'platform.end', 'platform.report']);
    assert.deepEqual(environment.calls, ['prepare']);
  });

  it('turns a fault of its own into Sandbox.Failure and starts the environment over', async () => {
    const environment = new ScriptedEnvironment(ready(new ScriptedSandbox({ runtime: { ok: true, value: 0 } })));
    environment.prepare = async () => {
      throw new Error('injected fault');
    };
    const { reply } = await run(environment);
    assert.equal(reply.outcome?.kind === 'error' && reply.outcome.errorType, 'Sandbox.Failure');
    assert.deepEqual(environment.calls, ['recover']);
  });
});
