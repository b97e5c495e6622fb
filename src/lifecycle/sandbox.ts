import type { Config } from '../config';
import type { Invocation } from '../invoke/invocation';
import { findExtensionFiles } from '../launch/extensionFiles';
import { execFailureWords, type RuntimeCommand } from '../launch/runtimeCommand';
import { runtimeEnvironment } from '../launch/runtimeEnvironment';
import type { Logger } from '../logger';
import type { Freezer } from '../process/freezer';
import { maxMemoryUsedMb } from '../process/memory';
import { extensionProcessSpec, runtimeProcessSpec, spawnSandboxed } from '../launch/sandboxedProcess';
import { describeExit, type ManagedProcess, type ProcessSpec } from '../process/process';
import { killSandboxProcesses } from '../process/sandboxTree';
import type { EventStream } from '../telemetry/events';
import { timer } from './deferred';
import type { Extension, ShutdownEvent } from './extension';
import { ExtensionRegistry, MAX_EXTENSIONS } from './extensionRegistry';
import { ConcurrentRuntimeSession } from './concurrentRuntimeSession';
import { RuntimeSession } from './runtimeSession';
import type { PrestartedProcesses } from './prestartedProcesses';
import { newSandboxMachine } from './sandboxMachine';

/** What broke the sandbox: the first failure wins, later ones are consequences. */
export interface SandboxFailure {
  errorType: string;
  message: string;
  /** The runtime's own error report (from /init/error), forwarded to the caller as it is. */
  body?: Buffer;
}

/** The parts of the Telemetry API the sandbox drives (held deliveries while frozen, closing at the end of Init). */
export interface TelemetryControl {
  closeSubscriptions(): void;
  pause(extensionName: string): void;
  resume(extensionName: string): void;
  flush(timeoutMs: number): Promise<void>;
  /** Resolves when no delivery is out to any extension (bounded by `timeoutMs`). */
  quiesce(timeoutMs: number): Promise<void>;
}

export interface SandboxDeps {
  config: Config;
  events: EventStream;
  log: Logger;
  freezer: Freezer;
  telemetry: TelemetryControl | undefined;
  /** Processes started ahead of this sandbox's Init, to adopt instead of starting them (the first Init only). */
  prestarted?: PrestartedProcesses;
}

/** Shutdown budgets (docs/lambda-behaviour.md#time-limits). */
const BUDGET_EXTERNAL_MS = 2_000;
const BUDGET_INTERNAL_ONLY_MS = 500;
const RUNTIME_SHARE_MS = 300;
const RUNTIME_SHARE_WITH_INTERNAL_MS = 500;
/** How long a telemetry batch an extension is reading may hold up the freeze. */
const DELIVERY_BEFORE_FREEZE_MS = 500;

export type Settled<T> = { ok: true; value: T } | { ok: false; failure: SandboxFailure } | { ok: false; failure: 'timeout' };

/** What an invocation's delivery resolves to: the times the runtime, then every INVOKE extension, were back in next. */
export interface Delivery {
  runtime: Promise<number>;
  /** None when no extension subscribes to INVOKE: nothing to wait for. */
  extensions: Promise<number> | undefined;
}

/**
 * The processes of one execution environment: the external extensions and the runtime, their Runtime/Extensions API
 * sessions, freezing between invokes, and the ordered shutdown. Thrown away on reset; a new one is built for the next
 * Init.
 */
export class Sandbox {
  readonly extensions = new ExtensionRegistry();
  runtime: RuntimeSession | ConcurrentRuntimeSession | undefined;
  readonly state = newSandboxMachine();
  private failure: SandboxFailure | undefined;
  /** Whoever waits in within() right now; told once when the sandbox fails. */
  private readonly failureWatchers = new Set<(failure: SandboxFailure) => void>();
  private failureWatcher: ((failure: SandboxFailure) => void) | undefined;
  /** Tells a freeze that was called off and started again from the one that is current. */
  private freezeAttempts = 0;

  constructor(private readonly deps: SandboxDeps) {}

  /** The first failure of this sandbox, when it has failed. */
  get failed(): SandboxFailure | undefined {
    return this.failure;
  }

