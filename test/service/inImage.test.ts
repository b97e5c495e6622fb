import * as assert from 'node:assert/strict';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { connectDocker } from '../../src/host/dockerEngine';
import { MANAGED_LABEL, SESSION_ID, SESSION_LABEL } from '../../src/host/labels';
import { FUNCTION_LABEL } from '../../src/service/scheduler/labels';
import { requireDocker } from '../image/support/docker';
import { waitFor } from '../helpers/wait';
import { functionZip } from './support/functions';
import { serviceTestImage } from './support/image';

/** `docker run -v /var/run/docker.sock:... -p ...:9000 lambda-sandbox serve`: the service from inside the image. */
describe('lambda-sandbox serve inside the image', function () {
  this.timeout(120_000);
  const docker = connectDocker();
  const functionName = `in-image-${SESSION_ID}`;

  before(async function () {
    this.timeout(600_000);
    await requireDocker(this);
  });

  it('serves the Lambda API, runs environments as sibling containers, stops idle ones after the keep-alive, and removes the rest on docker stop', async () => {
    const image = await serviceTestImage();
    const container = await docker.createContainer({
      Image: image, Cmd: ['serve', '--keep-alive', '3s'],
      Labels: { [MANAGED_LABEL]: 'true', [SESSION_LABEL]: SESSION_ID },
      ExposedPorts: { '9000/tcp': {} },
      HostConfig: {
        Binds: ['/var/run/docker.sock:/var/run/docker.sock'],
        PortBindings: { '9000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      },
    });
    try {
      await container.start();
      const port = (await container.inspect()).NetworkSettings.Ports['9000/tcp']?.[0]?.HostPort;
      const endpoint = `http://127.0.0.1:${port}`;
      await waitFor('serve to answer', async () => (await fetch(`${endpoint}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false)) || undefined, 60_000);
      const lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      await lambda.send(new CreateFunctionCommand({
        FunctionName: functionName, Runtime: 'nodejs24.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/x',
        Code: { ZipFile: await functionZip('in image') },
      }));
      await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: functionName });
      const answer = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: '{}' }));
      assert.equal(JSON.parse(Buffer.from(answer.Payload ?? []).toString()).label, 'in image');
      const environments = async () => docker.listContainers({ all: true, filters: { label: [`${FUNCTION_LABEL}=${functionName}`] } });
      assert.equal((await environments()).length, 1);
      await waitFor('the idle environment to stop after the keep-alive', async () => ((await environments()).length === 0 ? true : undefined), 30_000);
      const again = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: '{}' }));
      assert.equal(again.FunctionError, undefined);
      assert.equal((await environments()).length, 1);

      await container.stop({ t: 30 });
      assert.equal((await container.inspect()).State.ExitCode, 0);
      const left = await docker.listContainers({ all: true, filters: { label: [`${FUNCTION_LABEL}=${functionName}`] } });
      assert.deepEqual(left, []);
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  });
});
