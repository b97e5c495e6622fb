import type { Config } from '../config';
import { deadlineAfter, type Deadline, type Outcome } from '../invoke/invocation';
import { platformError, timeoutOutcome } from '../invoke/platformError';
import { EntrypointError, type RuntimeCommand } from '../launch/runtimeCommand';
import type { Logger } from '../logger';
import type { Freezer } from '../process/freezer';
import { statusFields, type EventStream, type Phase, type Status } from '../telemetry/events';
import { initStartRecord, round3 } from '../telemetry/platformRecords';
import type { InvokeEnvironment } from '../invoke/invokePhase';
import { CurrentExtensionsPort, CurrentRuntimePort } from './currentSandboxPorts';
import { newEnvironmentMachine } from './environmentMachine';
import type { PrestartedProcesses } from './prestartedProcesses';
import { InFlightCount } from './inFlightCount';
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
  /** The first Init's processes, already starting (main.ts); the first Init adopts them, the rest are killed. */
  prestarted?: PrestartedProcesses;
}

type InitResult = { ok: true; durationMs: number } | { ok: false; durationMs: number; status: Status; failure: SandboxFailure | 'timeout' };

/** What an invocation gets from the environment before its event can be delivered. */
export type Readiness<Target = Sandbox> =
  | {
      ok: true;
      sandbox: Target;
      deadline: Deadline;
      /** A cold start's Init, reported once in the REPORT of the invocation that follows it. */
      initDurationMs?: number;
      /** The Init ran inside this invocation, under its time limit. */
      suppressedInit: boolean;
    }
  | { ok: false; outcome: Outcome; status: Status; errorType?: string };

/**
 * The execution environment's lifecycle: Init at start, Init again inside an invoke after a failure or reset
 * (suppressed init) or after an idle spin-down (a cold one), resets on timeout or crash, and shutdown. It owns the
 * current sandbox and the ports the APIs reach it through; the invoke phase itself is `invoke/invokePhase.ts`.
 */
export class Environment implements InvokeEnvironment {
  readonly state = newEnvironmentMachine();
  private sandbox: Sandbox | undefined;
  readonly runtimePort = new CurrentRuntimePort(() => this.sandbox);
  readonly extensionsPort = new CurrentExtensionsPort(() => this.sandbox);
  private pendingInitDurationMs: number | undefined;
  /** After an idle spin-down the next Init is a cold one again (INIT_START, Init Duration). */
  private coldInitNext = false;
  /** Hot reload asked for a fresh sandbox; done before the next invocation starts. */
  private reloadPending = false;
  private maxMemoryMb = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly config: Config;
  /** Managed Instances: several invocations at once, no freezing (docs/lambda-behaviour.md#managed-instances). */
  private readonly concurrent: boolean;
  private readonly inFlight = new InFlightCount();
  /** The Init several concurrent invocations wait for together. */
  private sharedInit: Promise<InitResult> | undefined;
  /** A sandbox still stopping (failed or spun down); a Managed Instances Init starts after it. */
  private replacing: Promise<void> = Promise.resolve();
  /** With PER_TENANT isolation, the tenant this environment serves (docs/lambda-behaviour.md#tenant-isolation). */
  private tenant: string | undefined;
  private prestarted: PrestartedProcesses | undefined;

  constructor(private readonly options: EnvironmentOptions) {
    this.config = options.config;
    this.concurrent = options.config.maxConcurrency > 1;
    this.prestarted = options.prestarted;
  }

  get timeoutMs(): number {
    return this.config.timeoutSeconds * 1000;
  }

  /** The highest memory use seen in this environment, in MB (REPORT's Max Memory Used). */
  get maxMemoryUsedMb(): number {
    return this.maxMemoryMb;
  }

  /** The Init phase at start, under the init time limit. */
  async initialize(): Promise<boolean> {
    const result = await this.runInit('init', performance.now() + this.config.initTimeoutMs);
    if (result.ok) {
      // A provisioned environment's Init ran ahead of any invoke: no invoke's REPORT carries (or bills) it.
      if (this.config.initializationType === 'on-demand') this.pendingInitDurationMs = result.durationMs;
      this.armIdleShutdown();
    }
    return result.ok;
  }

