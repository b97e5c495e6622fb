import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectDocker } from '../../src/host/dockerEngine';
import { invokeFunction, INVOKE_PATH } from '../../src/host/invoke';
import { MANAGED_LABEL, SESSION_ID, SESSION_LABEL } from '../../src/host/labels';
import { waitUntilHealthy } from '../../src/host/readiness';
import { requireDocker, skipLoudly } from './support/docker';
import { probeFunctionZip, scratchDir, twoLayerZips } from './support/probeZips';
import { testImage } from './support/testImage';

function docker(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { timeout: 60_000 }, (error, stdout, stderr) => (error ? reject(new Error(`docker ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout.trim())));
  });
}

/**
 * The image used the way its README shows, with the docker CLI and bind mounts: the function as a directory in
 * /var/task with the handler as argument (RIE style), or as a zip at /var/sandbox/function.zip with layer zips in
 * /var/sandbox/layers (applied in name order), found by the image's entrypoint without any variable set.
 */
describe('image: plain `docker run` with bind mounts', function () {
  this.timeout(180_000);
  let image: string;
  let scratch: string;
  const started: string[] = [];

  /** docker run -d with the given arguments on a loopback port; returns the base URL once /healthz answers 200. */
  async function run(args: string[]): Promise<{ id: string; baseUrl: string }> {
    const id = await docker(['run', '-d', '--pull', 'never', '-p', '127.0.0.1::8080', '--health-interval', '1s',
      '--label', `${MANAGED_LABEL}=true`, '--label', `${SESSION_LABEL}=${SESSION_ID}`, ...args]);
    started.push(id);
    const port = (await docker(['port', id, '8080/tcp'])).split('\n')[0].split(':').pop();
    const baseUrl = `http://127.0.0.1:${port}`;
    const watching = new AbortController();
    const exited = (connectDocker().getContainer(id).wait({ abortSignal: watching.signal }) as Promise<unknown>).then(
      async () => new Error(`the container exited:\n${await docker(['logs', id]).catch(() => '')}`),
      () => new Promise<Error>(() => undefined), // aborted once healthy
    );
    try {
      await waitUntilHealthy(`${baseUrl}/healthz`, 30_000, exited);
    } finally {
      watching.abort();
    }
    return { id, baseUrl };
  }

  before(async function () {
    await requireDocker(this);
    if (process.env.DOCKER_HOST && !process.env.DOCKER_HOST.startsWith('unix://')) {
      skipLoudly(this, `DOCKER_HOST=${process.env.DOCKER_HOST} is not local: bind mounts of this machine's files cannot work`);
    }
    image = await testImage();
    scratch = scratchDir('docker-run');
  });

  after(async () => {
    for (const id of started) await docker(['rm', '-f', id]).catch(() => undefined);
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('runs a handler in a directory mounted at /var/task, RIE style, and turns healthy', async () => {
    const dir = path.join(scratch, 'function');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'index.js'), 'exports.handler = async (event) => ({ echo: event });\n', { mode: 0o644 });
    fs.chmodSync(dir, 0o755);
    const { id, baseUrl } = await run(['-v', `${dir}:/var/task:ro`, image, 'index.handler']);

    const result = await invokeFunction(`${baseUrl}${INVOKE_PATH}`, { hello: 'rie' });
    assert.equal(result.statusCode, 200, result.body.toString());
    assert.deepEqual(JSON.parse(result.body.toString()), { echo: { hello: 'rie' } });

    // The image's own HEALTHCHECK (checked every second here) agrees.
    let health = '';
    for (let i = 0; i < 40 && health !== 'healthy'; i++) {
      health = await docker(['inspect', '-f', '{{.State.Health.Status}}', id]);
      if (health !== 'healthy') await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(health, 'healthy');
  });

  it('finds a zip at /var/sandbox/function.zip and layer zips in /var/sandbox/layers by itself, in name order', async () => {
    const [one, two] = await twoLayerZips(scratch);
    const zip = await probeFunctionZip(scratch);
    const { baseUrl } = await run([
      '-v', `${zip}:/var/sandbox/function.zip:ro`,
      // Mounted in the "wrong" order on purpose: the names decide.
      '-v', `${two}:/var/sandbox/layers/2-two.zip:ro`,
      '-v', `${one}:/var/sandbox/layers/1-one.zip:ro`,
      image,
    ]);
    const result = await invokeFunction(`${baseUrl}${INVOKE_PATH}`, { action: 'inspect' });
    assert.equal(result.statusCode, 200, result.body.toString());
    const probe = JSON.parse(result.body.toString()) as { files: Record<string, string>; uid: number };
    assert.deepEqual(probe.files, { shared: 'from layer two', first: 'only in layer one', second: 'only in layer two' });
    assert.equal(probe.uid, 993);
  });
});
