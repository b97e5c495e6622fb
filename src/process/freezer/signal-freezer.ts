import { GroupMembers, processesByParent, type ProcStat, readProcStat } from '../procfs';
import { checkPid } from './check-pid';
import { type Freezer, FreezerError } from './types';
import { SerialQueue, delay, errorCode } from './wait';

const MAX_PAUSE_MS = 20;

/** Stopped (T), stopped by a tracer (t), or already dead (Z, X): none of these runs any more. */
const NOT_RUNNING = new Set(['T', 't', 'Z', 'X']);

/**
 * The processes that have not stopped yet. A vfork() parent (dash spawns commands that way) waits in D state for its
 * child to exec; once that child is stopped the parent cannot run either and never reaches T, so it counts as stopped.
 */
function stillRunning(members: ProcStat[]): ProcStat[] {
  const stoppedParents = new Set(members.filter((p) => p.state === 'T' || p.state === 't').map((p) => p.ppid));
  return members.filter((p) => !NOT_RUNNING.has(p.state) && !(p.state === 'D' && stoppedParents.has(p.pid)));
}

/**
 * SIGSTOP / SIGCONT to each tracked process group, and to each process that left those groups (setsid, setpgid):
 * a descendant of a tracked process, or of `adoptedBy` (the init, which orphans are reparented to), found by one
 * /proc scan per freeze. Works everywhere, but the processes can observe the signals (a SIGCONT handler runs on thaw).
 */
export class SignalFreezer implements Freezer {
  readonly strategy = 'sigstop' as const;
  readonly cgroupDir = undefined;
  private readonly queue = new SerialQueue();
  private readonly groups = new Set<number>();
  private readonly ownGroup = readProcStat('self')?.pgid;
  /**
   * Who must have stopped before freeze() resolves. A full /proc scan costs about 15 µs per process on the machine
   * (over 1 ms on a busy host), so it runs at most once a second; a process forked since then still gets the
   * group's SIGSTOP, freeze() just does not wait for it.
   */
  private readonly members = new GroupMembers(1_000);

  /** Processes outside the tracked groups that the last freeze stopped, to continue at the thaw. */
  private escaped: number[] = [];

  constructor(private readonly timeoutMs: number, private readonly adoptedBy?: number) {}

  wrap(command: string, args: string[]): { command: string; args: string[] } {
    return { command, args };
  }

  track(pid: number): void {
    checkPid(pid);
    const stat = readProcStat(pid);
    if (!stat) return; // already gone: nothing to freeze
    if (stat.pgid !== pid) {
      throw new FreezerError(
        `process ${pid} does not lead its own process group (it is in group ${stat.pgid}); spawn it detached`,
      );
    }
    if (pid === this.ownGroup) throw new FreezerError(`refusing to freeze the init's own process group ${pid}`);
    this.groups.add(pid);
  }

  untrack(pid: number): void {
    this.groups.delete(pid);
  }

  freeze(): Promise<void> {
    return this.queue.run(async () => {
      this.signalAll('SIGSTOP');
      const escaped = this.escapedProcesses();
      this.escaped = escaped.map((p) => p.pid);
      for (const pid of this.escaped) signalQuietly(pid, 'SIGSTOP');
      // kill() only queues the signal; wait until every member has really stopped.
      const deadline = Date.now() + this.timeoutMs;
      let pause = 0;
      for (;;) {
        const stillThere = escaped.map((p) => readProcStat(p.pid)).filter((p): p is ProcStat => p !== undefined);
        const running = stillRunning([...this.members.of(this.groups), ...stillThere]);
        if (running.length === 0) return;
        if (Date.now() >= deadline) {
          const list = running.map((p) => `${p.pid} (${p.comm}, state ${p.state})`).join(', ');
          throw new FreezerError(`SIGSTOP did not stop every process within ${this.timeoutMs} ms: ${list}`);
        }
        await delay(pause);
        pause = Math.min(Math.max(1, pause * 2), MAX_PAUSE_MS);
      }
    });
  }

  thaw(): Promise<void> {
    return this.queue.run(async () => this.continueAll());
  }


  /** Continues every tracked group so nothing stays stopped, then forgets them. */
  dispose(): Promise<void> {
    return this.queue.run(async () => {
      this.continueAll();
      this.groups.clear();
    });
  }

  private continueAll(): void {
    for (const pid of this.escaped.splice(0)) signalQuietly(pid, 'SIGCONT');
    this.signalAll('SIGCONT');
  }

  /** The descendants of the tracked processes (and of `adoptedBy`) that are in none of the tracked groups. */
  private escapedProcesses(): ProcStat[] {
    if (this.groups.size === 0) return [];
    const children = processesByParent();
    const escaped: ProcStat[] = [];
    const pending = [...this.groups, ...(this.adoptedBy === undefined ? [] : [this.adoptedBy])];
    const seen = new Set<number>();
    for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
      for (const child of children.get(pid) ?? []) {
        if (seen.has(child.pid)) continue;
        seen.add(child.pid);
        if (!this.groups.has(child.pgid) && child.pgid !== this.ownGroup) escaped.push(child);
        pending.push(child.pid);
      }
    }
    return escaped;
  }

  private signalAll(signal: 'SIGSTOP' | 'SIGCONT'): void {
    const failures: string[] = [];
    for (const group of this.groups) {
      try {
        process.kill(-group, signal);
      } catch (error) {
        if (errorCode(error) !== 'ESRCH') failures.push(`group ${group}: ${errorCode(error)}`);
      }
    }
    if (failures.length > 0) throw new FreezerError(`cannot send ${signal}: ${failures.join(', ')}`);
  }
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone meanwhile
  }
}
