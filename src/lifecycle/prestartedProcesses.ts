import type { Config } from '../config';
import { findExtensionFiles, type ExtensionFile } from '../launch/extensionFiles';
import { resolveRuntimeCommand, type RuntimeCommand } from '../launch/runtimeCommand';
import { runtimeEnvironment } from '../launch/runtimeEnvironment';
import { extensionProcessSpec, runtimeProcessSpec, spawnSandboxed } from '../launch/sandboxedProcess';
import type { Freezer } from '../process/freezer';
import type { ManagedProcess, ProcessSpec } from '../process/process';
import { Deferred } from './deferred';

/** One process started ahead, its output held until it is adopted. */
class Early {
  readonly process: ManagedProcess;
  adopted = false;
  private lines: string[] | undefined = [];
  private sink: ((line: string) => void) | undefined;

  constructor(readonly spec: ProcessSpec, freezer: Freezer, config: Config) {
    this.process = spawnSandboxed(spec, (line) => (this.sink ? this.sink(line) : this.lines?.push(line)), freezer, config.runAs);
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
  /** performance.now() at the spawn: the adopting Init's duration counts from here. */
  readonly spawnedAt = performance.now();
  private readonly done = new Deferred<void>();
  private released = false;

  private constructor(private readonly early: Early[]) {
    this.settled = this.done.promise;
  }

  /**
   * Starts what the first Init would start first; undefined when finding the runtime or the extensions fails (the
   * Init reports that itself).
   */
  static start(config: Config, freezer: Freezer): PrestartedProcesses | undefined {
    let command: RuntimeCommand;
    let extensions: ExtensionFile[];
    try {
      command = resolveRuntimeCommand(config, config.nodejsBootstrap);
      extensions = findExtensionFiles(config.optDir, Number.POSITIVE_INFINITY);
    } catch {
      return undefined;
    }
    const runtimeEnv = runtimeEnvironment(config, command.managedRuntime);
    const specs = extensions.length > 0
      ? extensions.filter((file) => file.launchError === undefined).map((file) => extensionProcessSpec(config, file, runtimeEnv))
      : [runtimeProcessSpec(config, command, runtimeEnv)];
    if (specs.length === 0) return undefined;
    return new PrestartedProcesses(specs.map((spec) => new Early(spec, freezer, config)));
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

function sameSpec(a: ProcessSpec, b: ProcessSpec): boolean {
  return a.name === b.name && a.command === b.command && a.cwd === b.cwd && a.uid === b.uid && a.gid === b.gid &&
    JSON.stringify(a.args) === JSON.stringify(b.args) && JSON.stringify(a.env) === JSON.stringify(b.env);
}