  /**
   * Makes the sandbox ready for an invocation that has just started: a cold Init after a spin-down, a suppressed
   * Init (under the invocation's time limit) after a failure. The environment is then Invoking.
   */
  async prepare(requestId: string, tenantId?: string): Promise<Readiness> {
    clearTimeout(this.idleTimer);
    // A sandbox still stopping (spun down, or failed while idle) must be gone before another starts: its stop kills
    // whatever is left in the freezer's cgroup, which the next sandbox shares.
    await this.replacing;
    if (this.reloadPending) await this.applyReload();
    if (this.config.tenantIsolation === 'PER_TENANT') await this.serveTenant(tenantId);
    // On Managed Instances invocations join while others run, and wait together for one shared Init.
    const init = (phase: Phase, at: number): Promise<InitResult> => (this.concurrent ? this.initOnce(phase, at) : this.runInit(phase, at));
    let deadline = deadlineAfter(this.timeoutMs);
    let initDurationMs = this.pendingInitDurationMs;
    this.pendingInitDurationMs = undefined;
    if (this.coldInitNext && this.state.is('Uninitialized')) {
      this.coldInitNext = false;
      const cold = await init('init', performance.now() + this.config.initTimeoutMs);
      if (cold.ok) initDurationMs = cold.durationMs;
      deadline = deadlineAfter(this.timeoutMs);
    }
    const suppressedInit = this.concurrent ? !this.state.is('Ready', 'Invoking') : !this.state.is('Ready');
    if (suppressedInit) {
      const suppressed = await init('invoke', deadline.at);
      if (!suppressed.ok) {
        return { ok: false, outcome: this.initOutcome(suppressed, requestId), status: suppressed.status, errorType: suppressed.failure === 'timeout' ? undefined : suppressed.failure.errorType };
      }
    } else {
      deadline = deadlineAfter(this.timeoutMs);
    }
    const sandbox = this.sandbox;
    if (!sandbox || !this.admit()) {
      return {
        ok: false, status: 'failure', errorType: 'Sandbox.Failure',
        outcome: platformError('failure', 'Sandbox.Failure', `RequestId: ${requestId} Error: the environment is shutting down`),
      };
    }
    return { ok: true, sandbox, deadline, initDurationMs: suppressedInit ? undefined : initDurationMs, suppressedInit };
  }

  /**
   * Lets an invocation in: Ready → Invoking; on Managed Instances also while Invoking, the first one in making the
   * move (and the last one out the move back). False when the environment takes no invocation now.
   */
  private admit(): boolean {
    if (!this.concurrent) {
      if (!this.state.can('invoke')) return false;
      this.state.fire('invoke');
      return true;
    }
    if (!this.state.is('Invoking') && !this.state.can('invoke')) return false;
    if (this.inFlight.add()) this.state.fire('invoke');
    return true;
  }

  /** One Init for every invocation that needs it now; after a failed sandbox has stopped. */
  private initOnce(phase: Phase, deadline: number): Promise<InitResult> {
    this.sharedInit ??= this.replacing
      .then(() => this.runInit(phase, deadline))
      .finally(() => (this.sharedInit = undefined));
    return this.sharedInit;
  }

  /**
   * PER_TENANT isolation: the environment belongs to the first tenant that invokes it; another tenant's invoke spins
   * it down (SHUTDOWN spindown) once nothing is in flight, and a fresh, cold one is initialised for that tenant.
   */
  private async serveTenant(tenantId: string | undefined): Promise<void> {
    while (this.tenant !== undefined && this.tenant !== tenantId) {
      await this.inFlight.drained();
      if (this.tenant === tenantId || this.inFlight.value > 0) continue;
      this.options.log.info(`the environment serves tenant ${this.tenant}; spinning it down for tenant ${tenantId ?? '(none)'}`);
      this.tenant = undefined;
      this.coldInitNext = true;
      this.pendingInitDurationMs = undefined;
      if (this.state.can('spinDown')) {
        this.state.fire('spinDown');
        this.replacing = this.discardSandbox('spindown');
        await this.replacing;
      }
    }
    this.tenant = tenantId;
  }

  /** The invoke phase ended with the runtime and extensions back in next: Ready, and frozen until the next event. */
  async invocationDone(sandbox: Sandbox): Promise<void> {
    if (this.concurrent) return this.concurrentInvocationDone(sandbox);
    this.sampleMemory(sandbox);
    this.state.fire('invokeDone');
    if (this.reloadPending) return this.applyReload();
    if (!this.options.invocationWaiting?.()) await this.freeze(sandbox);
    this.armIdleShutdown();
  }

