import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type FreezeStrategyName, type Freezer, FreezerError, createFreezer } from '../../../src/process/freezer';
import { cgroupPids, removeChildCgroup } from '../../../src/process/freezer/cgroup-child';
import { readProcStat } from '../../../src/process/procfs';
import { killGroup, makeTempDir, sleep, startTicker, ticks, waitFor, writeTicker } from './helpers';

/** Long enough for a 20 ms ticker to tick several times if it were running. */
const FROZEN_WINDOW_MS = 300;

/** Kills everything the test started, including processes that left their process group. */
async function cleanUp(freezer: Freezer | undefined, children: ChildProcess[]): Promise<void> {
  for (const child of children) killGroup(child.pid);
  if (freezer?.cgroupDir) for (const pid of cgroupPids(freezer.cgroupDir)) killGroup(pid);
  // v1-frozen processes only die once thawed; dispose thaws.
  await freezer?.dispose();
}

function frozenStateOf(freezer: Freezer, pid: number): string {
  const dir = freezer.cgroupDir ?? '';
  switch (freezer.strategy) {
    case 'cgroup2':
      return /^frozen (\d)$/m.exec(fs.readFileSync(path.join(dir, 'cgroup.events'), 'latin1'))?.[1] ?? '?';
    case 'cgroup1':
      return fs.readFileSync(path.join(dir, 'freezer.state'), 'latin1').trim();
    default:
      return readProcStat(pid)?.state ?? 'gone';
  }
}

const FROZEN_STATE: Record<string, string> = { cgroup2: '1', cgroup1: 'FROZEN', sigstop: 'T' };