  /**
   * Waits for `promise`, a failure of the sandbox, or the deadline (performance time), whichever comes first. Holds
   * nothing once settled: long-lived promises are never raced, so a healthy sandbox accumulates no reactions.
   */
  within<T>(promise: Promise<T>, deadline: number): Promise<Settled<T>> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (settled: Settled<T>): void => {
        if (done) return;
        done = true;
        clearTimeout(limit);
        this.failureWatchers.delete(onFailure);
        resolve(settled);
      };
      const onFailure = (failure: SandboxFailure): void => finish({ ok: false, failure });
      // Node's timers count whole milliseconds and can fire a fraction of one early: time is up only at the deadline.
      const onTimer = (): void => {
        const left = deadline - performance.now();
        if (left > 0) limit = setTimeout(onTimer, Math.ceil(left));
        else finish({ ok: false, failure: 'timeout' });
      };
      let limit = setTimeout(onTimer, Math.max(0, Math.ceil(deadline - performance.now())));
      if (this.failure) return onFailure(this.failure);
      this.failureWatchers.add(onFailure);
      promise.then((value) => finish({ ok: true, value }));
    });
  }

  /**
   * Init (docs/lambda-behaviour.md#lifecycle): start every external extension, wait until all have registered, start the runtime, and wait
   * until the runtime and every registered extension wait in `next`. Registration and subscriptions then close.
   */
  async init(command: RuntimeCommand, deadline: number): Promise<Settled<void>> {
    const { config } = this.deps;
    const runtimeEnv = runtimeEnvironment(config, command.managedRuntime);
    let files;
    try {
      files = findExtensionFiles(config.optDir, MAX_EXTENSIONS);
    } catch (error) {
      return { ok: false, failure: { errorType: 'Extension.LaunchError', message: `cannot list the extensions: ${(error as Error).message}` } };
    }
    for (const file of files) {
      if (file.launchError) {
        const failed = this.extensions.addExternal(file.name, undefined);
        failed.state.fire('launchError');
        failed.errorType = file.launchError;
        this.fail({ errorType: 'Extension.LaunchError', message: `${file.launchError}: cannot start extension ${file.file}` });
        continue;
      }
      this.launchExtension(file.name, extensionProcessSpec(config, file, runtimeEnv));
    }
    if (files.length > 0) this.deps.prestarted?.release(); // the extensions may register now; the runtime comes after
    const launched = this.extensions.all.filter((e) => e.process);
    const registered = await this.within(Promise.all(launched.map((e) => e.registeredSignal.promise)), deadline);
    if (!registered.ok) return registered;

    this.startRuntime(command, runtimeEnv);
    const runtime = this.runtime as RuntimeSession;
    const ready = await this.within(
      runtime.ready.promise.then(() => Promise.all(this.extensions.registered.map((e) => e.initDone.promise))),
      deadline,
    );
    this.extensions.closeRegistration();
    this.deps.telemetry?.closeSubscriptions();
    return ready.ok ? { ok: true, value: undefined } : ready;
  }

  /**
   * Delivers an invocation to the runtime and INVOKE to the extensions subscribed to it, at the same moment.
   * `deadline` must be set on the invocation.
   */
  async deliver(invocation: Invocation, tracing: string | undefined): Promise<Delivery> {
    await this.thaw();
    const session = this.runtime as RuntimeSession | ConcurrentRuntimeSession;
    const runtime = session.deliver(invocation);
    // Several invocations at once have no INVOKE events (docs/lambda-behaviour.md#managed-instances).
    if (session instanceof ConcurrentRuntimeSession) return { runtime, extensions: undefined };
    const event = {
      eventType: 'INVOKE' as const,
      deadlineMs: invocation.deadline?.epochMs ?? 0,
      requestId: invocation.requestId,
      invokedFunctionArn: invocation.request.invokedFunctionArn,
      ...(tracing ? { tracing: { type: 'X-Amzn-Trace-Id' as const, value: tracing } } : {}),
    };
    const sent = this.extensions.registered.filter((e) => e.subscribes('INVOKE')).map((e) => e.send(event));
    const extensions = sent.length === 0 ? undefined : Promise.all([runtime, ...sent]).then((times) => Math.max(...times.slice(1)));
    return { runtime, extensions };
  }

  /** The platform gave up on an invocation (Managed Instances timeout): the runtime's late result is refused. */
  endInvocation(requestId: string): void {
    if (this.runtime instanceof ConcurrentRuntimeSession) this.runtime.end(requestId);
  }

  memoryMb(): number {
    return maxMemoryUsedMb({
      processGroups: [this.runtime?.process.pid, ...this.extensions.all.map((e) => e.process?.pid)],
      cgroupDir: this.deps.freezer.cgroupDir,
    });
  }

  /**
   * Freezes the processes once no telemetry delivery is out to them. An invocation that thaws the sandbox meanwhile
   * (say, one that arrived while the Init's deliveries were still being read) calls this freeze off.
   */
  async freeze(): Promise<void> {
    if (!this.state.can('freeze') || this.deps.freezer.strategy === 'none') return;
    this.state.fire('freeze');
    const attempt = ++this.freezeAttempts;
    await this.deps.telemetry?.quiesce(DELIVERY_BEFORE_FREEZE_MS);
    if (attempt !== this.freezeAttempts || !this.state.is('Freezing')) return; // thawed or stopped meanwhile
    this.state.fire('frozen');
    for (const e of this.extensions.all) this.deps.telemetry?.pause(e.name);
    await this.deps.freezer.freeze();
  }

  /** Never throws: a sandbox that cannot be thawed has failed, and the invocation waiting on it fails with it. */
  async thaw(): Promise<void> {
    if (!this.state.can('thaw')) return;
    const wasFrozen = this.state.is('Frozen');
    this.state.fire('thaw');
    if (wasFrozen) await this.thawProcesses();
  }

  /**
   * Shutdown (docs/lambda-behaviour.md#lifecycle, #time-limits): the runtime first (SIGKILL at once without extensions, else SIGTERM with its share of
   * the budget), then SHUTDOWN to the external extensions subscribed to it, SIGKILL for the others and for whatever
   * is left at the deadline.
   */
  async stop(reason: ShutdownEvent['shutdownReason']): Promise<void> {
    if (!this.state.can('stop')) return;
    const wasFrozen = this.state.is('Frozen');
    this.state.fire('stop');
    if (wasFrozen) await this.thawProcesses();
    const externals = this.extensions.all.filter((e) => e.external && e.process?.running);
    const internals = this.extensions.registered.filter((e) => !e.external).length;
    const runtime = this.runtime?.process;
    if (externals.length === 0 && internals === 0) {
      await runtime?.kill();
      await this.deps.telemetry?.flush(0);
      return this.release();
    }
    const budget = externals.length > 0 ? BUDGET_EXTERNAL_MS : BUDGET_INTERNAL_ONLY_MS;
    const deadline = performance.now() + budget;
    const deadlineMs = Date.now() + budget;
    if (runtime?.running) {
      runtime.signalGroup('SIGTERM');
      const share = externals.length > 0 && internals === 0 ? RUNTIME_SHARE_MS : RUNTIME_SHARE_WITH_INTERNAL_MS;
      const limit = timer(share);
      await Promise.race([runtime.exited, limit.promise]);
      limit.cancel();
    }
    runtime?.signalGroup('SIGKILL');
    await this.deps.telemetry?.flush(Math.max(0, deadline - performance.now() - 100));
    const shutdown: ShutdownEvent = { eventType: 'SHUTDOWN', shutdownReason: reason, deadlineMs };
    for (const extension of externals) {
      if (extension.subscribes('SHUTDOWN') && extension.state.is('Ready', 'Running', 'Registered')) void extension.send(shutdown);
      else extension.process?.signalGroup('SIGKILL');
    }
    const limit = timer(deadline - performance.now());
    await Promise.race([Promise.all(externals.map((e) => e.process?.exited)), limit.promise]);
    limit.cancel();
    for (const extension of externals) {
      if (extension.process?.running) {
        this.deps.log.warn(`extension ${extension.name} did not exit before the shutdown deadline; killing it`);
        if (extension.state.can('shutdownFailed')) extension.state.fire('shutdownFailed');
      }
      extension.process?.signalGroup('SIGKILL');
    }
    await Promise.all([runtime?.exited, ...externals.map((e) => e.process?.exited)]);
    return this.release();
  }

  fail(failure: SandboxFailure): void {
    // Whoever waits on the sandbox learns why it broke, also while it is being stopped under an invocation.
    for (const watcher of [...this.failureWatchers]) watcher(failure);
    if (this.state.is('Stopping', 'Stopped') || this.failure) return;
    this.deps.log.info(`sandbox failed: ${failure.errorType}: ${failure.message}`);
    this.failure = failure;
    this.failureWatcher?.(failure);
  }

  /** Called once when the sandbox fails (the environment uses it to notice failures between invocations). */
  onFailure(watcher: (failure: SandboxFailure) => void): void {
    this.failureWatcher = watcher;
  }

  private async thawProcesses(): Promise<void> {
    try {
      await this.deps.freezer.thaw();
    } catch (error) {
      this.fail({ errorType: 'Sandbox.Failure', message: `could not thaw the sandbox: ${(error as Error).message}` });
    }
    for (const e of this.extensions.all) this.deps.telemetry?.resume(e.name);
  }

  private release(): void {
    this.state.fire('stopped');
    // Whatever the processes left behind (a setsid daemon, a double-forked helper) goes with the sandbox.
    const leftovers = killSandboxProcesses(this.deps.freezer.cgroupDir);
    if (leftovers > 0) this.deps.log.info(`killed ${leftovers} process(es) the sandbox left behind`);
    for (const pid of [this.runtime?.process.pid, ...this.extensions.all.map((e) => e.process?.pid)]) {
      if (pid !== undefined) this.deps.freezer.untrack(pid);
    }
  }

  private spawn(spec: ProcessSpec, onLine: (line: string) => void): ManagedProcess {
    return spawnSandboxed(spec, onLine, this.deps.freezer, this.deps.config.runAs);
  }

  private launchExtension(name: string, spec: ProcessSpec): Extension {
    const { events, log } = this.deps;
    log.info(`starting extension ${name}: ${spec.command}`);
    const onLine = (line: string): void => events.emit('extension', line, { name });
    const process = this.deps.prestarted?.adopt(spec, onLine) ?? this.spawn(spec, onLine);
    const extension = this.extensions.addExternal(name, process);
    void process.exited.then((exit) => {
      const registered = !extension.state.is('Started');
      const reported = extension.state.is('InitError', 'ExitError');
      if (extension.state.can('exited')) extension.state.fire('exited');
      if (reported || this.state.is('Stopping', 'Stopped')) return; // it already failed through /init/error or /exit/error, or was told to go
      const how = describeExit(exit);
      const errorType = exit.spawnError ? 'Extension.LaunchError' : 'Extension.Crash';
      extension.errorType ??= errorType;
      this.fail({
        errorType,
        message: registered ? `extension ${name} exited: ${how}` : `extension ${name} exited before registering: ${how}`,
      });
    });
    return extension;
  }

  private startRuntime(command: RuntimeCommand, env: Record<string, string>): void {
    const { events, log, config } = this.deps;
    log.info(`starting runtime: ${[command.command, ...command.args].join(' ')} (${command.source})`);
    const spec = runtimeProcessSpec(config, command, env);
    const onLine = (line: string): void => events.emit('function', line);
    const process = this.deps.prestarted?.adopt(spec, onLine) ?? this.spawn(spec, onLine);
    this.deps.prestarted?.release();
    const session = config.maxConcurrency > 1 ? new ConcurrentRuntimeSession(process, config.maxConcurrency) : new RuntimeSession(process);
    this.runtime = session;
    void session.initError.promise.then((report) =>
      this.fail({ errorType: report.errorType, message: `the runtime reported an init error (${report.errorType})`, body: report.body }));
    void process.exited.then((exit) => {
      if (exit.spawnError) {
        const why = execFailureWords(exit.spawnError.code, exit.spawnError.message);
        this.fail({ errorType: 'Runtime.InvalidEntrypoint', message: `fork/exec ${command.command}: ${why}` });
      } else {
        this.fail({ errorType: 'Runtime.ExitError', message: exitMessage(describeExit(exit), exit.code) });
      }
    });
  }
}

/** Lambda's wording for a runtime that ended (docs/lambda-behaviour.md#reset). */
function exitMessage(how: string, code: number | null): string {
  return code === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: ${how}`;
}
