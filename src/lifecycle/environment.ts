import type { Config } from '../config';
import type { Logger } from '../logger';
import { EntrypointError, type RuntimeCommand } from '../launch/runtimeCommand';
import type { Freezer } from '../process/freezer';
import { statusFields, type EventStream, type Phase, type Span, type Status, type TraceContext } from '../telemetry/events';
import { newEnvironmentStateMachine, type EnvironmentState } from './environmentState';
import { platformError, type Invocation, type Outcome } from '../invoke/invocation';
import { Sandbox, type SandboxFailure, type TelemetryControl } from './sandbox';

export interface EnvironmentOptions {
  config: Config;
  events: EventStream;
  log: Logger;
  resolveRuntime: () => Promise<RuntimeCommand>;
  freezer: Freezer;
  telemetry?: TelemetryControl & { reset(): void };
  instanceId: string;
  /** Shut the sandbox down (SHUTDOWN spindown) after this long without invokes; 0 = never. */
  idleShutdownMs?: number;
  /** True when another invocation is already waiting: freezing now would only be undone at once. */
  invocationWaiting?: () => boolean;
}

type InitResult = { ok: true; durationMs: number } | { ok: false; durationMs: number; status: Status; failure: SandboxFailure | 'timeout' };

const toIso = (performanceTime: number): string => new Date(performance.timeOrigin + performanceTime).toISOString();
const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;
/** Billed duration is whole milliseconds, rounded up (computed on the µs-rounded value so 2.000 ms bills 2). */
const billed = (ms: number): number => Math.ceil(round3(ms));

/**
 * The execution environment: runs Init at start and again inside an invoke after a failure or reset (suppressed
 * init), one invocation at a time, resets on timeout or crash, and shuts down. Every platform event is emitted
 * here, once.
 */
export class Environment {
  readonly state = newEnvironmentStateMachine();
  sandbox: Sandbox | undefined;
  private pendingInitDurationMs: number | undefined;
  /** After an idle spin-down the next Init is a cold one again (INIT_START, Init Duration). */
  private coldInitNext = false;
  private maxMemoryMb = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly config: Config;

  constructor(private readonly options: EnvironmentOptions) {
    this.config = options.config;
  }

  get timeoutMs(): number {
    return this.config.timeoutSeconds * 1000;
  }

  /** The on-demand Init phase at start, under the init time limit. */
  async initialize(): Promise<boolean> {
    const result = await this.runInit('init', performance.now() + this.config.initTimeoutMs);
    if (result.ok) {
      this.pendingInitDurationMs = result.durationMs;
      this.armIdleShutdown();
    }
    return result.ok;
  }

  /** Runs one invocation to the end of its invoke phase (after REPORT). Never throws. */
  async invoke(invocation: Invocation): Promise<void> {
    try {
      await this.runInvocation(invocation);
    } catch (error) {
      // A fault of the init itself: answer the caller, and start over with a fresh sandbox rather than limp on.
      this.options.log.error(`invocation ${invocation.requestId} failed inside the init: ${(error as Error).stack ?? String(error)}`);
      invocation.complete(platformError('failure', 'Sandbox.Failure', `RequestId: ${invocation.requestId} Error: internal error in the execution environment`));
      await this.discardSandbox('failure').catch(() => undefined);
      this.settle('Uninitialized');
    }
  }

