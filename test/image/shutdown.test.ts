import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { removeManagedContainers } from '../../src/host/cleanup';
import { SESSION_ID } from '../../src/host/labels';
import type { SandboxContainer } from '../../src/host/container';
import { startSandboxContainer } from '../../src/host/startContainer';
import { requireDocker } from './support/docker';
import { waitForLogLines } from './support/logs';
import { probeFunctionZip, scratchDir, shutdownProbeLayerZip } from './support/probeZips';
import { testImage } from './support/testImage';

/** Spec 1.2: with an external extension, shutdown has 2,000 ms; SHUTDOWN's deadlineMs says when they end. */
const SHUTDOWN_BUDGET_MS = 2000;

describe('image: docker stop', function () {
  this.timeout(180_000);
  let image: string;
  let scratch: string;
  let sandbox: SandboxContainer;

  before(async function () {
    await requireDocker(this);
    image = await testImage();
    scratch = scratchDir('shutdown');
    sandbox = await startSandboxContainer({
      image,
      functionZip: await probeFunctionZip(scratch),
      layers: [await shutdownProbeLayerZip(scratch)],
    });
  });

  after(async () => {
    await sandbox?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    await removeManagedContainers({ session: SESSION_ID }).catch(() => undefined);
  });

  it('delivers SHUTDOWN (spindown) to an extension within the budget, and the init exits 0', async () => {
    assert.equal((await sandbox.invoke({ action: 'echo' })).statusCode, 200);
    await waitForLogLines(sandbox, /shutdown-probe: registered/);

    const exitCode = await sandbox.stop({ keep: true, timeoutSeconds: 10 });
    const logs = await sandbox.logs();
    await sandbox.remove();
    assert.equal(exitCode, 0, `an orderly shutdown, not a kill by Docker:\n${logs}`);
    const match = /shutdown-probe: SHUTDOWN reason=(\S+) msBeforeDeadline=(-?\d+)/.exec(logs);
    assert.ok(match, `the extension saw no SHUTDOWN:\n${logs}`);
    assert.equal(match[1], 'spindown');
    const left = Number(match[2]);
    assert.ok(left > 0 && left <= SHUTDOWN_BUDGET_MS, `SHUTDOWN arrived with ${left} ms left of ${SHUTDOWN_BUDGET_MS}`);
  });
});