  /** The invoke phase failed (timeout or crash): the sandbox is stopped; the next invoke does a suppressed init. */
  async invocationFailed(sandbox: Sandbox, reason: 'timeout' | 'failure', why: string): Promise<void> {
    if (this.concurrent) return this.concurrentInvocationFailed(sandbox, reason, why);
    this.sampleMemory(sandbox);
    this.options.log.info(`resetting the environment: ${why}`);
    await this.discardSandbox(reason);
    this.state.fire('reset');
  }

  /** Managed Instances: the last invocation out takes the environment back to Ready; it is never frozen. */
  private async concurrentInvocationDone(sandbox: Sandbox): Promise<void> {
    this.sampleMemory(sandbox);
    if (sandbox !== this.sandbox) return; // it failed under this invocation and has been replaced
    if (this.inFlight.remove() && this.state.is('Invoking')) {
      this.state.fire('invokeDone');
      if (this.reloadPending) return this.applyReload();
      this.armIdleShutdown();
    }
  }

  /**
   * Managed Instances: a timeout fails that invocation only (docs/lambda-behaviour.md#managed-instances); a failed
   * sandbox (runtime or extension crash) is replaced once, however many invocations it failed.
   */
  private async concurrentInvocationFailed(sandbox: Sandbox, reason: 'timeout' | 'failure', why: string): Promise<void> {
    if (reason === 'timeout') return this.concurrentInvocationDone(sandbox);
    this.sampleMemory(sandbox);
    if (sandbox !== this.sandbox) return;
    this.options.log.info(`resetting the environment: ${why}`);
    this.sandbox = undefined;
    this.inFlight.clear();
    this.state.fire('reset');
    this.replacing = sandbox.stop(reason);
    await this.replacing;
  }

  /** A fault of the init itself: start over with a fresh sandbox rather than limp on. */
  async recoverFromFault(): Promise<void> {
    await this.discardSandbox('failure').catch(() => undefined);
    this.state.fire('reset');
  }

  /** Stops the sandbox (SHUTDOWN spindown to the extensions); the environment is then Stopped. */
  async shutdown(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.takePrestarted();
    if (!this.state.can('shutdown')) return;
    this.state.fire('shutdown');
    await this.discardSandbox('spindown');
    this.state.fire('stopped');
  }

