import * as assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config';
import { Sandbox } from '../../../src/lifecycle/sandbox';
import type { Logger } from '../../../src/logger';
import { NoFreezer } from '../../../src/process/freezer/no-freezer';
import { EventStream } from '../../../src/telemetry/events';

const quiet: Logger = { log() {}, error() {}, warn() {}, info() {}, debug() {} };

describe('Sandbox.within: waiting under a deadline', () => {
  const sandbox = new Sandbox({ config: loadConfig({}, []), events: new EventStream(), log: quiet, freezer: new NoFreezer(), telemetry: undefined });

  it('declares a timeout no earlier than the deadline, also for deadlines between two milliseconds', async () => {
    const never = new Promise<number>(() => undefined);
    for (let i = 0; i < 40; i++) {
      const deadline = performance.now() + 2 + (i % 10) * 0.37;
      const settled = await sandbox.within(never, deadline);
      const at = performance.now();
      assert.deepEqual(settled, { ok: false, failure: 'timeout' });
      assert.ok(at >= deadline, `timed out ${(deadline - at).toFixed(3)} ms before the deadline`);
    }
  });

  it('settles with the value when the promise wins', async () => {
    assert.deepEqual(await sandbox.within(Promise.resolve(7), performance.now() + 1_000), { ok: true, value: 7 });
  });
});
