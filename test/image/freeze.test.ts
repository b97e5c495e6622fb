import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { removeManagedContainers } from '../../src/host/cleanup';
import { SESSION_ID } from '../../src/host/labels';
import type { SandboxContainer } from '../../src/host/container';
import { startSandboxContainer } from '../../src/host/startContainer';
import { requireDocker } from './support/docker';
import { probeFunctionZip, scratchDir } from './support/probeZips';
import { testImage } from './support/testImage';

/**
 * The probe runtime ticks a counter into /tmp/ticks every 20 ms. Frozen between invokes, it must not tick; thawed
 * for an invoke, it must tick again. The counter is read from outside with `docker exec` (root, not frozen).
 */
describe('image: freezing the sandbox between invokes', function () {
  this.timeout(180_000);
  let image: string;
  let functionZip: string;
  let scratch: string;

  before(async function () {
    await requireDocker(this);
    image = await testImage();
    scratch = scratchDir('freeze');
    functionZip = await probeFunctionZip(scratch);
  });

  after(async () => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    await removeManagedContainers({ session: SESSION_ID }).catch(() => undefined);
  });

  const cases = [
    { title: 'a plain container (read-only cgroups): SIGSTOP/SIGCONT', cgroupFreezer: false, strategy: /freezer: sigstop\b/ },
    { title: 'a container with /sys/fs/cgroup mounted read-write: the cgroup freezer', cgroupFreezer: true, strategy: /freezer: cgroup[12]\b/ },
    {
      title: 'a container with a private cgroup namespace and SYS_ADMIN: the init mounts cgroup2 itself',
      cgroupFreezer: false,
      hostConfig: { CgroupnsMode: 'private' as const, CapAdd: ['SYS_ADMIN'] },
      strategy: /freezer: cgroup2 in \/run\/lambda-sandbox\/cgroup2\//,
    },
  ];
  for (const { title, cgroupFreezer, strategy, hostConfig } of cases) {
    describe(title, () => {
      let sandbox: SandboxContainer;
      before(async () => {
        sandbox = await startSandboxContainer({ image, functionZip, cgroupFreezer, ...(hostConfig ? { hostConfig } : {}) });
      });
      after(async () => sandbox?.close());

      it('logs the strategy it chose, once', async () => {
        const lines = (await sandbox.logs()).split('\n').filter((line) => /\bfreezer: /.test(line) && !/freezer: .*(failed|stuck)/.test(line));
        assert.equal(lines.length, 1, lines.join('\n'));
        assert.match(lines[0], strategy);
      });

      it('stops background work between invokes and resumes it during the next one', async () => {
        const first = await sandbox.invoke({ action: 'echo' });
        assert.equal(first.statusCode, 200);
        // Frozen: two reads 300 ms apart (15 ticks when running) see the same count. The freeze follows the
        // response within milliseconds; a few attempts allow for it.
        let frozenAt: number | undefined;
        for (let attempt = 0; attempt < 10 && frozenAt === undefined; attempt++) {
          const a = await readTicks(sandbox);
          await sleep(300);
          const b = await readTicks(sandbox);
          if (a === b) frozenAt = b;
        }
        assert.notEqual(frozenAt, undefined, 'the tick counter kept moving between invokes: not frozen');
        await sleep(300);
        assert.equal(await readTicks(sandbox), frozenAt, 'still frozen');

        // Thawed: the timer runs while the handler waits 300 ms.
        const during = await sandbox.invoke({ action: 'ticks' });
        const { before, after } = JSON.parse(during.body.toString()) as { before: number; after: number };
        assert.ok(after > before, `ticks during the invoke: ${before} -> ${after}`);
      });
    });
  }
});

async function readTicks(sandbox: SandboxContainer): Promise<number> {
  const { exitCode, stdout, stderr } = await sandbox.exec(['cat', '/tmp/ticks']);
  assert.equal(exitCode, 0, stderr);
  return Number(stdout.trim());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
