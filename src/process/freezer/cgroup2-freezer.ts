import * as fs from 'node:fs';
import * as path from 'node:path';
import { cgroupPids } from './cgroup-child';
import { CgroupFreezer, openCgroupFreezer } from './cgroup-freezer';
import { FreezerError, type OpenResult } from './types';
import { delay, errorCode } from './wait';

/** Longest pause between two reads of cgroup.events, in case an inotify event is missed. */
const MAX_EVENT_WAIT_MS = 50;
/**
 * How long cgroup.events is re-read on every turn of the event loop before waiting for its change event. The
 * kernel usually finishes within 0.1 ms, but announces it through a workqueue, so the event (or the first 1 ms
 * timer) often comes a whole millisecond later.
 */
const REREAD_MS = 0.3;

/**
 * cgroup v2: cgroup.freeze = 1 / 0, completion read from cgroup.events ("frozen 1"), which the kernel announces
 * through inotify. The hot path is one write plus, when the kernel has not finished by then, an event wait.
 */
class Cgroup2Freezer extends CgroupFreezer {
  readonly strategy = 'cgroup2' as const;
  private readonly freezeFile = path.join(this.cgroupDir, 'cgroup.freeze');
  private readonly eventsFile = path.join(this.cgroupDir, 'cgroup.events');
  private watcher: fs.FSWatcher | undefined;
  private wakeWaiter: (() => void) | undefined;
  /**
   * The two control files stay open between invokes: a freeze and a thaw are then one pwrite each and a pread or
   * two, instead of an open, a write or read and a close every time (a tenth of the init's CPU per warm invoke).
   */
  private freezeFd: number | undefined;
  private eventsFd: number | undefined;
  private readonly eventsBuffer = Buffer.alloc(512);

  constructor(cgroupDir: string, parentDir: string, timeoutMs: number, log: (message: string) => void) {
    super(cgroupDir, parentDir, timeoutMs, log);
    try {
      this.watcher = fs.watch(this.eventsFile, { persistent: false }, () => this.wakeWaiter?.());
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      this.watcher = undefined; // without inotify the bounded re-reads below still see the change
    }
  }

  freeze(): Promise<void> {
    return this.queue.run(() => this.setFrozen(true));
  }

  thaw(): Promise<void> {
    return this.queue.run(() => this.setFrozen(false));
  }

  protected release(): void {
    try {
      fs.writeFileSync(this.freezeFile, '0');
    } catch {
      // already gone, or removed by someone else: the removal reports what matters
    }
    this.stopWatching();
    for (const fd of [this.freezeFd, this.eventsFd]) if (fd !== undefined) fs.closeSync(fd);
    this.freezeFd = this.eventsFd = undefined;
  }

  private async setFrozen(frozen: boolean): Promise<void> {
    this.checkOpen();
    try {
      this.freezeFd ??= fs.openSync(this.freezeFile, 'w');
      fs.writeSync(this.freezeFd, frozen ? '1' : '0', 0);
    } catch (error) {
      throw new FreezerError(`cannot write ${this.freezeFile}: ${errorCode(error)}`);
    }
    const deadline = Date.now() + this.timeoutMs;
    const rereadUntil = performance.now() + REREAD_MS;
    let pause = 1;
    while (this.readFrozen() !== frozen) {
      if (performance.now() < rereadUntil) {
        await delay(0);
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const members = cgroupPids(this.cgroupDir).join(', ') || 'none';
        throw new FreezerError(
          `cgroup2 ${frozen ? 'freeze' : 'thaw'} of ${this.cgroupDir} did not complete within ${this.timeoutMs} ms ` +
            `(cgroup.events still says frozen ${frozen ? 0 : 1}; processes: ${members})`,
        );
      }
      await this.nextEvent(Math.min(remaining, pause));
      pause = Math.min(pause * 2, MAX_EVENT_WAIT_MS);
    }
  }

  private readFrozen(): boolean {
    let events: string;
    try {
      this.eventsFd ??= fs.openSync(this.eventsFile, 'r');
      const length = fs.readSync(this.eventsFd, this.eventsBuffer, 0, this.eventsBuffer.length, 0);
      events = this.eventsBuffer.toString('latin1', 0, length);
    } catch (error) {
      throw new FreezerError(`cannot read ${this.eventsFile}: ${errorCode(error)}`);
    }
    return /^frozen 1$/m.test(events);
  }

  /** Resolves on the next change event of cgroup.events, or after `ms` at the latest. */
  private nextEvent(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeWaiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeWaiter = done;
    });
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

/** Tries cgroup v2 for real in `parentDir`: create a child cgroup, write its cgroup.freeze, let a test process join. */
export function openCgroup2Freezer(
  parentDir: string,
  name: string,
  timeoutMs: number,
  log: (message: string) => void,
): Promise<OpenResult> {
  return openCgroupFreezer(parentDir, name, {
    fsKind: 'cgroup2',
    label: 'cgroup2',
    controlFile: 'cgroup.freeze',
    thawedValue: '0',
    explainControlError: (code) => (code === 'ENOENT' ? ': kernel before 5.2' : ''),
    create: (dir) => ({ freezer: new Cgroup2Freezer(dir, parentDir, timeoutMs, log), note: enableMemoryController(parentDir, dir) }),
  });
}

/**
 * memory.peak exists only when the parent delegates the memory controller to its children. Turning it on fails
 * (EBUSY) when the parent is not a root cgroup and has processes of its own — typically the init's cgroup in a
 * container — and then Max Memory Used falls back to summing the processes' own peaks.
 */
function enableMemoryController(parentDir: string, dir: string): string | undefined {
  if (fs.existsSync(path.join(dir, 'memory.peak'))) return undefined;
  let available: string[];
  try {
    available = fs.readFileSync(path.join(parentDir, 'cgroup.controllers'), 'latin1').trim().split(/\s+/);
  } catch (error) {
    return `memory.peak unavailable: cannot read ${parentDir}/cgroup.controllers (${errorCode(error)})`;
  }
  if (!available.includes('memory')) return `memory.peak unavailable: no memory controller in ${parentDir}`;
  try {
    fs.writeFileSync(path.join(parentDir, 'cgroup.subtree_control'), '+memory');
  } catch (error) {
    return `memory.peak unavailable: cannot enable the memory controller in ${parentDir} (${errorCode(error)})`;
  }
  return fs.existsSync(path.join(dir, 'memory.peak')) ? undefined : 'memory.peak unavailable: kernel before 5.19';
}
