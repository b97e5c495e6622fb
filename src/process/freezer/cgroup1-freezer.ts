import * as fs from 'node:fs';
import * as path from 'node:path';
import { cgroupPids } from './cgroup-child';
import { CgroupFreezer, openCgroupFreezer } from './cgroup-freezer';
import { FreezerError, type OpenResult } from './types';
import { delay, errorCode } from './wait';

/** Every this many FREEZING reads, thaw and pause so processes that keep forking let the freeze settle. */
const THAW_AND_PAUSE_EVERY = 25;
const PAUSE_MS = 10;

type State = 'THAWED' | 'FREEZING' | 'FROZEN';

/**
 * cgroup v1 freezer: freezer.state FROZEN / THAWED. The file has no change notification, and a freeze can stick in
 * FREEZING while tasks keep appearing (older kernels need the write repeated), so freeze() re-writes FROZEN between
 * short waits, occasionally thaws and pauses, and within the bound either reaches FROZEN or thaws back and rejects —
 * the approach runc takes. On current kernels the first write usually lands FROZEN at once.
 */
class Cgroup1Freezer extends CgroupFreezer {
  readonly strategy = 'cgroup1' as const;
  private readonly stateFile = path.join(this.cgroupDir, 'freezer.state');

  freeze(): Promise<void> {
    return this.queue.run(async () => {
      this.checkOpen();
      const deadline = Date.now() + this.timeoutMs;
      for (let attempt = 1; ; attempt++) {
        this.write('FROZEN');
        const state = this.read();
        if (state === 'FROZEN') return;
        if (state !== 'FREEZING') throw new FreezerError(`${this.stateFile} says ${state} right after writing FROZEN`);
        if (Date.now() >= deadline) {
          this.tryWrite('THAWED');
          const members = cgroupPids(this.cgroupDir).join(', ') || 'none';
          throw new FreezerError(
            `cgroup v1 freeze of ${this.cgroupDir} stuck in FREEZING for ${this.timeoutMs} ms (${attempt} attempts; ` +
              `processes: ${members}); thawed it again`,
          );
        }
        if (attempt % THAW_AND_PAUSE_EVERY === 0) {
          this.tryWrite('THAWED');
          await delay(PAUSE_MS);
        } else {
          await delay(attempt < 3 ? 0 : 1);
        }
      }
    });
  }

  thaw(): Promise<void> {
    return this.queue.run(async () => {
      this.checkOpen();
      const deadline = Date.now() + this.timeoutMs;
      for (let attempt = 1; ; attempt++) {
        this.write('THAWED');
        const state = this.read();
        if (state === 'THAWED') return;
        if (Date.now() >= deadline) {
          throw new FreezerError(`cgroup v1 thaw of ${this.cgroupDir}: freezer.state still ${state} after ${attempt} writes`);
        }
        await delay(attempt < 3 ? 0 : 1);
      }
    });
  }

  protected release(): void {
    this.tryWrite('THAWED');
  }

  private write(state: 'FROZEN' | 'THAWED'): void {
    try {
      fs.writeFileSync(this.stateFile, state);
    } catch (error) {
      throw new FreezerError(`cannot write ${state} to ${this.stateFile}: ${errorCode(error)}`);
    }
  }

  private tryWrite(state: 'FROZEN' | 'THAWED'): void {
    try {
      fs.writeFileSync(this.stateFile, state);
    } catch {
      // best effort on the way out
    }
  }

  private read(): State | string {
    try {
      return fs.readFileSync(this.stateFile, 'latin1').trim();
    } catch (error) {
      throw new FreezerError(`cannot read ${this.stateFile}: ${errorCode(error)}`);
    }
  }
}

/** Tries the v1 freezer for real in `parentDir`: create a child cgroup, write THAWED, let a test process join. */
export function openCgroup1Freezer(
  parentDir: string,
  name: string,
  timeoutMs: number,
  log: (message: string) => void,
): Promise<OpenResult> {
  return openCgroupFreezer(parentDir, name, {
    fsKind: 'cgroup1-freezer',
    label: 'cgroup1 freezer',
    controlFile: 'freezer.state',
    thawedValue: 'THAWED',
    create: (dir) => ({ freezer: new Cgroup1Freezer(dir, parentDir, timeoutMs, log) }),
  });
}