for (const strategy of ['cgroup2', 'cgroup1', 'sigstop'] as const satisfies readonly FreezeStrategyName[]) {
  describe(`freezer: ${strategy}`, function () {
    let freezer: Freezer | undefined;
    let children: ChildProcess[];
    let dir: string;
    let logs: string[];

    beforeEach(async function () {
      children = [];
      logs = [];
      dir = makeTempDir();
      freezer = await createFreezer(strategy, { name: 'lambda-sandbox-test', log: (m) => logs.push(m) });
      if (freezer.strategy !== strategy) {
        await freezer.dispose();
        freezer = undefined;
        this.skip(); // not available on this machine; the log says why: see the fallback tests
      }
    });

    afterEach(async function () {
      await cleanUp(freezer, children);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('logs the choice once', function () {
      assert.equal(logs.length, 1, logs.join('\n'));
      assert.match(logs[0], new RegExp(`^freezer: ${strategy}`));
    });

    it('stops a ticking child while frozen and lets it resume after thaw', async function () {
      const f = freezer!;
      const tickFile = path.join(dir, 'ticks');
      const child = startTicker(f, writeTicker(dir), tickFile);
      children.push(child);
      await waitFor('the ticker to tick 3 times', () => ticks(tickFile) >= 3);

      await f.freeze();
      assert.equal(frozenStateOf(f, child.pid!), FROZEN_STATE[strategy]);
      const atFreeze = ticks(tickFile);
      await sleep(FROZEN_WINDOW_MS);
      assert.equal(ticks(tickFile), atFreeze, 'the child ticked while frozen');

      await f.thaw();
      await waitFor('a tick after thaw', () => ticks(tickFile) > atFreeze);

      // and again: freezing is repeatable
      await f.freeze();
      const second = ticks(tickFile);
      await sleep(FROZEN_WINDOW_MS);
      assert.equal(ticks(tickFile), second, 'the child ticked during the second freeze');
      await f.thaw();
      await waitFor('a tick after the second thaw', () => ticks(tickFile) > second);
    });

    it('queues a thaw requested while a freeze is still running', async function () {
      const f = freezer!;
      const tickFile = path.join(dir, 'ticks');
      children.push(startTicker(f, writeTicker(dir), tickFile));
      await waitFor('the ticker to tick', () => ticks(tickFile) >= 1);
      await Promise.all([f.freeze(), f.thaw()]);
      const now = ticks(tickFile);
      await waitFor('ticking after freeze+thaw', () => ticks(tickFile) > now);
    });

    it('never freezes the init itself', async function () {
      const f = freezer!;
      assert.throws(() => f.track(process.pid), FreezerError);
      await f.freeze(); // with nothing tracked, this must still return: we are running
      if (f.cgroupDir) assert.ok(!cgroupPids(f.cgroupDir).includes(process.pid), 'the init is in the freezer cgroup');
      await f.thaw();
    });

    if (strategy === 'sigstop') {
      it('refuses a process that does not lead its own process group', async function () {
        const { spawn } = await import('node:child_process');
        const child = spawn('sleep', ['5'], { stdio: 'ignore' }); // not detached: it stays in our group
        children.push(child);
        try {
          assert.throws(() => freezer!.track(child.pid!), /does not lead its own process group .*spawn it detached/);
        } finally {
          child.kill('SIGKILL');
        }
      });

      it('thaws what it stopped when disposed', async function () {
        const f = freezer!;
        const tickFile = path.join(dir, 'ticks');
        children.push(startTicker(f, writeTicker(dir), tickFile));
        await waitFor('the ticker to tick', () => ticks(tickFile) >= 1);
        await f.freeze();
        await f.dispose();
        const now = ticks(tickFile);
        await waitFor('ticking after dispose', () => ticks(tickFile) > now);
      });
    } else {
      it('freezes a grandchild that left for its own session too', async function () {
        const f = freezer!;
        const tickFile = path.join(dir, 'ticks');
        const child = startTicker(f, writeTicker(dir), tickFile, 'setsid');
        children.push(child);
        await waitFor('the grandchild to tick', () => ticks(tickFile) >= 3);
        const grandchild = cgroupPids(f.cgroupDir!)
          .map((pid) => readProcStat(pid))
          .find((stat) => stat !== undefined && stat.pgid !== child.pid && stat.comm === 'sh');
        assert.ok(grandchild, 'no process outside the child\'s process group in the cgroup');

        await f.freeze();
        const atFreeze = ticks(tickFile);
        await sleep(FROZEN_WINDOW_MS);
        assert.equal(ticks(tickFile), atFreeze, 'the setsid grandchild ticked while frozen');
        await f.thaw();
        await waitFor('the grandchild to tick after thaw', () => ticks(tickFile) > atFreeze);
      });

      it('runs the wrapped command with its arguments and reports a missing one the way sh does', async function () {
        const { spawnSync } = await import('node:child_process');
        const f = freezer!;
        const ok = f.wrap('/bin/sh', ['-c', 'echo "$0|$1|$2"', 'a b', "it's", '$HOME']);
        const run = spawnSync(ok.command, ok.args, { encoding: 'utf8' });
        assert.equal(run.stdout, "a b|it's|$HOME\n");
        const missing = f.wrap('/nonexistent/bootstrap', []);
        const failed = spawnSync(missing.command, missing.args, { encoding: 'utf8' });
        assert.equal(failed.status, 127);
        assert.match(failed.stderr, /\/nonexistent\/bootstrap/);
      });

      it('removes empty cgroups that dead inits left behind, and nothing else', async function () {
        const f = freezer!;
        const parent = path.dirname(f.cgroupDir!);
        const deadCreator = path.join(parent, `lambda-sandbox-test-${2 ** 22 + 1}-deadbeef`);
        const liveCreator = path.join(parent, `lambda-sandbox-test-${process.ppid}-0badf00d`);
        const populated = path.join(parent, `lambda-sandbox-test-${2 ** 22 + 2}-feedface`);
        const otherName = path.join(parent, `lambda-sandbox-other-${2 ** 22 + 1}-deadbeef`);
        for (const dir of [deadCreator, liveCreator, populated, otherName]) fs.mkdirSync(dir);
        const { spawn } = await import('node:child_process');
        const tenant = spawn('sleep', ['30'], { stdio: 'ignore', detached: true });
        children.push(tenant);
        fs.writeFileSync(path.join(populated, 'cgroup.procs'), String(tenant.pid));
        const second = await createFreezer(strategy, { name: 'lambda-sandbox-test', log: (m) => logs.push(m) });
        try {
          assert.match(logs[1], /removed 1 stale cgroup left by earlier runs/);
          assert.ok(!fs.existsSync(deadCreator));
          for (const dir of [liveCreator, populated, otherName]) assert.ok(fs.existsSync(dir), `${dir} was removed`);
        } finally {
          await second.dispose();
          killGroup(tenant.pid);
          for (const dir of [liveCreator, populated, otherName]) assert.equal(await removeChildCgroup(dir, parent), undefined);
        }
      });

      it('removes its cgroup on dispose, and a second dispose is harmless', async function () {
        const f = freezer!;
        const cgroupDir = f.cgroupDir!;
        assert.ok(fs.existsSync(cgroupDir));
        const tickFile = path.join(dir, 'ticks');
        const child = startTicker(f, writeTicker(dir), tickFile);
        await waitFor('the ticker to tick', () => ticks(tickFile) >= 1);
        await f.freeze();
        killGroup(child.pid);
        await f.dispose();
        assert.ok(!fs.existsSync(cgroupDir), `${cgroupDir} still exists`);
        await f.dispose();
        await assert.rejects(f.freeze(), /already disposed/);
      });

      it('moves processes that are still inside back out when disposed', async function () {
        const f = freezer!;
        const cgroupDir = f.cgroupDir!;
        const tickFile = path.join(dir, 'ticks');
        const child = startTicker(f, writeTicker(dir), tickFile);
        children.push(child);
        await waitFor('the ticker to tick', () => ticks(tickFile) >= 1);
        assert.ok(cgroupPids(cgroupDir).includes(child.pid!), 'the child is not in the cgroup');
        await f.freeze();
        await f.dispose();
        assert.ok(!fs.existsSync(cgroupDir), `${cgroupDir} still exists`);
        const now = ticks(tickFile);
        await waitFor('ticking after dispose', () => ticks(tickFile) > now);
      });
    }
  });
}

describe('freezer: choice and fallback', function () {
  it('falls back from cgroup2 to sigstop when the cgroup root is missing, and says why', async function () {
    const logs: string[] = [];
    const freezer = await createFreezer('cgroup2', { cgroupRoot: '/nonexistent/cgroup', log: (m) => logs.push(m) });
    try {
      assert.equal(freezer.strategy, 'sigstop');
      assert.equal(logs.length, 1, logs.join('\n'));
      assert.match(logs[0], /^freezer: sigstop \(skipped cgroup2: \/nonexistent\/cgroup does not exist \(ENOENT\); skipped cgroup1: /);
    } finally {
      await freezer.dispose();
    }
  });

  it('skips a cgroup root that is not on a cgroup filesystem', async function () {
    const dir = makeTempDir();
    const logs: string[] = [];
    const freezer = await createFreezer('auto', { cgroupRoot: dir, log: (m) => logs.push(m) });
    try {
      assert.equal(freezer.strategy, 'sigstop');
      assert.match(logs[0], new RegExp(`skipped cgroup2: ${dir} is not on a cgroup2 filesystem`));
      assert.match(logs[0], new RegExp(`skipped cgroup1: ${dir} is not in a cgroup v1 freezer hierarchy`));
      assert.deepEqual(fs.readdirSync(dir), [], 'something was created in the rejected root');
    } finally {
      await freezer.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back from cgroup2 to cgroup1 when only v1 works', async function () {
    const logs: string[] = [];
    const v1 = await createFreezer('cgroup1', { log: () => undefined });
    await v1.dispose();
    if (v1.strategy !== 'cgroup1') this.skip(); // no v1 freezer on this machine
    // A v1 freezer directory is a valid root for cgroup1 but not for cgroup2.
    const root = path.dirname(v1.cgroupDir!);
    const freezer = await createFreezer('cgroup2', { cgroupRoot: root, log: (m) => logs.push(m) });
    try {
      assert.equal(freezer.strategy, 'cgroup1');
      const expected = `^freezer: cgroup1 in ${root}/lambda-sandbox-\\d+-[0-9a-f]+ \\(skipped cgroup2: ${root} is not on a cgroup2 fil`;
      assert.match(logs[0], new RegExp(expected));
    } finally {
      await freezer.dispose();
    }
  });

  it('auto picks the best strategy that works here and logs it once', async function () {
    const logs: string[] = [];
    const freezer = await createFreezer('auto', { log: (m) => logs.push(m) });
    try {
      assert.equal(logs.length, 1);
      assert.match(logs[0], new RegExp(`^freezer: ${freezer.strategy}`));
      assert.notEqual(freezer.strategy, 'none');
    } finally {
      await freezer.dispose();
    }
  });

  it('does nothing with "none"', async function () {
    const dir = makeTempDir();
    const freezer = await createFreezer('none', {});
    const tickFile = path.join(dir, 'ticks');
    const child = startTicker(freezer, writeTicker(dir), tickFile);
    try {
      await freezer.freeze();
      const now = ticks(tickFile);
      await waitFor('ticking while "frozen" with none', () => ticks(tickFile) > now);
    } finally {
      killGroup(child.pid);
      await freezer.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad arguments with a clear message', async function () {
    await assert.rejects(
      createFreezer('cgroup3' as FreezeStrategyName),
      /unknown freeze strategy "cgroup3": use auto, cgroup2, cgroup1, sigstop, none/,
    );
    await assert.rejects(createFreezer('toString' as FreezeStrategyName), /unknown freeze strategy "toString"/);
    await assert.rejects(createFreezer('auto', { name: '../escape' }), /invalid freezer cgroup name "..\/escape"/);
    await assert.rejects(createFreezer('auto', { freezeTimeoutMs: 0 }), /invalid freeze timeout 0 ms/);
    const freezer = await createFreezer('sigstop');
    assert.throws(() => freezer.track(-5), /invalid pid -5/);
    assert.throws(() => freezer.track(1.5), /invalid pid 1.5/);
  });
});