  private async runInvocation(invocation: Invocation): Promise<void> {
    clearTimeout(this.idleTimer);
    const { events, config } = this.options;
    invocation.startedAt = performance.now();
    const tracing = traceContext(invocation.request.traceId);
    events.emit('platform.start', { requestId: invocation.requestId, version: config.functionVersion, tracing });
    invocation.deadlineMs = Date.now() + this.timeoutMs;
    let deadline = invocation.startedAt + this.timeoutMs;
    let initDurationMs = this.pendingInitDurationMs;
    this.pendingInitDurationMs = undefined;
    let suppressedInit = false;

    if (this.coldInitNext && this.state.is('Uninitialized')) {
      this.coldInitNext = false;
      const init = await this.runInit('init', performance.now() + this.config.initTimeoutMs);
      if (init.ok) initDurationMs = init.durationMs;
      deadline = performance.now() + this.timeoutMs;
      invocation.deadlineMs = Date.now() + this.timeoutMs;
    }
    if (!this.state.is('Ready')) {
      suppressedInit = true;
      const init = await this.runInit('invoke', deadline);
      if (!init.ok) {
        invocation.complete(this.initOutcome(init, invocation.requestId));
        const errorType = init.failure === 'timeout' ? undefined : init.failure.errorType;
        this.report(invocation, { status: init.status, errorType, from: invocation.startedAt, tracing });
        return;
      }
    } else {
      deadline = performance.now() + this.timeoutMs;
      invocation.deadlineMs = Date.now() + this.timeoutMs;
    }

    const sandbox = this.sandbox;
    if (!sandbox || this.state.is('ShuttingDown', 'Stopped')) {
      invocation.complete(platformError('failure', 'Sandbox.Failure', `RequestId: ${invocation.requestId} Error: the environment is shutting down`));
      this.report(invocation, { status: 'failure', errorType: 'Sandbox.Failure', from: invocation.startedAt, tracing });
      return;
    }
    this.state.transition('Invoking');
    const phase = await sandbox.invoke(invocation, tracing?.value);
    let end = await sandbox.within(phase.runtime, deadline);
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
      invocation.complete(this.timeoutOutcome(invocation.requestId));
    } else if (!end.ok) {
      status = end.failure.errorType.startsWith('Sandbox.') ? 'failure' : 'error';
      errorType = end.failure.errorType;
      invocation.complete(platformError(status, errorType, `RequestId: ${invocation.requestId} Error: ${end.failure.message}`));
    }
    this.emitRuntimeDone(invocation, status, errorType, tracing);
    const runtimeDoneAt = sandbox.runtime?.lastNextAt ?? performance.now();

