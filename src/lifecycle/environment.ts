import type { Config } from '../config';
import type { Logger } from '../logger';
import { EntrypointError, type RuntimeCommand } from '../sandbox/bootstrap';
import { describeExit, ManagedProcess } from '../sandbox/process';
import { runtimeEnvironment } from '../sandbox/runtimeEnvironment';
import { statusFields, type EventStream, type Phase, type Span, type Status, type TraceContext } from '../telemetry/events';
import { timer } from './deferred';
import { newEnvironmentStateMachine, type EnvironmentState } from './environmentState';
import { platformError, type Invocation, type Outcome } from './invocation';
import { RuntimeSession } from './runtimeSession';

export interface EnvironmentOptions {
  config: Config;
  events: EventStream;
  log: Logger;
  resolveRuntime: () => Promise<RuntimeCommand>;
  /** Current memory of the runtime's process tree in MB (the environment keeps the maximum). */
  sampleMemoryMb: (session: RuntimeSession) => number;
  instanceId: string;
}

type InitResult =
  | { ok: true; durationMs: number }
  | { ok: false; durationMs: number; status: Status; errorType: string; outcome: (requestId: string) => Outcome };

const toIso = (performanceTime: number): string => new Date(performance.timeOrigin + performanceTime).toISOString();
const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;
/** Billed duration is whole milliseconds, rounded up (computed on the µs-rounded value so 2.000 ms bills 2). */
const billed = (ms: number): number => Math.ceil(round3(ms));

/**
 * The execution environment: starts the runtime, runs Init at start and again inside an invoke after a failure or
 * reset (suppressed init), runs one invocation at a time, resets on timeout or crash, and shuts down. Every
 * platform event is emitted here, once.
 */
