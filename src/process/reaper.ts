import type { ChildProcess } from 'node:child_process';
import * as diagnostics from 'node:diagnostics_channel';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { type AddonLoad, loadSandboxNative } from './native/addon';
import { listProcesses, type ProcStat, readProcStat } from './procfs';

/** An orphan that ended under us and was reaped. */
export interface ReapedOrphan {
  pid: number;
  /** Its executable name as /proc showed it while it was a zombie. */
  comm: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface ReaperOptions {
  /** Receives at most one warning line, when reaping is needed (PID 1) but impossible. */
  log: (message: string) => void;
  /**
   * Extra protection for children spawned outside this module's view (see startReaper); children spawned through
   * node:child_process on this thread are recognised without it.
   */
  isOurChild?: (pid: number) => boolean;
  /** Called for every orphan reaped (e.g. to log it at debug level). */
  onReaped?: (orphan: ReapedOrphan) => void;
  /** The native addon to use; the built one by default (tests pass a missing file to see the fallback). */
  addon?: AddonLoad;
  /** The init's pid as the kernel numbers it in our pid namespace (default process.pid). */
  pid?: number;
}

export type ReaperMode = 'pid1' | 'subreaper' | 'off';

export interface Reaper {
  /** pid1: we are the namespace's init; subreaper: orphans of our descendants come to us; off: nothing is reaped. */
  readonly mode: ReaperMode;
  /** Reaps every zombie orphan now (normally done on SIGCHLD); returns how many. */
  reapNow(): number;
  stop(): void;
}

/**
 * Our zombie children. /proc/self/task/<tid>/children lists each thread's children (zombies included), a few small
 * files instead of one per process on the machine: SIGCHLD also comes for every SIGSTOP and SIGCONT of a child,
 * so with the sigstop freezer this runs twice per invoke. Without that file (a kernel without CONFIG_PROC_CHILDREN),
 * all of /proc is scanned.
 */
function zombieChildren(ownPid: number): ProcStat[] {
  const children = childPids();
  if (children === undefined) return listProcesses().filter((p) => p.ppid === ownPid && p.state === 'Z');
  const zombies: ProcStat[] = [];
  for (const pid of children) {
    const stat = readProcStat(pid);
    if (stat?.state === 'Z') zombies.push(stat);
  }
  return zombies;
}

const HAS_CHILDREN_FILE = fs.existsSync(`/proc/self/task/${process.pid}/children`);

function childPids(): number[] | undefined {
  if (!HAS_CHILDREN_FILE) return undefined;
  const pids: number[] = [];
  let threads: string[];
  try {
    threads = fs.readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  for (const tid of threads) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/self/task/${tid}/children`, 'latin1');
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const word of text.split(/\s+/)) if (word !== '') pids.push(Number(word));
  }
  return pids;
}

/**
 * Reaps orphaned descendants. As PID 1 (in a container) every orphaned process is re-parented to the init, and when
 * it exits it stays a zombie unless someone waits for it; libuv only waits for the children Node spawned, and
 * only by their pid. Outside PID 1 the init makes itself a child subreaper, so the runtime's orphans come to it
 * rather than to the host's init (and are reaped here too).
 *
 * On every SIGCHLD, /proc is scanned for zombies whose parent is us; each one that is not a live ChildProcess
 * (tracked through the public 'child_process' diagnostics channel, which Node publishes for every spawn) and not
 * claimed by isOurChild is reaped with waitpid(pid, WNOHANG). libuv's own children are never waited for here, so
 * their exit statuses still reach their 'exit' events. Children spawned from worker threads are not seen by the
 * channel of this thread: protect them with isOurChild. waitpid comes from a small Node-API addon; without it, as
 * PID 1, one warning is logged and zombies accumulate until the container stops.
 */
export function startReaper(options: ReaperOptions): Reaper {
  const ownPid = options.pid ?? process.pid;
  const isPid1 = ownPid === 1;
  const loaded = options.addon ?? loadSandboxNative();
  if (!loaded.ok) {
    if (isPid1) options.log(`orphan reaper unavailable: ${loaded.reason}; orphaned processes will stay zombies`);
    return { mode: 'off', reapNow: () => 0, stop: () => undefined };
  }
  const addon = loaded.addon;
  let mode: ReaperMode = 'pid1';
  if (!isPid1) {
    try {
      addon.setChildSubreaper(true);
      mode = 'subreaper';
    } catch (error) {
      options.log(`cannot become a child subreaper: ${error instanceof Error ? error.message : String(error)}`);
      return { mode: 'off', reapNow: () => 0, stop: () => undefined };
    }
  }

  const children = new Set<ChildProcess>();
  const onSpawn = (message: unknown): void => {
    const child = (message as { process?: ChildProcess } | undefined)?.process;
    if (!child) return;
    children.add(child);
    child.once('exit', () => children.delete(child));
  };
  diagnostics.subscribe('child_process', onSpawn);

  const signalNames = new Map<number, NodeJS.Signals>(
    Object.entries(os.constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
  );

  const protectedPids = (): Set<number> => {
    const pids = new Set<number>();
    for (const child of children) {
      // exitCode/signalCode are set once libuv has reaped it; a failed spawn gets a negative exitCode and no pid.
      if (child.exitCode !== null || child.signalCode !== null) children.delete(child);
      else if (child.pid !== undefined) pids.add(child.pid);
    }
    return pids;
  };

  const reapNow = (): number => {
    const zombies = zombieChildren(ownPid);
    if (zombies.length === 0) return 0;
    const spared = protectedPids();
    let reaped = 0;
    for (const zombie of zombies) {
      if (spared.has(zombie.pid) || options.isOurChild?.(zombie.pid)) continue;
      let result: ReturnType<typeof addon.waitpidNoHang>;
      try {
        result = addon.waitpidNoHang(zombie.pid);
      } catch {
        continue; // ECHILD: someone else reaped it in between
      }
      if (!result) continue;
      reaped++;
      options.onReaped?.({
        pid: zombie.pid,
        comm: zombie.comm,
        exitCode: result.exitCode,
        signal: result.signal === null ? null : (signalNames.get(result.signal) ?? null),
      });
    }
    return reaped;
  };

  // One scan per burst of SIGCHLDs, after libuv has handled the same signal for its own children.
  let scheduled = false;
  const onSigchld = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      reapNow();
    });
  };
  process.on('SIGCHLD', onSigchld);
  reapNow(); // zombies inherited before we started listening

  return {
    mode,
    reapNow,
    stop(): void {
      process.off('SIGCHLD', onSigchld);
      diagnostics.unsubscribe('child_process', onSpawn);
      if (mode === 'subreaper') {
        try {
          addon.setChildSubreaper(false);
        } catch {
          // nothing left to undo
        }
      }
    },
  };
}
