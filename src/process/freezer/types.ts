export type FreezeStrategyName = 'cgroup2' | 'cgroup1' | 'sigstop' | 'none';

export const FREEZE_STRATEGIES: readonly FreezeStrategyName[] = ['cgroup2', 'cgroup1', 'sigstop', 'none'];

/**
 * Stops and resumes the runtime's and extensions' process trees between invokes. The init itself is never frozen.
 * freeze() and thaw() are queued: each starts after the previous one has finished.
 */
export interface Freezer {
  readonly strategy: FreezeStrategyName;
  /** The cgroup holding the frozen processes (cgroup strategies only). */
  readonly cgroupDir: string | undefined;
  /**
   * How to spawn a process so that it, and everything it forks, is under this freezer from its first instruction:
   * the command and arguments to spawn instead. For cgroups this is a /bin/sh wrapper that joins the cgroup and then
   * execs the command (so a missing or non-executable command shows as exit status 127 / 126 with sh's message,
   * not as a spawn error); other strategies return the command unchanged.
   */
  wrap(command: string, args: string[]): { command: string; args: string[] };
  /**
   * Registers a spawned process. Spawn it detached: for sigstop its process group (= its pid) is what gets stopped,
   * and a pid that does not lead its own group is refused. For cgroups it is also moved into the cgroup (a no-op
   * when the wrapper already did).
   */
  track(pid: number): void;
  untrack(pid: number): void;
  /** Resolves when every process is frozen; rejects (FreezerError) when that does not happen within the bound. */
  freeze(): Promise<void>;
  /** Resolves when every process may run again. */
  thaw(): Promise<void>;
  /** Thaws, moves any process still inside back to the init's cgroup and removes the cgroup. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface FreezerOptions {
  /**
   * Parent directory for the cgroup we create (default: the init's own cgroup in the cgroup2 or v1 freezer
   * hierarchy). It must be on the filesystem of the strategy tried; otherwise that strategy is skipped.
   */
  cgroupRoot?: string;
  /** Prefix of the cgroup's name: letters, digits, '.', '_', '-' (default "lambda-sandbox"). */
  name?: string;
  /** Receives one line naming the chosen strategy and why others were skipped, and later warnings. */
  log?: (message: string) => void;
  /** How long freeze() waits for every process to stop before it gives up (default 2000 ms). */
  freezeTimeoutMs?: number;
  /**
   * The process the sandbox's orphans are reparented to (the init as PID 1 or child subreaper): without a cgroup,
   * its children outside the tracked groups belong to the sandbox too.
   */
  adoptedBy?: number;
}

export class FreezerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FreezerError';
  }
}

/** The outcome of trying one strategy at start: a working freezer (plus a remark for the log) or why not. */
export type OpenResult = { ok: true; freezer: Freezer; note?: string } | { ok: false; reason: string };
