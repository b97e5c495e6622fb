import * as fs from 'node:fs';
import * as path from 'node:path';
import { joinCgroup, makeChildCgroup, probeJoin, removeChildCgroup, staleNote, sweepStaleCgroups, wrapInCgroup } from './cgroup-child';
import { checkCgroupDir } from './cgroup-mounts';
import { checkPid } from './check-pid';
import { type Freezer, FreezerError, type FreezeStrategyName, type OpenResult } from './types';
import { SerialQueue, errorCode } from './wait';

/**
 * What the cgroup v1 and v2 freezers share: a child cgroup that processes join before they exec, one operation at a
 * time, and a dispose that thaws and removes the cgroup. Subclasses say how to freeze, thaw and let go.
 */
export abstract class CgroupFreezer implements Freezer {
  abstract readonly strategy: FreezeStrategyName;
  protected readonly queue = new SerialQueue();
  protected readonly procsFile: string;
  private disposed = false;

  constructor(
    readonly cgroupDir: string,
    private readonly parentDir: string,
    protected readonly timeoutMs: number,
    private readonly log: (message: string) => void,
  ) {
    this.procsFile = path.join(cgroupDir, 'cgroup.procs');
  }

  wrap(command: string, args: string[]): { command: string; args: string[] } {
    return wrapInCgroup(this.procsFile, command, args);
  }

  track(pid: number): void {
    checkPid(pid);
    joinCgroup(this.procsFile, pid);
  }

  untrack(): void {
    // Membership ends when the process exits; nothing to forget.
  }

  abstract freeze(): Promise<void>;
  abstract thaw(): Promise<void>;

  dispose(): Promise<void> {
    return this.queue.run(async () => {
      if (this.disposed) return;
      this.disposed = true;
      this.release();
      const problem = await removeChildCgroup(this.cgroupDir, this.parentDir);
      if (problem) this.log(`freezer: ${problem}`);
    });
  }

  /** Best effort on the way out: thaw whatever is still inside, stop watching. Must not throw. */
  protected abstract release(): void;

  protected checkOpen(): void {
    if (this.disposed) throw new FreezerError(`freezer cgroup ${this.cgroupDir} was already disposed`);
  }
}

export interface CgroupOpenSpec {
  /** As checkCgroupDir names the filesystem. */
  fsKind: 'cgroup2' | 'cgroup1-freezer';
  /** How the log names this strategy, e.g. "cgroup2" or "cgroup1 freezer". */
  label: string;
  /** The control file to write at once, and the value that leaves the cgroup thawed. */
  controlFile: string;
  thawedValue: string;
  /** Extra words for a control file that cannot be written, by errno code. */
  explainControlError?: (code: string) => string;
  /** Builds the freezer on the child cgroup; may add a note for the log. */
  create: (dir: string) => { freezer: Freezer; note?: string };
}

/**
 * Tries a cgroup strategy for real in `parentDir`: create a child cgroup, write its control file, let a test process
 * join it. Anything that fails is undone and reported as the reason.
 */
export async function openCgroupFreezer(parentDir: string, name: string, spec: CgroupOpenSpec): Promise<OpenResult> {
  const wrongPlace = checkCgroupDir(parentDir, spec.fsKind);
  if (wrongPlace) return { ok: false, reason: wrongPlace };
  const swept = sweepStaleCgroups(parentDir, name);
  let dir: string;
  try {
    dir = makeChildCgroup(parentDir, name);
  } catch (error) {
    return { ok: false, reason: `${spec.label} at ${parentDir} not writable: ${errorCode(error)}` };
  }
  const fail = async (reason: string): Promise<OpenResult> => {
    await removeChildCgroup(dir, parentDir);
    return { ok: false, reason };
  };
  try {
    fs.writeFileSync(path.join(dir, spec.controlFile), spec.thawedValue);
  } catch (error) {
    const code = errorCode(error);
    return fail(`${spec.label} at ${parentDir}: cannot write ${spec.controlFile} (${code}${spec.explainControlError?.(code) ?? ''})`);
  }
  const joinProblem = await probeJoin(path.join(dir, 'cgroup.procs'));
  if (joinProblem) return fail(`${spec.label} at ${parentDir}: ${joinProblem}`);
  const { freezer, note } = spec.create(dir);
  const notes = [staleNote(swept), note].filter((n) => n !== undefined);
  return { ok: true, freezer, note: notes.length > 0 ? notes.join('; ') : undefined };
}
