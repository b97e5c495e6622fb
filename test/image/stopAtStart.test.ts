import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import { connectDocker } from '../../src/host/dockerEngine';
import { pipeLogLines } from '../../src/host/dockerLogs';
import { managedLabels } from '../../src/host/labels';
import { packFiles } from '../../src/host/tarDirectory';
import { requireDocker } from './support/docker';
import { probeFunctionZip, scratchDir, twoLayerZips } from './support/probeZips';
import { testImage } from './support/testImage';

/** Docker's default grace period; a stop that takes this long was ignored and ended by SIGKILL. */
const GRACE_SECONDS = 10;

/**
 * `docker stop` right after `docker run`: the init is PID 1 from its first instruction (node, no shell), and a
 * SIGTERM that arrives while it still loads or unpacks is held and acted on as soon as it can shut down (an
 * orderly exit 0), never dropped (PID 1 without a handler ignores signals; Docker would then kill it after 10 s,
 * exit 137). What no program can cover is Node's own start-up before the entry module's first line (tens of ms,
 * more on a loaded machine), so the stop is sent once the container has printed something.
 */
describe('image: docker stop right after docker run', function () {
  this.timeout(180_000);
  const docker = connectDocker();
  let image: string;
  let scratch: string;
  let files: Array<{ name: string; source: string }>;
  const created: string[] = [];

  before(async function () {
    await requireDocker(this);
    image = await testImage();
    scratch = scratchDir('stop-at-start');
    // A function zip and two layers to unpack: the init is busy for a while before its shutdown handler exists.
    const [one, two] = await twoLayerZips(scratch);
    files = [
      { name: 'function.zip', source: await probeFunctionZip(scratch) },
      { name: 'layers/1-one.zip', source: one },
      { name: 'layers/2-two.zip', source: two },
    ];
  });

  after(async () => {
    for (const id of created) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('starts node as PID 1 (exec-form ENTRYPOINT), with no shell in between', async () => {
    const container = await docker.createContainer({ Image: image, Labels: managedLabels('sandbox'), Cmd: ['index.handler'] });
    created.push(container.id);
    const { Path, Args } = await container.inspect();
    assert.equal(Path, 'node', `PID 1 runs ${Path} ${Args.join(' ')}`);
  });

  for (let attempt = 1; attempt <= 3; attempt++) {
    it(`exits 0 within a few seconds when stopped as soon as it prints its first line (attempt ${attempt})`, async () => {
      const container = await docker.createContainer({
        Image: image, Labels: managedLabels('sandbox'), StopTimeout: GRACE_SECONDS, Cmd: [],
      });
      created.push(container.id);
      const packed = packFiles(files.map((file) => ({ ...file, mode: 0o644 })));
      await Promise.all([container.putArchive(packed.stream, { path: '/var/sandbox' }), packed.done]);
      // Attached before the start, so that no line is missed (following the log of a created container ends at once).
      const log = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
      const lines: string[] = [];
      const firstLine = new Promise<void>((resolve, reject) => {
        void pipeLogLines(log, (line) => { lines.push(line); resolve(); })
          .then(() => reject(new Error('the container ended without printing anything')));
      });

      await container.start();
      // Its first line is written early in main, well before the shutdown handler exists (after the unpack and
      // the APIs listen): the SIGTERM comes while the init is starting, and must be held, not dropped.
      await firstLine;
      const started = Date.now();
      await container.stop({ t: GRACE_SECONDS });
      const stoppedAfterMs = Date.now() - started;
      const { State } = await container.inspect();
      log.destroy();
      assert.equal(State.ExitCode, 0, `an orderly exit, not a kill (after ${stoppedAfterMs} ms):\n${lines.join('\n')}`);
      assert.ok(stoppedAfterMs < 5000, `docker stop took ${stoppedAfterMs} ms:\n${lines.join('\n')}`);
    });
  }
});
