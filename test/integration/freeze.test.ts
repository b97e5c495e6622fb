import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES } from '../helpers/paths';
import { RunningInit } from '../helpers/runningInit';
import { waitFor } from '../helpers/wait';

const SCRIPTED = path.join(FIXTURES, 'runtimes', 'scripted', 'bootstrap');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Starts a timer writing its tick count to `event.file` every 10 ms, once; waits `event.ms` before answering. */
const TICKING_HANDLER = `const fs = require('node:fs');
let ticks = 0;
let timer;
exports.handler = async (event) => {
  // Written aside and renamed, so a reader never sees a half-written (empty) file.
  timer ??= setInterval(() => {
    fs.writeFileSync(event.file + '.new', String(++ticks));
    fs.renameSync(event.file + '.new', event.file);
  }, 10);
  await new Promise((resolve) => setTimeout(resolve, event.ms ?? 0));
  return 'ok';
};
`;

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

  // The built-in Node.js runtime starts before the init has its freezer (it waits at a start gate meanwhile) and is
  // put under it when the gate opens: its background work must stop between invokes too.
  for (const strategy of ['cgroup2', 'cgroup1', 'sigstop'] as const) {
    it(`freezes the built-in Node.js runtime, started ahead of the freezer (${strategy})`, async function () {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lambda-sandbox-freeze-nodejs-'));
      await fs.writeFile(path.join(dir, 'index.js'), TICKING_HANDLER);
      const sandbox = await RunningInit.start({
        taskFiles: { 'index.js': path.join(dir, 'index.js') }, env: { LAMBDA_SANDBOX_FREEZE: strategy, _HANDLER: 'index.handler', LAMBDA_SANDBOX_LOG_LEVEL: 'debug' },
      });
      try {
        const chosen = /freezer: (\w+)/.exec(sandbox.stderr)?.[1];
        if (chosen !== strategy) {
          console.log(`      SKIPPED: ${strategy} is not available on this machine (the init chose ${chosen})`);
          this.skip();
        }
        assert.match(sandbox.stderr, /started the Node\.js runtime ahead of the unpack/);
        const file = path.join(sandbox.dirs.tmp, 'ticks');
        const res = await sandbox.invoke({ file });
        await sandbox.waitForOutput(`REPORT RequestId: ${String(res.headers['x-amzn-requestid'])}`);
        await sleep(50); // the freeze follows the REPORT line
        const frozenAt = await count(file);
        await sleep(300);
        assert.equal(await count(file), frozenAt, 'no tick while frozen');
        await sandbox.invoke({ file, ms: 300 });
        assert.ok((await count(file)) > frozenAt, 'ticking again after thaw');
      } finally {
        await sandbox.stop();
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  }

  const gone = (pid: number) => async (): Promise<true | undefined> => {
    try {
      process.kill(pid, 0);
      return undefined;
    } catch {
      return true;
    }
  };

  for (const strategy of ['cgroup2', 'cgroup1', 'sigstop', 'none'] as const) {
    it(`freezes a process that left the runtime's session, and kills it at reset and at exit (${strategy})`, async function () {
      const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, env: { LAMBDA_SANDBOX_FREEZE: strategy } });
      try {
        const chosen = /freezer: (\w+)/.exec(sandbox.stderr)?.[1];
        if (chosen !== strategy) {
          console.log(`      SKIPPED: ${strategy} is not available on this machine (the init chose ${chosen})`);
          this.skip();
        }
        const file = path.join(sandbox.dirs.tmp, 'escaped');
        await sandbox.invoke({ action: 'escape', file });
        const pid = Number(await waitFor('the escaped pid', async () => (await fs.readFile(`${file}.pid`, 'utf8').catch(() => '')).trim() || undefined));
        if (strategy !== 'none') {
          await sandbox.settled();
          await sleep(50);
          const frozenAt = await count(file);
          await sleep(300);
          assert.equal(await count(file), frozenAt, 'the escaped process does not run while the sandbox is frozen');
        }
        await sandbox.invoke({ action: 'crash' });
        await waitFor('the escaped process to be killed at the reset', gone(pid));
        await sandbox.invoke({ action: 'escape', file: `${file}2` });
        const second = Number(await waitFor('the second escaped pid', async () => (await fs.readFile(`${file}2.pid`, 'utf8').catch(() => '')).trim() || undefined));
        sandbox.child.kill('SIGTERM');
        assert.deepEqual(await sandbox.exited, { code: 0, signal: null });
        await waitFor('the escaped process to be killed at the exit', gone(second));
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