  private async runInit(phase: Phase, deadline: number): Promise<InitResult> {
    const { events, config } = this.options;
    this.state.fire('init');
    const started = performance.now();
    const command = await this.options.resolveRuntime().catch((error: unknown) => {
      if (error instanceof EntrypointError) return { errorType: error.errorType, message: error.message };
      throw error;
    });
    const managed = 'command' in command && command.managedRuntime !== undefined && command.managedRuntime !== '';
    // The previous sandbox's subscriptions are gone with it; this Init's events are kept for new subscribers.
    this.options.telemetry?.reset();
    events.emit('platform.initStart', initStartRecord(config, phase, this.options.instanceId, managed));
    const result = 'command' in command ? await this.startSandbox(command, deadline) : command;
    // Processes started ahead were starting before this Init began; its Init Duration counts from their spawn.
    const durationMs = performance.now() - Math.min(started, this.takePrestarted()?.adoptedSince ?? started);
    const status: Status = result === 'ok' ? 'success' : result === 'timeout' ? 'timeout' : 'error';
    const errorType = typeof result === 'object' ? result.errorType : undefined;
    if (typeof result === 'object') this.tellInitFailure(phase, result);
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
      this.state.fire('initDone');
      if (this.sandbox) {
        this.sampleMemory(this.sandbox);
        await this.freeze(this.sandbox);
      }
      return { ok: true, durationMs };
    }
    await this.discardSandbox(result === 'timeout' ? 'timeout' : 'failure');
    this.state.fire('initFailed');
    return { ok: false, durationMs, status, failure: result };
  }

  /** A new sandbox, initialised: 'ok', 'timeout', or what failed. */
  private async startSandbox(command: RuntimeCommand, deadline: number): Promise<'ok' | 'timeout' | SandboxFailure> {
    const sandbox = new Sandbox({
      config: this.config, events: this.options.events, log: this.options.log,
      freezer: this.options.freezer, telemetry: this.options.telemetry, prestarted: this.prestarted,
    });
    this.sandbox = sandbox;
    sandbox.onFailure((failure) => this.onIdleFailure(sandbox, failure));
    const result = await sandbox.init(command, deadline);
    return result.ok ? 'ok' : result.failure;
  }

  /** The processes started ahead, once: what the first Init did not adopt is killed. */
  private takePrestarted(): PrestartedProcesses | undefined {
    const prestarted = this.prestarted;
    this.prestarted = undefined;
    prestarted?.release();
    return prestarted;
  }

  /** A sandbox that breaks between invocations leaves the environment uninitialised; the next invoke re-inits. */
  private onIdleFailure(sandbox: Sandbox, failure: SandboxFailure): void {
    if (this.sandbox !== sandbox || !this.state.is('Ready')) return;
    this.options.log.warn(`${failure.message} while idle; the next invoke will initialise again`);
    clearTimeout(this.idleTimer);
    this.state.fire('reset');
    this.replacing = this.discardSandbox('failure');
  }

  /**
   * Says why Init failed where people look: the init's diagnostics, and (for a failure the platform found, such as a
   * missing bootstrap) the function's log stream, in the two lines Lambda writes there, before INIT_REPORT. A
   * runtime that reported its own init error has printed it already.
   */
  private tellInitFailure(phase: Phase, failure: { errorType: string; message: string; body?: Buffer }): void {
    this.options.log.warn(`Init failed (${phase} phase): ${failure.errorType}: ${failure.message}`);
    if (phase !== 'init' || failure.body) return;
    this.options.events.emit('function', `Error: ${failure.message}`);
    this.options.events.emit('function', failure.errorType);
  }

  private initOutcome(init: Extract<InitResult, { ok: false }>, requestId: string): Outcome {
    if (init.failure === 'timeout') return timeoutOutcome(requestId, this.config.timeoutSeconds);
    const { errorType, message, body } = init.failure;
    if (body) return { kind: 'error', status: 'error', errorType, body };
    return platformError('error', errorType, `RequestId: ${requestId} Error: ${message}`);
  }

  private async discardSandbox(reason: 'spindown' | 'timeout' | 'failure'): Promise<void> {
    const sandbox = this.sandbox;
    this.sandbox = undefined;
    if (sandbox) await sandbox.stop(reason);
  }

  private async freeze(sandbox: Sandbox): Promise<void> {
    if (this.concurrent) return; // always running (docs/lambda-behaviour.md#managed-instances)
    try {
      await sandbox.freeze();
    } catch (error) {
      this.options.log.warn(`could not freeze the sandbox: ${(error as Error).message}`);
    }
  }

  /**
   * Hot reload: the code changed under the task root or the opt directory. The sandbox spins down (SHUTDOWN
   * spindown) as soon as no invocation runs, and the next invoke initialises the new code with a cold Init.
   */
  async reload(files: string[]): Promise<void> {
    const shown = files.length > 5 ? `${files.slice(0, 5).join(', ')} and ${files.length - 5} more` : files.join(', ');
    this.options.log.info(`code changed (${shown}): the next invoke initialises it again`);
    this.reloadPending = true;
    if (this.state.can('spinDown') && !this.concurrentBusy()) await this.applyReload();
  }

  private async applyReload(): Promise<void> {
    if (this.concurrent) await this.inFlight.drained();
    this.reloadPending = false;
    this.pendingInitDurationMs = undefined;
    if (this.state.can('spinDown')) {
      clearTimeout(this.idleTimer);
      this.state.fire('spinDown');
      this.coldInitNext = true;
      this.replacing = this.discardSandbox('spindown');
      await this.replacing;
    } else if (this.state.is('Uninitialized')) {
      this.coldInitNext = true;
    }
  }

  private concurrentBusy(): boolean {
    return this.concurrent && this.inFlight.value > 0;
  }

  private armIdleShutdown(): void {
    const idle = this.options.idleShutdownMs ?? 0;
    if (idle <= 0) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (!this.state.can('spinDown')) return;
      this.options.log.info(`no invoke for ${idle} ms: shutting the sandbox down (spindown)`);
      this.state.fire('spinDown');
      this.coldInitNext = true;
      this.replacing = this.discardSandbox('spindown');
    }, idle);
    this.idleTimer.unref();
  }

  private sampleMemory(sandbox: Sandbox): void {
    this.maxMemoryMb = Math.max(this.maxMemoryMb, sandbox.memoryMb());
  }
}
