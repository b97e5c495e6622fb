import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FIXTURES } from '../helpers/paths';
import { RunningInit } from '../helpers/runningInit';

const SCRIPTED = path.join(FIXTURES, 'runtimes', 'scripted', 'bootstrap');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function count(file: string): Promise<number> {
  return Number(await fs.readFile(file, 'utf8').catch(() => '0'));
}

describe('Freezing between invokes', function () {
  this.timeout(20_000);

  for (const strategy of ['cgroup2', 'cgroup1', 'sigstop'] as const) {
    it(`stops background work between invokes and resumes it on the next one (${strategy})`, async function () {
      const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, env: { LAMBDA_SANDBOX_FREEZE: strategy } });
      try {
        const chosen = /freezer: (\w+)/.exec(sandbox.stderr)?.[1];
        if (chosen !== strategy) {
          console.log(`      SKIPPED: ${strategy} is not available on this machine (the init chose ${chosen}): ${sandbox.stderr.split('\n').find((l) => l.includes('freezer:'))}`);
          this.skip();
        }
        const file = path.join(sandbox.dirs.tmp, 'ticks');
        const res = await sandbox.invoke({ action: 'tick', file });
        await sandbox.waitForOutput(`REPORT RequestId: ${String(res.headers['x-amzn-requestid'])}`);
        await sleep(50); // the freeze follows the REPORT line
        const frozenAt = await count(file);
        await sleep(300);
        assert.equal(await count(file), frozenAt, 'no tick while frozen');
        await sandbox.invoke({ action: 'sleep', ms: 300 });
        assert.ok((await count(file)) > frozenAt, 'ticking again after thaw');
      } finally {
        await sandbox.stop();
      }
    });
  }

  it('never freezes with LAMBDA_SANDBOX_FREEZE=none', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, env: { LAMBDA_SANDBOX_FREEZE: 'none' } });
    try {
      const file = path.join(sandbox.dirs.tmp, 'ticks');
      await sandbox.invoke({ action: 'tick', file });
      await sleep(100);
      const before = await count(file);
      await sleep(200);
      assert.ok((await count(file)) > before, 'still ticking between invokes');
    } finally {
      await sandbox.stop();
    }
  });
});