export class Environment {
  readonly state = newEnvironmentStateMachine();
  session: RuntimeSession | undefined;
  private pendingInitDurationMs: number | undefined;
  private maxMemoryMb = 0;
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
    if (result.ok) this.pendingInitDurationMs = result.durationMs;
    return result.ok;
  }

  /** Runs one invocation to the end of its invoke phase (after REPORT). Never throws. */
  async invoke(invocation: Invocation): Promise<void> {
    const { events, config } = this.options;
    invocation.startedAt = performance.now();
    const tracing = traceContext(invocation.request.traceId);
    events.emit('platform.start', { requestId: invocation.requestId, version: config.functionVersion, tracing });

    const initDurationMs = this.pendingInitDurationMs;
    this.pendingInitDurationMs = undefined;
    let deadline = invocation.startedAt + this.timeoutMs;
    invocation.deadlineMs = Date.now() + this.timeoutMs;
    let suppressedInit = false;

    if (!this.state.is('Ready')) {
      suppressedInit = true;
      const init = await this.runInit('invoke', deadline);
      if (!init.ok) {
        invocation.complete(init.outcome(invocation.requestId));
        this.report(invocation, { status: init.status, errorType: init.errorType, from: invocation.startedAt, tracing });
        return;
      }
    } else {
      deadline = performance.now() + this.timeoutMs;
      invocation.deadlineMs = Date.now() + this.timeoutMs;
    }

    const session = this.session;
    if (!session || this.state.is('ShuttingDown', 'Stopped')) {
      invocation.complete(platformError('failure', 'Sandbox.Failure', `RequestId: ${invocation.requestId} Error: the environment is shutting down`));
      this.report(invocation, { status: 'failure', errorType: 'Sandbox.Failure', from: invocation.startedAt, tracing });
      return;
    }
    this.state.transition('Invoking');
    const phaseDone = session.deliver(invocation);
    const limit = timer(deadline - performance.now());
    const end = await Promise.race([
      phaseDone.then(() => 'done' as const),
      session.process.exited.then(() => 'exit' as const),
      limit.promise,
    ]);
    limit.cancel();
    // Output the runtime wrote just before calling /next may still sit in its pipe: let it reach the log first.
    await new Promise((resolve) => setImmediate(resolve));

    let status: Status = 'success';
    let errorType: string | undefined;
    if (end === 'timeout') {
      status = 'timeout';
      errorType = 'Sandbox.Timedout';
      invocation.complete(platformError('timeout', errorType,
        `RequestId: ${invocation.requestId} Error: Task timed out after ${config.timeoutSeconds.toFixed(2)} seconds`));
    } else if (end === 'exit') {
      status = 'error';
      errorType = 'Runtime.ExitError';
      const exit = await session.process.exited;
      invocation.complete(platformError('error', errorType, `RequestId: ${invocation.requestId} Error: ${exitMessage(describeExit(exit), exit.code)}`));
    } else {
      const outcome = invocation.outcome;
      if (outcome?.kind === 'error') {
        status = outcome.status;
        if (status !== 'success') errorType = outcome.errorType;
      }
    }
    this.sampleMemory(session);
    this.emitRuntimeDone(invocation, session, status, errorType, tracing);
    if (end !== 'done') await this.reset(`invocation ${invocation.requestId} ${end === 'timeout' ? 'timed out' : 'lost its runtime'}`);
    else this.settle('Ready');
    this.report(invocation, {
      status,
      errorType,
      from: suppressedInit ? invocation.startedAt : invocation.deliveredAt ?? invocation.startedAt,
      initDurationMs: suppressedInit ? undefined : initDurationMs,
      tracing,
    });
  }

  /** Stops the runtime; the environment is then Stopped. */
  async shutdown(): Promise<void> {
    if (this.state.is('ShuttingDown', 'Stopped')) return;
    this.state.transition('ShuttingDown');
    await this.discardSession();
    this.state.transition('Stopped');
  }

  private async runInit(phase: Phase, deadline: number): Promise<InitResult> {
    const { events, config } = this.options;
    this.state.transition('Initializing');
    const started = performance.now();
    events.emit('platform.initStart', {
      initializationType: config.initializationType,
      phase,
      runtimeVersion: config.runtimeVersion,
      runtimeVersionArn: config.runtimeVersionArn,
      functionName: config.functionName,
      functionVersion: config.functionVersion,
      instanceId: this.options.instanceId,
      instanceMaxMemory: config.memorySizeMb,
    });
    const result = await this.startRuntime(deadline);
    const durationMs = performance.now() - started;
    const status: Status = result.ok ? 'success' : result.status;
    const errorType = result.ok ? undefined : result.errorType;
    const base = { initializationType: config.initializationType, phase, ...statusFields(status, errorType) };
    events.emit('platform.initRuntimeDone', base);
    events.emit('platform.initReport', { ...base, metrics: { durationMs: round3(durationMs) } });
    if (result.ok) {
      this.settle('Ready');
      return { ok: true, durationMs };
    }
    await this.discardSession();
    this.settle('Uninitialized');
    return { ...result, durationMs };
  }

  /** Starts the runtime and waits for its first /next, an init error, its exit, or the deadline. */
  private async startRuntime(deadline: number): Promise<{ ok: true } | Exclude<InitResult, { ok: true }>> {
    let command: RuntimeCommand;
    try {
      command = await this.options.resolveRuntime();
    } catch (error) {
      if (!(error instanceof EntrypointError)) throw error;
      return initFailure('error', error.errorType, error.message);
    }
    const session = this.spawn(command);
    const limit = timer(deadline - performance.now());
    const first = await Promise.race([
      session.ready.promise.then(() => ({ kind: 'ready' as const })),
      session.initError.promise.then((report) => ({ kind: 'initError' as const, report })),
      session.process.exited.then((exit) => ({ kind: 'exit' as const, exit })),
      limit.promise.then(() => ({ kind: 'timeout' as const })),
    ]);
    limit.cancel();
    switch (first.kind) {
      case 'ready':
        return { ok: true };
      case 'initError':
        return {
          ok: false, durationMs: 0, status: 'error', errorType: first.report.errorType,
          outcome: () => ({ kind: 'error', status: 'error', errorType: first.report.errorType, body: first.report.body }),
        };
      case 'exit': {
        const reason = first.exit.spawnError ? spawnFailure(command, first.exit.spawnError) : undefined;
        if (reason) return initFailure('error', 'Runtime.InvalidEntrypoint', reason);
        return initFailure('error', 'Runtime.ExitError', exitMessage(describeExit(first.exit), first.exit.code));
      }
      case 'timeout':
        return {
          ok: false, durationMs: 0, status: 'timeout', errorType: 'Sandbox.Timedout',
          outcome: (requestId) => platformError('timeout', 'Sandbox.Timedout',
            `RequestId: ${requestId} Error: Task timed out after ${this.config.timeoutSeconds.toFixed(2)} seconds`),
        };
    }
  }

  private spawn(command: RuntimeCommand): RuntimeSession {
    const { config, events, log } = this.options;
    log.info(`starting runtime: ${[command.command, ...command.args].join(' ')} (${command.source})`);
    const process = new ManagedProcess(
      { name: 'runtime', command: command.command, args: command.args, cwd: config.taskRoot, env: runtimeEnvironment(config, command.managedRuntime) },
      (line) => events.emit('function', line),
    );
    const session = new RuntimeSession(process);
    this.session = session;
    void process.exited.then((exit) => this.onRuntimeExit(session, describeExit(exit)));
    return session;
  }

  /** A runtime that dies between invocations leaves the environment uninitialised; the next invoke re-inits. */
  private onRuntimeExit(session: RuntimeSession, how: string): void {
    if (this.session !== session || !this.state.is('Ready')) return;
    this.options.log.warn(`runtime exited while idle (${how}); the next invoke will initialise again`);
    session.process.signalGroup('SIGKILL');
    this.session = undefined;
    this.settle('Uninitialized');
  }

  /** Reset after a timeout or crash (spec 1.4): stop the runtime; the next invoke does a suppressed init. */
  private async reset(reason: string): Promise<void> {
    this.options.log.info(`resetting the environment: ${reason}`);
    await this.discardSession();
    this.settle('Uninitialized');
  }

  /** Moves on after a phase, unless a shutdown has taken over the environment meanwhile. */
  private settle(to: EnvironmentState): void {
    if (!this.state.is('ShuttingDown', 'Stopped')) this.state.transition(to);
  }

  private async discardSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) await session.process.kill();
  }

  private sampleMemory(session: RuntimeSession): void {
    this.maxMemoryMb = Math.max(this.maxMemoryMb, this.options.sampleMemoryMb(session));
  }

  private emitRuntimeDone(invocation: Invocation, session: RuntimeSession, status: Status, errorType: string | undefined, tracing?: TraceContext): void {
    const delivered = invocation.deliveredAt ?? invocation.startedAt;
    const end = status === 'success' ? session.lastNextAt || performance.now() : performance.now();
    const spans: Span[] = [];
    const { responseStartedAt: first, responseEndedAt: last } = invocation;
    if (first !== undefined && last !== undefined && invocation.deliveredAt !== undefined) {
      spans.push({ name: 'responseLatency', start: toIso(delivered), durationMs: round3(first - delivered) });
      spans.push({ name: 'responseDuration', start: toIso(first), durationMs: round3(last - first) });
      spans.push({ name: 'runtimeOverhead', start: toIso(last), durationMs: round3(Math.max(0, end - last)) });
    }
    this.options.events.emit('platform.runtimeDone', {
      requestId: invocation.requestId,
      ...statusFields(status, errorType),
      metrics: { durationMs: round3(end - delivered), producedBytes: invocation.producedBytes },
      spans,
      ...(tracing ? { tracing } : {}),
    });
  }

  private report(
    invocation: Invocation,
    r: { status: Status; errorType?: string; from: number; initDurationMs?: number; tracing?: TraceContext },
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
      ...(r.tracing ? { tracing: r.tracing } : {}),
    });
  }
}

function initFailure(status: Status, errorType: string, message: string): Exclude<InitResult, { ok: true }> {
  return {
    ok: false, durationMs: 0, status, errorType,
    outcome: (requestId) => platformError(status, errorType, `RequestId: ${requestId} Error: ${message}`),
  };
}

/** Lambda's wording for a runtime that ended (spec 1.4). */
function exitMessage(how: string, code: number | null): string {
  return code === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: ${how}`;
}

function spawnFailure(command: RuntimeCommand, error: NodeJS.ErrnoException): string {
  const why = error.code === 'ENOENT' ? 'no such file or directory' : error.code === 'EACCES' ? 'permission denied' : error.message;
  return `fork/exec ${command.command}: ${why}`;
}

function traceContext(traceId: string): TraceContext | undefined {
  if (!traceId) return undefined;
  const parent = /Parent=([0-9a-f]{16})/.exec(traceId)?.[1];
  return { ...(parent ? { spanId: parent } : {}), type: 'X-Amzn-Trace-Id', value: traceId };
}
