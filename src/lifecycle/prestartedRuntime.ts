import type { Config } from '../config';
import { findExtensionFiles } from '../launch/extensionFiles';
import { resolveRuntimeCommand } from '../launch/runtimeCommand';
import { runtimeEnvironment } from '../launch/runtimeEnvironment';
import { runtimeProcessSpec, spawnSandboxed } from '../launch/sandboxedProcess';
import type { Freezer } from '../process/freezer';
import type { ManagedProcess, ProcessSpec } from '../process/process';
import { Deferred } from './deferred';

/**
 * The first Init's runtime, started while the init is still loading the rest of itself, so that the two Node
 * start-ups overlap instead of following each other (docs/architecture.md#cold-start). Only when nothing must start
 * before the runtime: no external extensions (Lambda starts those first and waits for them to register).
 *
 * Its output waits here, and the Runtime API holds its requests (`settled`), until the first Init adopts it; an Init
 * that wants another command, or none, kills it instead. Either way it is settled once.
 */
export class PrestartedRuntime {
  /** Resolves when the runtime was adopted or killed: from then on the Runtime API may answer it. */
  readonly settled: Promise<void>;
  /** performance.now() at the spawn: the adopting Init's duration counts from here. */
  readonly spawnedAt = performance.now();
  private readonly process: ManagedProcess;
  private readonly done = new Deferred<void>();
  private lines: string[] | undefined = [];
  private sink: ((line: string) => void) | undefined;
  private adopted = false;

  private constructor(readonly spec: ProcessSpec, freezer: Freezer, config: Config) {
    this.settled = this.done.promise;
    this.process = spawnSandboxed(spec, (line) => (this.sink ? this.sink(line) : this.lines?.push(line)), freezer, config.runAs);
  }

  /**
   * Starts the runtime the first Init would start, when the environment allows it; undefined when it does not, or
   * when finding the runtime fails (the Init reports that itself).
   */
  static async start(config: Config, freezer: Freezer): Promise<PrestartedRuntime | undefined> {
    const [command, extensions] = await Promise.all([
      resolveRuntimeCommand(config, config.nodejsBootstrap).catch(() => undefined),
      findExtensionFiles(config.optDir, Number.POSITIVE_INFINITY).catch(() => undefined),
    ]);
    if (command === undefined || extensions === undefined || extensions.length > 0) return undefined;
    const spec = runtimeProcessSpec(config, command, runtimeEnvironment(config, command.managedRuntime));
    return new PrestartedRuntime(spec, freezer, config);
  }

  /** Since when the adopted runtime has been starting; undefined when it was not adopted. */
  get adoptedSince(): number | undefined {
    return this.adopted ? this.spawnedAt : undefined;
  }

  /**
   * The running process when `spec` is the one it was started with; its output so far goes to `onLine` now, in
   * order. Otherwise (or the second time) undefined, and the prestarted process is killed.
   */
  adopt(spec: ProcessSpec, onLine: (line: string) => void): ManagedProcess | undefined {
    if (this.done.settled || !sameSpec(spec, this.spec)) {
      this.discard();
      return undefined;
    }
    this.adopted = true;
    this.sink = onLine;
    for (const line of this.lines ?? []) onLine(line);
    this.lines = undefined;
    this.done.resolve();
    return this.process;
  }

  /** Kills it unless an Init adopted it. Safe to call at any time, more than once. */
  discard(): void {
    if (this.done.settled) return;
    this.lines = undefined;
    this.process.signalGroup('SIGKILL');
    this.done.resolve();
  }
}

function sameSpec(a: ProcessSpec, b: ProcessSpec): boolean {
  return a.command === b.command && a.cwd === b.cwd && a.uid === b.uid && a.gid === b.gid &&
    JSON.stringify(a.args) === JSON.stringify(b.args) && JSON.stringify(a.env) === JSON.stringify(b.env);
}
