import type { Config } from '../config';
import type { Readiness } from '../lifecycle/environment';
import type { Delivery, Settled } from '../lifecycle/sandbox';
import type { Logger } from '../logger';
import type { EventStream, Status } from '../telemetry/events';
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

async function invokePhase(invocation: Invocation, deps: InvokePhaseDeps): Promise<void> {
  const { events, config, environment } = deps;
  const { requestId } = invocation;
  const tracing = traceContext(invocation.request.traceId);

  // start
  invocation.mark('started');
  const { tenantId } = invocation.request;
  events.emit('platform.start', { requestId, version: config.functionVersion, ...(tenantId !== undefined ? { tenantId } : {}), tracing });

  // ensure init
  const ready = await environment.prepare(requestId, tenantId);
  const report = (status: Status, errorType: string | undefined, init?: { initDurationMs?: number; suppressedInit: boolean }): void => {
    events.emit('platform.end', { requestId });
    events.emit('platform.report', reportRecord({
      requestId, timeline: invocation.timeline, status, errorType, producedBytes: invocation.producedBytes, tracing,
      memorySizeMb: config.memorySizeMb, maxMemoryUsedMb: environment.maxMemoryUsedMb,
      initDurationMs: init?.initDurationMs, suppressedInit: init?.suppressedInit ?? true,
    }));
  };
  if (!ready.ok) {
    invocation.complete(ready.outcome);
    invocation.mark('ended');
    return report(ready.status, ready.errorType);
  }
  const { sandbox, deadline } = ready;

  // deliver
  invocation.deadline = deadline;
  const delivery = await sandbox.deliver(invocation, tracing?.value);

  // await the runtime
  let end = await sandbox.within(delivery.runtime, deadline.at);
  invocation.mark('runtimeDone', end.ok ? end.value : undefined);
  // Output the runtime wrote just before calling /next may still sit in its pipe: let it reach the log first.
  await new Promise((resolve) => setImmediate(resolve));
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
  events.emit('platform.runtimeDone', runtimeDoneRecord({
    requestId, timeline: invocation.timeline, status, errorType, producedBytes: invocation.producedBytes, tracing,
  }));

  // await the extensions
  if (end.ok) {
    const extensions = await sandbox.within(delivery.extensions, deadline.at);
    if (extensions.ok && extensions.value !== undefined) invocation.mark('extensionsDone', extensions.value);
    if (!extensions.ok) {
      // The runtime finished, but an extension did not in time (or crashed): the invoke phase fails all the same.
      end = extensions;
      status = extensions.failure === 'timeout' ? 'timeout' : 'error';
      errorType = extensions.failure === 'timeout' ? undefined : extensions.failure.errorType;
    }
  }
  invocation.mark('ended');

  // settle
  if (end.ok) await environment.invocationDone(sandbox);
  else await environment.invocationFailed(sandbox, status === 'timeout' ? 'timeout' : 'failure', `invocation ${requestId} ${status === 'timeout' ? 'timed out' : 'failed'}`);
  report(status, errorType, ready);
}
