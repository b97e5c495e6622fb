import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { connectDocker } from '../../src/host/dockerEngine';
import { pipeLogLines } from '../../src/host/dockerLogs';
import { invokeFunction, INVOKE_PATH } from '../../src/host/invoke';
import { REPO_ROOT } from '../helpers/paths';
import { freePort } from '../helpers/runningInit';
import { requireDocker, skipLoudly } from './support/docker';
import { localBaseImage, testClientImage, testImage } from './support/testImage';

interface Run {
  code: number;
  output: string;
}

function run(command: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command[0], command.slice(1), { cwd: REPO_ROOT, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      });
  });
}

/** `docker compose` (v2 plugin) when present, else `docker-compose` (v1), else undefined. */
async function findCompose(): Promise<string[] | undefined> {
  if ((await run(['docker', 'compose', 'version'], process.env, 20_000)).code === 0) return ['docker', 'compose'];
  if ((await run(['docker-compose', 'version'], process.env, 20_000)).code === 0) return ['docker-compose'];
  return undefined;
}

describe('image: the docker-compose.yml stack', function () {
  this.timeout(300_000);
  const project = `lsbxtest${process.pid}`;
  let compose: string[];
  let env: NodeJS.ProcessEnv;
  let docker: Docker;
  let sandboxPort: number;

  const composeRun = (...args: string[]) => run([...compose, '-p', project, '-f', 'docker-compose.yml', ...args], env);
  const containerOf = async (service: string) => {
    const [found] = await docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`] },
    });
    assert.ok(found, `compose created no ${service} container`);
    return docker.getContainer(found.Id);
  };

  before(async function () {
    await requireDocker(this);
    const found = await findCompose();
    if (found === undefined) skipLoudly(this, 'neither `docker compose` nor `docker-compose` is installed; the compose stack was not tested');
    compose = found;
    docker = connectDocker();
    sandboxPort = await freePort();
    env = {
      ...process.env,
      LAMBDA_SANDBOX_IMAGE: await testImage(),
      // Built through the host library (quicker than compose's own build, same Dockerfile and context).
      LAMBDA_SANDBOX_CLIENT_IMAGE: await testClientImage(),
      BASE_IMAGE: (await localBaseImage()) ?? '',
      SANDBOX_PORT: String(sandboxPort),
    };
  });

  after(async () => {
    if (compose) await composeRun('down', '-v', '--remove-orphans', '-t', '5');
  });

  it('comes up healthy, and the client invokes through the AWS SDK', async () => {
    const up = await composeRun('up', '-d');
    assert.equal(up.code, 0, up.output);

    const client = await containerOf('client');
    const { StatusCode } = (await client.wait()) as { StatusCode: number };
    const clientLog = (await run([...compose, '-p', project, '-f', 'docker-compose.yml', 'logs', '--no-color', 'client'], env)).output;
    assert.equal(StatusCode, 0, clientLog);
    const invokes = clientLog.split('\n').filter((line) => /client: invoke via @aws-sdk\/client-lambda -> status 200, payload \{"greeting":"Hello, (cold|warm) start!"/.test(line));
    assert.equal(invokes.length, 2, clientLog);
    assert.match(clientLog, /client: done/);

    const sandbox = await (await containerOf('sandbox')).inspect();
    assert.equal(sandbox.State.Health?.Status, 'healthy');
  });

  it('is reachable from the host on the published loopback port', async () => {
    const result = await invokeFunction(`http://127.0.0.1:${sandboxPort}${INVOKE_PATH}`, { name: 'host' });
    assert.equal(result.statusCode, 200, result.body.toString());
    assert.equal((JSON.parse(result.body.toString()) as { greeting: string }).greeting, 'Hello, host!');
  });

  it('goes down gracefully: the extension gets SHUTDOWN and the sandbox exits 0', async () => {
    const sandbox = await containerOf('sandbox');
    const lines: string[] = [];
    const stream = (await sandbox.logs({ stdout: true, stderr: true, follow: true, since: 0 })) as unknown as Readable;
    const logsDone = pipeLogLines(stream, (line) => lines.push(line));
    const exited = sandbox.wait() as Promise<{ StatusCode: number }>;

    const down = await composeRun('down', '-t', '10');
    assert.equal(down.code, 0, down.output);
    const { StatusCode } = await exited;
    await logsDone;
    const log = lines.join('\n');
    assert.equal(StatusCode, 0, log);
    assert.match(log, /example-extension: SHUTDOWN \(spindown\), \d+ ms before the deadline/);
  });
});
