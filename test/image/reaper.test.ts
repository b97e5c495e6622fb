import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { removeManagedContainers } from '../../src/host/cleanup';
import { SESSION_ID } from '../../src/host/labels';
import type { SandboxContainer } from '../../src/host/container';
import { startSandboxContainer } from '../../src/host/startContainer';
import { requireDocker, skipLoudly } from './support/docker';
import { probeFunctionZip, scratchDir } from './support/probeZips';
import { testImage } from './support/testImage';

const ADDON = '/usr/local/lib/lambda-sandbox/dist/src/process/native/sandbox_native.node';

describe('image: the init as PID 1 reaps orphaned processes', function () {
  this.timeout(180_000);
  let scratch: string;
  let sandbox: SandboxContainer;

  before(async function () {
    await requireDocker(this);
    const image = await testImage();
    scratch = scratchDir('reaper');
    sandbox = await startSandboxContainer({ image, functionZip: await probeFunctionZip(scratch) });
    if ((await sandbox.exec(['test', '-e', ADDON])).exitCode !== 0) {
      skipLoudly(this, 'the image was built without the init\'s native addon (no C compiler in the build image and none ' +
        'built on the host in dist/: run `npm run build` and the addon build first); orphan reaping was not tested');
    }
  });

  after(async () => {
    await sandbox?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    await removeManagedContainers({ session: SESSION_ID }).catch(() => undefined);
  });

  it('leaves no zombie behind when the runtime\'s grandchild is orphaned and exits', async () => {
    const result = await sandbox.invoke({ action: 'orphan' });
    assert.equal(result.statusCode, 200, result.body.toString());
    const { stdout } = await sandbox.exec(['/bin/sh', '-c', 'cat /proc/[0-9]*/stat 2>/dev/null']);
    const zombies = stdout.split('\n').filter((line) => /\) Z /.test(line));
    assert.deepEqual(zombies, [], `zombie processes in the container:\n${zombies.join('\n')}`);
    assert.doesNotMatch(await sandbox.logs(), /orphan reaper unavailable/);
  });
});
