import type { Config } from '../config';
import type { Readiness } from '../lifecycle/environment';
import type { Delivery, Settled } from '../lifecycle/sandbox';
import type { Logger } from '../logger';
import type { EventStream, Status, TraceContext } from '../telemetry/events';
import { reportRecord, runtimeDoneRecord, traceContext } from '../telemetry/platformRecords';
import type { Invocation } from './invocation';
import { platformError, timeoutOutcome } from './platformError';

/** What the invoke phase needs of the sandbox it delivers to. */
export interface DeliveryTarget {
  deliver(invocation: Invocation, tracing: string | undefined): Promise<Delivery>;
  within<T>(promise: Promise<T>, deadline: number): Promise<Settled<T>>;
  /**
   * The invocation ran out of time and is no longer waited for: a runtime that answers later is refused (Managed
   * Instances, docs/lambda-behaviour.md#invocation-ids). Absent where a timeout resets the whole sandbox anyway.
   */
  endInvocation?(requestId: string): void;
}

/** What the invoke phase needs of the environment's lifecycle. */
export interface InvokeEnvironment {
  readonly maxMemoryUsedMb: number;
  prepare(requestId: string, tenantId?: string): Promise<Readiness<DeliveryTarget>>;
  invocationDone(sandbox: DeliveryTarget): Promise<void>;
  invocationFailed(sandbox: DeliveryTarget, reason: 'timeout' | 'failure', why: string): Promise<void>;
  recoverFromFault(): Promise<void>;
}

export interface InvokePhaseDeps {
  config: Config;
  events: EventStream;
  log: Logger;
  environment: InvokeEnvironment;
}

/**
 * One invocation's invoke phase, in order: start → ensure init → deliver → await the runtime → await the extensions
 * → settle (freeze, or reset after a timeout or crash) → report. Nothing here is shared between invocations but the
 * environment, so several can be in flight. Never throws: every failure becomes the invocation's outcome.
 */
export async function runInvokePhase(invocation: Invocation, deps: InvokePhaseDeps): Promise<void> {
  try {
    await invokePhase(invocation, deps);
  } catch (error) {
    deps.log.error(`invocation ${invocation.requestId} failed inside the init: ${(error as Error).stack ?? String(error)}`);
    invocation.complete(platformError('failure', 'Sandbox.Failure', `RequestId: ${invocation.requestId} Error: internal error in the execution environment`));
    await deps.environment.recoverFromFault();
  }
}

/** Where the invoke phase stands: `ok` while the runtime (and then the extensions) finished in time. */
interface PhaseResult {
  ok: boolean;
  status: Status;
  errorType: string | undefined;
}

/*
 * The phase is an async function with few locals and the work between its awaits in plain functions: every await
 * saves and restores the async function's registers, and its size is what the optimizing compiler pays for.
 */
async function invokePhase(invocation: Invocation, deps: InvokePhaseDeps): Promise<void> {
  const { environment } = deps;
  const tracing = traceContext(invocation.request.traceId);
  startPhase(invocation, deps, tracing);

  // ensure init
  const ready = await environment.prepare(invocation.requestId, invocation.request.tenantId);
  if (!ready.ok) {
    invocation.complete(ready.outcome);
    invocation.mark('ended');
    return report(invocation, deps, tracing, { ok: false, status: ready.status, errorType: ready.errorType });
  }
  const { sandbox, deadline } = ready;

  // deliver
  invocation.deadline = deadline;
  const delivery = await sandbox.deliver(invocation, tracing?.value);

  // await the runtime
  const runtime = await sandbox.within(delivery.runtime, deadline.at);
  invocation.mark('runtimeDone', runtime.ok ? runtime.value : undefined);
  // Output the runtime wrote just before calling /next may still sit in its pipe: let it reach the log first.
  await afterPendingIo();
  let result = runtimeDone(invocation, deps, tracing, sandbox, runtime);

  // await the extensions
  if (result.ok && delivery.extensions) result = extensionsDone(invocation, await sandbox.within(delivery.extensions, deadline.at), result);
  invocation.mark('ended');

  // settle
  if (result.ok) await environment.invocationDone(sandbox);
  else await settleFailure(invocation, environment, sandbox, result);
  report(invocation, deps, tracing, result, ready);
}

function afterPendingIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function startPhase(invocation: Invocation, { events, config }: InvokePhaseDeps, tracing: TraceContext | undefined): void {
  invocation.mark('started');
  const { requestId, tenantId } = invocation.request;
  events.emit('platform.start', { requestId, version: config.functionVersion, ...(tenantId !== undefined ? { tenantId } : {}), tracing });
}

/** The runtime is back in /next, or failed, or ran out of time: the invocation's status, and platform.runtimeDone. */
function runtimeDone(invocation: Invocation, { events, config }: InvokePhaseDeps, tracing: TraceContext | undefined, sandbox: DeliveryTarget, end: Settled<number>): PhaseResult {
  const { requestId } = invocation;
  let status: Status = 'success';
  let errorType: string | undefined;
  const outcome = invocation.outcome;
  if (end.ok && outcome?.kind === 'error') {
    status = outcome.status;
    if (status !== 'success') errorType = outcome.errorType;
  } else if (!end.ok && end.failure === 'timeout') {
    status = 'timeout';
    sandbox.endInvocation?.(requestId);
    invocation.complete(timeoutOutcome(requestId, config.timeoutSeconds));
  } else if (!end.ok) {
    status = end.failure.errorType.startsWith('Sandbox.') ? 'failure' : 'error';
    errorType = end.failure.errorType;
    invocation.complete(platformError(status, errorType, `RequestId: ${requestId} Error: ${end.failure.message}`));
  }
  if (events.wants('platform.runtimeDone')) {
    events.emit('platform.runtimeDone', runtimeDoneRecord({
      requestId, timeline: invocation.timeline, status, errorType, producedBytes: invocation.producedBytes, tracing,
    }));
  }
  return { ok: end.ok, status, errorType };
}

/** The extensions are back in /event/next, or one of them failed or ran out of time. */
function extensionsDone(invocation: Invocation, extensions: Settled<number>, result: PhaseResult): PhaseResult {
  if (extensions.ok) {
    invocation.mark('extensionsDone', extensions.value);
    return result;
  }
  // The runtime finished, but an extension did not in time (or crashed): the invoke phase fails all the same.
  if (extensions.failure === 'timeout') return { ok: false, status: 'timeout', errorType: undefined };
  return { ok: false, status: 'error', errorType: extensions.failure.errorType };
}

function settleFailure(invocation: Invocation, environment: InvokeEnvironment, sandbox: DeliveryTarget, result: PhaseResult): Promise<void> {
  const timedOut = result.status === 'timeout';
  return environment.invocationFailed(sandbox, timedOut ? 'timeout' : 'failure', `invocation ${invocation.requestId} ${timedOut ? 'timed out' : 'failed'}`);
}

/** END and REPORT; `init` is what the environment said about the Init before the invocation (absent when it failed). */
function report(invocation: Invocation, { events, config, environment }: InvokePhaseDeps, tracing: TraceContext | undefined, result: PhaseResult, init?: { initDurationMs?: number; suppressedInit: boolean }): void {
  const { requestId } = invocation;
  events.emit('platform.end', { requestId });
  events.emit('platform.report', reportRecord({
    requestId, timeline: invocation.timeline, status: result.status, errorType: result.errorType, producedBytes: invocation.producedBytes, tracing,
    memorySizeMb: config.memorySizeMb, maxMemoryUsedMb: environment.maxMemoryUsedMb,
    initDurationMs: init?.initDurationMs, suppressedInit: init?.suppressedInit ?? true,
  }));
}