    if (end.ok) {
      end = await sandbox.within(phase.all, deadline);
      if (!end.ok) {
        // The runtime finished, but an extension did not in time (or crashed): the invoke phase fails all the same.
        status = end.failure === 'timeout' ? 'timeout' : 'error';
        errorType = end.failure === 'timeout' ? undefined : end.failure.errorType;
      }
    }
    this.sampleMemory(sandbox);
    const extensionsDoneAt = end.ok ? sandbox.extensionsDoneAt() : undefined;
    if (end.ok) {
      this.settle('Ready');
      if (!this.options.invocationWaiting?.()) await this.freeze(sandbox);
      this.armIdleShutdown();
    } else {
      await this.reset(status === 'timeout' ? 'timeout' : 'failure', `invocation ${invocation.requestId} ${status === 'timeout' ? 'timed out' : 'failed'}`);
    }
    const spans: Span[] = extensionsDoneAt === undefined ? [] : [{
      name: 'extensionOverhead', start: toIso(runtimeDoneAt), durationMs: round3(Math.max(0, extensionsDoneAt - runtimeDoneAt)),
    }];
    this.report(invocation, {
      status,
      errorType,
      from: suppressedInit ? invocation.startedAt : invocation.deliveredAt ?? invocation.startedAt,
      initDurationMs: suppressedInit ? undefined : initDurationMs,
      tracing,
      spans,
    });
  }

  /** Stops the sandbox (SHUTDOWN spindown to the extensions); the environment is then Stopped. */
  async shutdown(): Promise<void> {
    clearTimeout(this.idleTimer);
    if (this.state.is('ShuttingDown', 'Stopped')) return;
    this.state.transition('ShuttingDown');
    await this.discardSandbox('spindown');
    this.state.transition('Stopped');
  }

  private async runInit(phase: Phase, deadline: number): Promise<InitResult> {
    const { events, config } = this.options;
    this.state.transition('Initializing');
    const started = performance.now();
    const command = await this.options.resolveRuntime().catch((error: unknown) => {
      if (error instanceof EntrypointError) return { errorType: error.errorType, message: error.message };
      throw error;
    });
    const managed = 'command' in command ? command.managedRuntime : undefined;
    // The previous sandbox's subscriptions are gone with it; this Init's events are kept for new subscribers.
    this.options.telemetry?.reset();
    events.emit('platform.initStart', {
      initializationType: config.initializationType,
      phase,
      // The built-in Node.js runtime reports itself like a managed one unless a version was configured.
      runtimeVersion: managed && !config.runtimeVersionSet ? `nodejs:${process.versions.node.split('.')[0]}.emulated` : config.runtimeVersion,
      runtimeVersionArn: config.runtimeVersionArn,
      functionName: config.functionName,
      functionVersion: config.functionVersion,
      instanceId: this.options.instanceId,
      instanceMaxMemory: config.memorySizeMb,
    });
    const result = 'command' in command ? await this.startSandbox(command, deadline) : command;
    const durationMs = performance.now() - started;
    const status: Status = result === 'ok' ? 'success' : result === 'timeout' ? 'timeout' : 'error';
    const errorType = typeof result === 'object' ? result.errorType : undefined;
    const base = { initializationType: config.initializationType, phase, ...statusFields(status, errorType) };
    events.emit('platform.initRuntimeDone', base);
    for (const extension of this.sandbox?.extensions.all ?? []) {
      const failed = !extension.state.is('Ready', 'Running');
      events.emit('platform.extension', {
        name: extension.name,
        state: extension.state.state,
        events: extension.events,
        ...(failed && extension.errorType ? { errorType: extension.errorType } : {}),
      });
    }
    events.emit('platform.initReport', { ...base, metrics: { durationMs: round3(durationMs) } });
    if (result === 'ok') {
      this.settle('Ready');
      if (this.sandbox) {
        this.sampleMemory(this.sandbox);
        await this.freeze(this.sandbox);
      }
      return { ok: true, durationMs };
    }
    await this.discardSandbox(result === 'timeout' ? 'timeout' : 'failure');
    this.settle('Uninitialized');
    return { ok: false, durationMs, status, failure: result };
  }

  /** A new sandbox, initialised: 'ok', 'timeout', or what failed. */
  private async startSandbox(command: RuntimeCommand, deadline: number): Promise<'ok' | 'timeout' | SandboxFailure> {
    const sandbox = new Sandbox({
      config: this.config, events: this.options.events, log: this.options.log,
      freezer: this.options.freezer, telemetry: this.options.telemetry,
    });
    this.sandbox = sandbox;
    void sandbox.failed.promise.then((failure) => this.onIdleFailure(sandbox, failure));
    const result = await sandbox.init(command, deadline);
    return result.ok ? 'ok' : result.failure;
  }

  /** A sandbox that breaks between invocations leaves the environment uninitialised; the next invoke re-inits. */
  private onIdleFailure(sandbox: Sandbox, failure: SandboxFailure): void {
    if (this.sandbox !== sandbox || !this.state.is('Ready')) return;
    this.options.log.warn(`${failure.message} while idle; the next invoke will initialise again`);
    clearTimeout(this.idleTimer);
    this.settle('Uninitialized');
    void this.discardSandbox('failure');
  }

  private initOutcome(init: Extract<InitResult, { ok: false }>, requestId: string): Outcome {
    if (init.failure === 'timeout') return this.timeoutOutcome(requestId);
    const { errorType, message, body } = init.failure;
    if (body) return { kind: 'error', status: 'error', errorType, body };
    return platformError('error', errorType, `RequestId: ${requestId} Error: ${message}`);
  }

  private timeoutOutcome(requestId: string): Outcome {
    return platformError('timeout', 'Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${this.config.timeoutSeconds.toFixed(2)} seconds`);
  }

  /** Reset after a timeout or crash (spec 1.4): stop the sandbox; the next invoke does a suppressed init. */
  private async reset(reason: 'timeout' | 'failure', why: string): Promise<void> {
    this.options.log.info(`resetting the environment: ${why}`);
    await this.discardSandbox(reason);
    this.settle('Uninitialized');
  }

  private async discardSandbox(reason: 'spindown' | 'timeout' | 'failure'): Promise<void> {
    const sandbox = this.sandbox;
    this.sandbox = undefined;
    if (sandbox) await sandbox.stop(reason);
  }

  private async freeze(sandbox: Sandbox): Promise<void> {
    try {
      await sandbox.freeze();
    } catch (error) {
      this.options.log.warn(`could not freeze the sandbox: ${(error as Error).message}`);
    }
  }

  private armIdleShutdown(): void {
    const idle = this.options.idleShutdownMs ?? 0;
    if (idle <= 0) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (!this.state.is('Ready')) return;
      this.options.log.info(`no invoke for ${idle} ms: shutting the sandbox down (spindown)`);
      this.state.transition('Uninitialized');
      this.coldInitNext = true;
      void this.discardSandbox('spindown');
    }, idle);
    this.idleTimer.unref();
  }

  /** Moves on after a phase, unless a shutdown has taken over the environment meanwhile. */
  private settle(to: EnvironmentState): void {
    if (!this.state.is('ShuttingDown', 'Stopped') && this.state.state !== to) this.state.transition(to);
  }

  private sampleMemory(sandbox: Sandbox): void {
    this.maxMemoryMb = Math.max(this.maxMemoryMb, sandbox.memoryMb());
  }

  private emitRuntimeDone(invocation: Invocation, status: Status, errorType: string | undefined, tracing?: TraceContext): void {
    const delivered = invocation.deliveredAt ?? invocation.startedAt;
    const end = status === 'success' ? this.sandbox?.runtime?.lastNextAt ?? performance.now() : performance.now();
    const spans: Span[] = [];
    const { responseStartedAt: first, responseEndedAt: last } = invocation;
    if (first !== undefined && last !== undefined && invocation.deliveredAt !== undefined) {
      spans.push({ name: 'responseLatency', start: toIso(delivered), durationMs: round3(Math.max(0, first - delivered)) });
      spans.push({ name: 'responseDuration', start: toIso(first), durationMs: round3(Math.max(0, last - first)) });
      spans.push({ name: 'runtimeOverhead', start: toIso(last), durationMs: round3(Math.max(0, end - last)) });
    }
    this.options.events.emit('platform.runtimeDone', {
      requestId: invocation.requestId,
      ...statusFields(status, errorType),
      metrics: { durationMs: round3(Math.max(0, end - delivered)), producedBytes: invocation.producedBytes },
      spans,
      ...(tracing ? { tracing } : {}),
    });
  }

  private report(
    invocation: Invocation,
    r: { status: Status; errorType?: string; from: number; initDurationMs?: number; tracing?: TraceContext; spans?: Span[] },
  ): void {
    const { events, config } = this.options;
    const durationMs = performance.now() - r.from;
    events.emit('platform.end', { requestId: invocation.requestId });
    events.emit('platform.report', {
      requestId: invocation.requestId,
      ...statusFields(r.status, r.errorType),
      metrics: {
        durationMs: round3(durationMs),
        billedDurationMs: billed(durationMs + (r.initDurationMs ?? 0)),
        memorySizeMB: config.memorySizeMb,
        maxMemoryUsedMB: this.maxMemoryMb,
        ...(r.initDurationMs !== undefined ? { initDurationMs: round3(r.initDurationMs) } : {}),
      },
      ...(r.spans && r.spans.length > 0 ? { spans: r.spans } : {}),
      ...(r.tracing ? { tracing: r.tracing } : {}),
    });
  }
}

function traceContext(traceId: string): TraceContext | undefined {
  if (!traceId) return undefined;
  const parent = /Parent=([0-9a-f]{16})/.exec(traceId)?.[1];
  return { ...(parent ? { spanId: parent } : {}), type: 'X-Amzn-Trace-Id', value: traceId };
}
