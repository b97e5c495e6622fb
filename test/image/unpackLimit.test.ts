import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listSandboxes, removeManagedContainers } from '../../src/host/cleanup';
import { SESSION_ID } from '../../src/host/labels';
import { ContainerStartError, startSandboxContainer } from '../../src/host/startContainer';
import { requireDocker } from './support/docker';
import { scratchDir } from './support/probeZips';
import { testImage } from './support/testImage';
import { writeZeroFileZip } from './support/zips';

/** Lambda's quota for function code plus layers, unzipped (docs/lambda-behaviour.md#packages-and-layers). */
const QUOTA = 262_144_000;

describe('image: the 250 MB unzipped quota', function () {
  this.timeout(180_000);
  let image: string;
  let scratch: string;

  before(async function () {
    await requireDocker(this);
    image = await testImage();
    scratch = scratchDir('quota');
  });

  after(async () => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    await removeManagedContainers({ session: SESSION_ID }).catch(() => undefined);
  });

  it('refuses a function zip over the quota: AWS message in the container log, exit code 1, container removed', async () => {
    // A real zip: one file of zeros, 1 MiB over the quota, that deflates to a few hundred KB.
    const zip = await writeZeroFileZip(path.join(scratch, 'too-big.zip'), 'big.bin', QUOTA + 1024 * 1024);
    assert.ok(fs.statSync(zip).size < 2 * 1024 * 1024, 'the zip itself is small');

    const error = await startSandboxContainer({ image, functionZip: zip, readyTimeoutMs: 60_000 }).then(
      () => assert.fail('the sandbox started'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ContainerStartError, String(error));
    assert.equal(error.exitCode, 1);
    assert.match(error.logs ?? '', /Unzipped size must be smaller than 262144000 bytes/);
    assert.deepEqual(await listSandboxes({ session: SESSION_ID }), [], 'startSandboxContainer removed its container');
  });
});
