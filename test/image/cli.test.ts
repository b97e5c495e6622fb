import * as assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectDocker } from '../../src/host/dockerEngine';
import { requireDocker } from './support/docker';
import { probeFunctionZip, scratchDir, twoLayerZips } from './support/probeZips';
import { testImage } from './support/testImage';

/** The compiled CLI next to this compiled test: <outDir>/src/host/cli/main.js. */
const CLI = path.resolve(__dirname, '../../src/host/cli/main.js');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('image: the lambda-sandbox CLI', function () {
  this.timeout(180_000);
  let image: string;
  let scratch: string;
  let running: ChildProcessWithoutNullStreams | undefined;
  let containerName: string | undefined;

  before(async function () {
    await requireDocker(this);
    image = await testImage();
    scratch = scratchDir('cli');
  });

  after(async () => {
    // A CLI still running (a failed test) is asked to stop its sandbox the normal way first.
    if (running && running.exitCode === null && running.signalCode === null) {
      const child = running;
      const gone = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      child.kill('SIGKILL');
    }
    if (containerName) await connectDocker().getContainer(containerName).remove({ force: true }).catch(() => undefined);
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('explains a bad command line with exit code 2', async () => {
    const result = await cli(['run', 'function.zip', '--port', 'eighty']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--port eighty is not a port number/);
  });

  it('runs a zip with layers, invokes it, shows its log, and stops it gracefully on Ctrl-C', async () => {
    const [one, two] = await twoLayerZips(scratch);
    running = spawn(process.execPath, [CLI, 'run', await probeFunctionZip(scratch), '--layer', one, '--layer', two, '--image', image]);
    let stdout = '';
    let stderr = '';
    running.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    running.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => running?.on('exit', (code) => resolve(code)));

    // Ready when the URL is on stdout and the container's name on stderr.
    const { url, name } = await new Promise<{ url: string; name: string }>((resolve, reject) => {
      const check = () => {
        const foundUrl = /^(http:\/\/127\.0\.0\.1:\d+\/2015-03-31\/functions\/function\/invocations)$/m.exec(stdout);
        const foundName = /lambda-sandbox: (\S+) is ready/.exec(stderr);
        if (foundUrl && foundName) resolve({ url: foundUrl[1], name: foundName[1] });
      };
      running?.stdout.on('data', check);
      running?.stderr.on('data', check);
      void exited.then((code) => reject(new Error(`the CLI exited (${code}) before it was ready:\n${stdout}\n${stderr}`)));
    });
    containerName = name;

    const invoked = await cli(['invoke', '--url', url, '{"action":"inspect"}']);
    assert.equal(invoked.code, 0, invoked.stderr);
    assert.equal((JSON.parse(invoked.stdout) as { files: { shared: string } }).files.shared, 'from layer two');

    const logs = await cli(['logs', name]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^REPORT RequestId: /m);

    running.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, new RegExp(`${name} stopped with code 0`));
    await assert.rejects(connectDocker().getContainer(name).inspect(), (e: { statusCode?: number }) => e.statusCode === 404,
      'the container is removed');
  });

  it('leaves a sandbox running with --detach; cleanup --session removes it', async () => {
    const started = await cli(['run', await probeFunctionZip(scratch), '--image', image, '--detach']);
    assert.equal(started.code, 0, started.stderr);
    const name = /lambda-sandbox: (\S+) is ready/.exec(started.stderr)?.[1];
    assert.ok(name, started.stderr);
    containerName = name;
    const listed = await cli(['list']);
    const row = listed.stdout.split('\n').find((line) => line.startsWith(`${name}\t`));
    assert.ok(row, listed.stdout);
    const [, state, url, session] = row.split('\t');
    assert.equal(state, 'running');
    assert.equal((await cli(['invoke', '--url', url, '{"action":"echo"}'])).code, 0);
    const event = await cli(['invoke', '--url', url, '--type', 'Event', '{"action":"echo"}']);
    assert.deepEqual([event.code, event.stdout], [0, '']);
    assert.match(event.stderr, /^lambda-sandbox: accepted \(202\): the function runs asynchronously/);
    const dryRun = await cli(['invoke', '--url', url, '--type', 'DryRun', '{"action":"echo"}']);
    assert.deepEqual([dryRun.code, dryRun.stdout], [0, '']);
    assert.match(dryRun.stderr, /^lambda-sandbox: dry run \(204\): .*nothing ran/);

    const cleaned = await cli(['cleanup', '--session', session]);
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.match(cleaned.stderr, /removed 1 container\b/);
    await assert.rejects(connectDocker().getContainer(name).inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  it('says that Init failed, and why, when it did', async () => {
    const dir = path.join(scratch, 'no-such-module');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'other.js'), 'exports.handler = async () => 1;\n');
    const started = await cli(['run', dir, '--handler', 'index.handler', '--image', image, '--detach']);
    const name = /lambda-sandbox: (\S+) is ready/.exec(started.stderr)?.[1];
    if (name) containerName = name;
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stderr, /^lambda-sandbox: Init failed \(Runtime\.ImportModuleError\): .*index/m);
    assert.match(started.stderr, /is ready \(but its Init failed\)/);
    if (name) await connectDocker().getContainer(name).remove({ force: true });
  });

  it('reloads a mounted function directory after a change with run --watch', async () => {
    const dir = path.join(scratch, 'watched');
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o755);
    const write = (version: string) => fs.writeFileSync(path.join(dir, 'index.js'), `exports.handler = async () => ({ version: '${version}' });\n`, { mode: 0o644 });
    write('v1');
    const started = await cli(['run', dir, '--handler', 'index.handler', '--image', image, '--detach', '--watch']);
    const name = /lambda-sandbox: (\S+) is ready/.exec(started.stderr)?.[1];
    if (name) containerName = name;
    assert.equal(started.code, 0, started.stderr);
    const url = started.stdout.trim();
    const version = async () => JSON.parse((await cli(['invoke', '--url', url, '{}'])).stdout) as { version: string };
    assert.deepEqual(await version(), { version: 'v1' });
    write('v2');
    const logs = async () => (await cli(['logs', name as string])).stdout + (await cli(['logs', name as string])).stderr;
    for (let i = 0; i < 100 && !/code changed \(index\.js\)/.test(await logs()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await version(), { version: 'v2' });
    if (name) await connectDocker().getContainer(name).remove({ force: true });
  });
});
