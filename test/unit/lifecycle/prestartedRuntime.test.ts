import * as assert from 'node:assert/strict';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, type Config } from '../../../src/config';
import { runtimeEnvironment } from '../../../src/launch/runtimeEnvironment';
import { runtimeProcessSpec } from '../../../src/launch/sandboxedProcess';
import { PrestartedRuntime } from '../../../src/lifecycle/prestartedRuntime';
import { NoFreezer } from '../../../src/process/freezer/no-freezer';

/** A runtime that notes its pid, says two lines at once and then waits (it never calls the Runtime API). */
const talkingBootstrap = (pidFile: string): string => `#!/bin/sh\necho $$ > ${pidFile}\necho "first line"\necho "second line"\nexec sleep 30\n`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() - started > 5_000) assert.fail(`timed out waiting until ${what}`);
  }
}

describe('PrestartedRuntime: the first Init\'s runtime, started early', function () {
  this.timeout(10_000);
  let root: string;
  let config: Config;
  const started: PrestartedRuntime[] = [];

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'lambda-sandbox-prestart-'));
    await Promise.all(['task', 'opt'].map((dir) => fs.mkdir(path.join(root, dir))));
    await fs.writeFile(path.join(root, 'task', 'bootstrap'), talkingBootstrap(path.join(root, 'pid')), { mode: 0o755 });
    config = loadConfig({ PATH: process.env.PATH ?? '/usr/bin:/bin', LAMBDA_TASK_ROOT: path.join(root, 'task'), LAMBDA_SANDBOX_OPT_DIR: path.join(root, 'opt') }, []);
  });

  afterEach(async () => {
    for (const runtime of started.splice(0)) runtime.discard();
    await fs.rm(root, { recursive: true, force: true });
  });

  async function start(): Promise<PrestartedRuntime | undefined> {
    const runtime = await PrestartedRuntime.start(config, new NoFreezer());
    if (runtime) started.push(runtime);
    return runtime;
  }

  function specOf(command: string): ReturnType<typeof runtimeProcessSpec> {
    return runtimeProcessSpec(config, { command, args: [], source: command }, runtimeEnvironment(config));
  }

  it('hands its process to the Init that asks for the same command, with the output it held, in order', async () => {
    const runtime = await start();
    assert.ok(runtime, 'started');
    await new Promise((resolve) => setTimeout(resolve, 300)); // its lines are out by now, and held
    const lines: string[] = [];
    const process = runtime.adopt(specOf(path.join(root, 'task', 'bootstrap')), (line) => lines.push(line));
    assert.ok(process?.pid !== undefined && alive(process.pid), 'the running process is handed over');
    assert.deepEqual(lines, ['first line\n', 'second line\n']);
    assert.equal(runtime.adoptedSince, runtime.spawnedAt);
    await runtime.settled;
    runtime.discard(); // an adopted runtime is the Init's now: discard leaves it alone
    assert.ok(alive(process.pid));
    await process.kill();
  });

  it('is killed when the Init wants another command, and settles', async () => {
    const runtime = await start();
    assert.ok(runtime);
    await until(() => existsSync(path.join(root, 'pid')), 'the runtime runs');
    const pid = Number(readFileSync(path.join(root, 'pid'), 'latin1'));
    assert.equal(runtime.adopt(specOf('/bin/true'), () => undefined), undefined);
    await runtime.settled;
    assert.equal(runtime.adoptedSince, undefined);
    await until(() => !alive(pid) || isZombie(pid), 'the prestarted runtime is gone');
  });

  it('is not started when an external extension must start first, nor when no runtime is found', async () => {
    await fs.mkdir(path.join(root, 'opt', 'extensions'));
    await fs.writeFile(path.join(root, 'opt', 'extensions', 'agent'), '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    assert.equal(await start(), undefined, 'an extension is there');
    await fs.rm(path.join(root, 'opt', 'extensions'), { recursive: true });
    await fs.rm(path.join(root, 'task', 'bootstrap'));
    assert.equal(await start(), undefined, 'no bootstrap and no handler');
  });
});

function isZombie(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return false;
  }
}
