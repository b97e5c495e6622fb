import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createFreezer } from '../../../src/process/freezer';
import { cgroupMemoryPeak, cgroupPids } from '../../../src/process/freezer/cgroup-child';
import { maxMemoryUsedMb, processTreeMemoryMb } from '../../../src/process/memory';

/** Node that touches `mb` MiB (Buffer.alloc fills the memory), prints "ready" and waits. */
function allocatorScript(mb: number): string {
  return `globalThis.keep = Buffer.alloc(${mb} * 1024 * 1024, 1); console.log('ready'); setInterval(() => {}, 1000);`;
}

async function startReady(command: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout!.setEncoding('utf8');
  let output = '';
  while (!output.includes('ready')) {
    const [chunk] = (await once(child.stdout!, 'data')) as [string];
    output += chunk;
  }
  return child;
}

function killGroup(child: ChildProcess | undefined): void {
  try {
    if (child?.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // gone
  }
}

describe('memory', function () {
  const started: ChildProcess[] = [];
  afterEach(function () {
    for (const child of started.splice(0)) killGroup(child);
  });

  it('counts ~50 MB a child allocates, in MB rounded up', async function () {
    const idle = await startReady(process.execPath, ['-e', allocatorScript(0)]);
    const busy = await startReady(process.execPath, ['-e', allocatorScript(50)]);
    started.push(idle, busy);
    const idleMb = maxMemoryUsedMb({ processGroups: [idle.pid] });
    const busyMb = maxMemoryUsedMb({ processGroups: [busy.pid] });
    assert.ok(idleMb > 0, `an idle node shows ${idleMb} MB`);
    assert.ok(busyMb - idleMb >= 45 && busyMb - idleMb <= 70, `idle ${idleMb} MB vs 50 MB allocated ${busyMb} MB`);
    assert.equal(processTreeMemoryMb(busy.pid), busyMb);
    assert.ok(Number.isInteger(busyMb));
    // Both groups together: the sum.
    assert.equal(maxMemoryUsedMb({ processGroups: [idle.pid, busy.pid] }) >= busyMb + idleMb - 1, true);
  });

  it('includes the whole process group, not just the leader', async function () {
    const shell = await startReady('/bin/sh', ['-c', `"$0" -e "$1" & wait`, process.execPath, allocatorScript(50)]);
    started.push(shell);
    assert.ok(maxMemoryUsedMb({ processGroups: [shell.pid] }) >= 50);
  });

  it('is 0 for nothing to measure', function () {
    assert.equal(processTreeMemoryMb(undefined), 0);
    assert.equal(maxMemoryUsedMb({}), 0);
    assert.equal(maxMemoryUsedMb({ processGroups: [2 ** 22 + 1] }), 0);
  });

  it('with a freezer cgroup, counts members that left the process group', async function () {
    const freezer = await createFreezer('cgroup2', {});
    try {
      if (!freezer.cgroupDir) this.skip(); // no cgroup on this machine
      const wrapped = freezer.wrap('/bin/sh', ['-c', `setsid "$0" -e "$1" & wait`, process.execPath, allocatorScript(50)]);
      const shell = await startReady(wrapped.command, wrapped.args);
      started.push(shell);
      freezer.track(shell.pid!);
      const byGroup = maxMemoryUsedMb({ processGroups: [shell.pid] });
      const byCgroup = maxMemoryUsedMb({ cgroupDir: freezer.cgroupDir, processGroups: [shell.pid] });
      assert.ok(byGroup < 50, `the group alone (${byGroup} MB) should not see the setsid allocator`);
      assert.ok(byCgroup >= 50, `the cgroup shows only ${byCgroup} MB`);
      const peak = cgroupMemoryPeak(freezer.cgroupDir);
      if (peak !== undefined) assert.equal(byCgroup, Math.ceil(peak / 1048576)); // memory.peak wins when present
    } finally {
      for (const pid of freezer.cgroupDir ? cgroupPids(freezer.cgroupDir) : []) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await freezer.dispose();
    }
  });
});
