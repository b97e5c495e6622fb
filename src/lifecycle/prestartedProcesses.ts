import type { Config } from '../config';
import { findExtensionFiles, type ExtensionFile } from '../launch/extensionFiles';
import { BUILTIN_NODEJS_BOOTSTRAP, resolveRuntimeCommand, type RuntimeCommand } from '../launch/runtimeCommand';
import { runtimeEnvironment } from '../launch/runtimeEnvironment';
import { extensionProcessSpec, runtimeProcessSpec, spawnSandboxed } from '../launch/sandboxedProcess';
import type { Freezer } from '../process/freezer';
import { ManagedProcess, START_GATE_FD, type ProcessSpec } from '../process/process';
import { START_GATE_ENV } from '../runtimes/nodejs/startGate';
import { Deferred } from './deferred';

/** One process started ahead, its output held until it is adopted. */
export class Early {
  readonly process: ManagedProcess;
  adopted = false;
  private lines: string[] | undefined = [];
  private sink: ((line: string) => void) | undefined;

  private constructor(readonly spec: ProcessSpec, start: (onLine: (line: string) => void) => ManagedProcess) {
    this.process = start((line) => (this.sink ? this.sink(line) : this.lines?.push(line)));
  }

  /** Started under the freezer, as the Init would start it. */
  static spawn(spec: ProcessSpec, freezer: Freezer, config: Config): Early {
    return new Early(spec, (onLine) => spawnSandboxed(spec, onLine, freezer, config.runAs));
  }

  /** Started outside the freezer, waiting at its start gate until `open()` (only the built-in runtime has one). */
  static gated(spec: ProcessSpec, config: Config): Early {
    const gatedSpec = { ...spec, env: { ...spec.env, [START_GATE_ENV]: String(START_GATE_FD) }, ...config.runAs };
    return new Early(spec, (onLine) => new ManagedProcess(gatedSpec, onLine, { startGate: true }));
  }

  /** Puts a gated process under the freezer, then lets it go on. */
  open(freezer: Freezer): void {
    if (this.process.pid !== undefined) freezer.track(this.process.pid);
    this.process.openStartGate();
  }

  adopt(onLine: (line: string) => void): ManagedProcess {
    this.adopted = true;
    this.sink = onLine;
    for (const line of this.lines ?? []) onLine(line);
    this.lines = undefined;
    return this.process;
  }

  kill(): void {
    this.lines = undefined;
    this.process.signalGroup('SIGKILL');
  }
}

/**
 * The first Init's processes, started while the init is still loading the rest of itself, so that their Node
 * start-ups overlap the init's instead of following it (docs/architecture.md#cold-start): the external extensions
 * when `/opt/extensions` has any (the runtime then starts as usual, once they have registered), else the runtime.
 *
 * Their output waits here, and the Runtime and Extensions APIs hold their requests (`settled`), until the first Init
 * adopts them; a process the Init does not ask for (another command, another file list) is killed.
 */
export class PrestartedProcesses {
  /** Resolves when every process was adopted or killed: from then on the APIs may answer them. */
  readonly settled: Promise<void>;
  /** performance.now() at the spawn (or the gate's opening): the adopting Init's duration counts from here. */
  readonly spawnedAt = performance.now();
  private readonly done = new Deferred<void>();
  private released = false;

  private constructor(private readonly early: Early[]) {
    this.settled = this.done.promise;
  }

  /**
   * Before the unpack: the built-in Node.js runtime, waiting at its start gate, when it is what the first Init will
   * start (docs/architecture.md#cold-start). Its Node start-up then overlaps the init's own and the unpack. Not when
   * layers are to be unpacked (they may bring extensions, a bootstrap or a wrapper), nor with extensions or a
   * wrapper already present: those run before the runtime. A function zip that brings its own `bootstrap` shows in
   * `start()`, which kills this runtime then.
   */
  static startGated(config: Config): Early | undefined {
    if (config.layers.length > 0 || config.execWrapper !== undefined) return undefined;
    const specs = firstProcesses(config);
    // Only our own runtime knows the gate: not an extension, a bootstrap, or a replacement named by
    // LAMBDA_SANDBOX_NODEJS_RUNTIME.
    if (specs?.length !== 1 || specs[0].name !== 'runtime' || specs[0].args[0] !== BUILTIN_NODEJS_BOOTSTRAP) return undefined;
    return Early.gated(specs[0], config);
  }

  /**
   * Starts what the first Init would start first; undefined when finding the runtime or the extensions fails (the
   * Init reports that itself). A runtime from `startGated` that is still what the Init would start is put under the
   * freezer and let go instead of starting another; else it is killed.
   */
  static start(config: Config, freezer: Freezer, gated?: Early): PrestartedProcesses | undefined {
    const specs = firstProcesses(config);
    if (gated !== undefined) {
      if (specs?.length === 1 && gated.process.running && sameSpec(gated.spec, specs[0])) {
        gated.open(freezer);
        return new PrestartedProcesses([gated]);
      }
      gated.kill();
    }
    if (specs === undefined || specs.length === 0) return undefined;
    return new PrestartedProcesses(specs.map((spec) => Early.spawn(spec, freezer, config)));
  }

  /** The commands started, for the init's own log. */
  get commands(): string[] {
    return this.early.map((e) => e.spec.command);
  }

  /** Since when the adopted processes have been starting; undefined when none was adopted. */
  get adoptedSince(): number | undefined {
    return this.early.some((e) => e.adopted) ? this.spawnedAt : undefined;
  }

  /** The running process started with exactly `spec`, its output so far passed to `onLine` in order; else undefined. */
  adopt(spec: ProcessSpec, onLine: (line: string) => void): ManagedProcess | undefined {
    if (this.released) return undefined;
    return this.early.find((e) => !e.adopted && sameSpec(e.spec, spec))?.adopt(onLine);
  }

  /**
   * Kills every process no Init adopted, and lets the APIs answer once those have exited: the requests they left
   * waiting are closed by then, and the APIs drop them. Safe to call at any time, more than once.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    const killed = this.early.filter((e) => !e.adopted);
    for (const early of killed) early.kill();
    // One more turn of the event loop after the exits, for the servers to see those connections close.
    void Promise.all(killed.map((e) => e.process.exited))
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(() => this.done.resolve());
  }
}

/**
 * What the first Init starts first: the external extensions that can be launched when `/opt/extensions` has any,
 * else the runtime; undefined when finding them fails.
 */
function firstProcesses(config: Config): ProcessSpec[] | undefined {
  let command: RuntimeCommand;
  let extensions: ExtensionFile[];
  try {
    command = resolveRuntimeCommand(config, config.nodejsBootstrap);
    extensions = findExtensionFiles(config.optDir, Number.POSITIVE_INFINITY);
  } catch {
    return undefined;
  }
  const runtimeEnv = runtimeEnvironment(config, command.managedRuntime);
  return extensions.length > 0
    ? extensions.filter((file) => file.launchError === undefined).map((file) => extensionProcessSpec(config, file, runtimeEnv))
    : [runtimeProcessSpec(config, command, runtimeEnv)];
}

function sameSpec(a: ProcessSpec, b: ProcessSpec): boolean {
  return a.name === b.name && a.command === b.command && a.cwd === b.cwd && a.uid === b.uid && a.gid === b.gid &&
    JSON.stringify(a.args) === JSON.stringify(b.args) && JSON.stringify(a.env) === JSON.stringify(b.env);
}
