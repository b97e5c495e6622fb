import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeManagedContainers } from '../../src/host/cleanup';
import { SESSION_ID } from '../../src/host/labels';
import type { SandboxContainer } from '../../src/host/container';
import { startSandboxContainer } from '../../src/host/startContainer';
import { requireDocker } from './support/docker';
import { waitForLogLines } from './support/logs';
import { probeFunctionZip, scratchDir, twoLayerZips } from './support/probeZips';
import { testImage } from './support/testImage';

describe('image: a sandbox started through the host library', function () {
  this.timeout(180_000);
  let image: string;
  let scratch: string;

  before(async function () {
    await requireDocker(this);
    image = await testImage();
    scratch = scratchDir('sandbox');
  });

  after(async () => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    await removeManagedContainers({ session: SESSION_ID }).catch(() => undefined);
  });

  describe('with a function zip and two layer zips copied in with putArchive', () => {
    let sandbox: SandboxContainer;

    before(async () => {
      const [one, two] = await twoLayerZips(scratch);
      sandbox = await startSandboxContainer({ image, functionZip: await probeFunctionZip(scratch), layers: [one, two] });
    });
    after(async () => sandbox?.close());

    it('publishes the invoke API on a loopback port only', () => {
      assert.match(sandbox.invokeUrl, /^http:\/\/127\.0\.0\.1:\d+\/2015-03-31\/functions\/function\/invocations$/);
    });

    it('answers a cold and then a warm invoke, with START/END/REPORT in the container log', async () => {
      const cold = await sandbox.invoke({ action: 'echo', n: 1 });
      assert.equal(cold.statusCode, 200, cold.body.toString());
      assert.deepEqual(JSON.parse(cold.body.toString()), { event: { action: 'echo', n: 1 }, invocation: 1 });
      const warm = await sandbox.invoke({ action: 'echo', n: 2 });
      assert.equal(warm.statusCode, 200);
      assert.deepEqual(JSON.parse(warm.body.toString()), { event: { action: 'echo', n: 2 }, invocation: 2 });

      const logs = await waitForLogLines(sandbox, /^REPORT RequestId: /, 2);
      const reports = logs.split('\n').filter((line) => line.startsWith('REPORT RequestId: '));
      assert.equal(reports.length, 2, logs);
      assert.match(reports[0], /\tInit Duration: [\d.]+ ms/, 'the cold invoke reports its init');
      assert.doesNotMatch(reports[1], /Init Duration/, 'the warm invoke does not');
      assert.equal(logs.split('\n').filter((line) => line.startsWith('INIT_START ')).length, 1, logs);
    });

    it('applies the layers in order: the second one wins, files of both are there', async () => {
      const { files } = await inspect(sandbox);
      assert.deepEqual(files, { shared: 'from layer two', first: 'only in layer one', second: 'only in layer two' });
    });

    it('runs the function as the unprivileged sbx_user1051, unable to write /var/task and /opt', async () => {
      const probe = await inspect(sandbox);
      assert.deepEqual({ uid: probe.uid, gid: probe.gid }, { uid: 993, gid: 990 });
      assert.deepEqual(probe.writable, { task: 'EACCES', opt: 'EACCES', tmp: true });
    });

    it('resolves sandbox.localdomain to the sandbox itself', async () => {
      assert.equal((await inspect(sandbox)).sandboxLocaldomain, '127.0.0.1');
    });
  });

  describe('with a function directory copied into /var/task and a handler argument (RIE style)', () => {
    let sandbox: SandboxContainer;

    before(async () => {
      const dir = path.join(scratch, 'node-function');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'app.js'),
        'exports.greet = async (event, context) => ({ hello: event.name, fn: context.functionName, uid: process.getuid() });\n');
      sandbox = await startSandboxContainer({ image, functionDir: dir, handler: 'app.greet', environment: { AWS_LAMBDA_FUNCTION_NAME: 'greeter' } });
    });
    after(async () => sandbox?.close());

    it('runs the handler with the built-in Node.js runtime, as the unprivileged user', async () => {
      const result = await sandbox.invoke({ name: 'image' });
      assert.equal(result.statusCode, 200, result.body.toString());
      assert.equal(result.functionError, undefined, result.body.toString());
      assert.deepEqual(JSON.parse(result.body.toString()), { hello: 'image', fn: 'greeter', uid: 993 });
    });

    it('answers on the AWS path with the configured function name too', async () => {
      const viaName = await fetch(`${sandbox.endpoint}/2015-03-31/functions/greeter/invocations`, { method: 'POST', body: '{"name":"named"}' });
      assert.equal(viaName.status, 200);
      assert.equal(((await viaName.json()) as { hello: string }).hello, 'named');
    });
  });
});

interface Probe {
  uid: number;
  gid: number;
  writable: Record<string, true | string>;
  files: Record<string, string>;
  sandboxLocaldomain: string;
}

async function inspect(sandbox: SandboxContainer): Promise<Probe> {
  const result = await sandbox.invoke({ action: 'inspect' });
  assert.equal(result.statusCode, 200, result.body.toString());
  return JSON.parse(result.body.toString()) as Probe;
}
