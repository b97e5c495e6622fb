import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FreezeStrategyName } from '../../src/process/freezer';

/**
 * The kernel floor for one freeze + thaw: the same control files or signals the freezer uses, with a busy-wait
 * on the state (no timers, no queue, no promises). It is what the freezer could at best achieve.
 */
export type RawRoundTrip = { freeze(): void; thaw(): void };

export function rawRoundTrip(strategy: FreezeStrategyName, cgroupDir: string | undefined, pid: number): RawRoundTrip {
  switch (strategy) {
    case 'cgroup2': {
      const control = path.join(need(cgroupDir), 'cgroup.freeze');
      const events = path.join(need(cgroupDir), 'cgroup.events');
      const until = (frozen: '0' | '1'): void => {
        while (!fs.readFileSync(events, 'latin1').includes(`frozen ${frozen}`)) { /* spin */ }
      };
      return {
        freeze: () => { fs.writeFileSync(control, '1'); until('1'); },
        thaw: () => { fs.writeFileSync(control, '0'); until('0'); },
      };
    }
    case 'cgroup1': {
      const state = path.join(need(cgroupDir), 'freezer.state');
      const set = (to: 'FROZEN' | 'THAWED'): void => {
        fs.writeFileSync(state, to);
        while (fs.readFileSync(state, 'latin1').trim() !== to) fs.writeFileSync(state, to);
      };
      return { freeze: () => set('FROZEN'), thaw: () => set('THAWED') };
    }
    case 'sigstop': {
      const stat = `/proc/${pid}/stat`;
      const state = (): string => {
        const text = fs.readFileSync(stat, 'latin1');
        return text.charAt(text.lastIndexOf(')') + 2);
      };
      return {
        freeze: () => { process.kill(-pid, 'SIGSTOP'); while (state() !== 'T') { /* spin */ } },
        thaw: () => { process.kill(-pid, 'SIGCONT'); },
      };
    }
    case 'none':
      return { freeze: () => undefined, thaw: () => undefined };
  }
}

function need(dir: string | undefined): string {
  if (dir === undefined) throw new Error('a cgroup strategy without a cgroup directory');
  return dir;
}
