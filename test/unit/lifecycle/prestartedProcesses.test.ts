import * as assert from 'node:assert/strict';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, type Config } from '../../../src/config';
import { runtimeEnvironment } from '../../../src/launch/runtimeEnvironment';
import { extensionProcessSpec, runtimeProcessSpec } from '../../../src/launch/sandboxedProcess';
import { PrestartedProcesses } from '../../../src/lifecycle/prestartedProcesses';
import { NoFreezer } from '../../../src/process/freezer/no-freezer';

/** A process that notes its pid in `pidFile`, says two lines at once and then waits (it never calls an API). */
const talking = (pidFile: string): string => `#!/bin/sh\necho $$ > ${pidFile}\necho "first line"\necho "second line"\nexec sleep 30\n`;

/** True while `pid` runs (a zombie counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() - started > 5_000) assert.fail(`timed out waiting until ${what}`);
  }
}

describe('PrestartedProcesses: the first Init\'s processes, started early', function () {
  this.timeout(10_000);
  let root: string;
  let config: Config;
  const started: PrestartedProcesses[] = [];
  const pidOf = (name: string): number => Number(readFileSync(path.join(root, `${name}.pid`), 'latin1'));

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'lambda-sandbox-prestart-'));
    await Promise.all(['task', 'opt'].map((dir) => fs.mkdir(path.join(root, dir))));
    await fs.writeFile(path.join(root, 'task', 'bootstrap'), talking(path.join(root, 'runtime.pid')), { mode: 0o755 });
    config = loadConfig({ PATH: process.env.PATH ?? '/usr/bin:/bin', LAMBDA_TASK_ROOT: path.join(root, 'task'), LAMBDA_SANDBOX_OPT_DIR: path.join(root, 'opt') }, []);
  });

  afterEach(async () => {
    for (const early of started.splice(0)) early.release();
    for (const name of ['runtime', 'agent']) {
      if (existsSync(path.join(root, `${name}.pid`)) && alive(pidOf(name))) process.kill(pidOf(name), 'SIGKILL');
    }
    await fs.rm(root, { recursive: true, force: true });
  });

  function start(): PrestartedProcesses | undefined {
    const early = PrestartedProcesses.start(config, new NoFreezer());
    if (early) started.push(early);
    return early;
  }

  const runtimeSpec = (command: string): ReturnType<typeof runtimeProcessSpec> =>
    runtimeProcessSpec(config, { command, args: [], source: command }, runtimeEnvironment(config));

  it('hands the runtime to the Init that asks for the same command, with the output it held, in order', async () => {
    const early = start();
    assert.ok(early, 'started');
    assert.deepEqual(early.commands, [path.join(root, 'task', 'bootstrap')]);
    await until(() => existsSync(path.join(root, 'runtime.pid')), 'the runtime runs');
    await new Promise((resolve) => setTimeout(resolve, 200)); // its lines are out by now, and held
    const lines: string[] = [];
    const runtime = early.adopt(runtimeSpec(path.join(root, 'task', 'bootstrap')), (line) => lines.push(line));
    assert.equal(runtime?.pid, pidOf('runtime'), 'the running process is handed over');
    assert.deepEqual(lines, ['first line\n', 'second line\n']);
    assert.equal(early.adoptedSince, early.spawnedAt);
    early.release(); // an adopted process is the Init's now: release leaves it alone
    await early.settled;
    assert.ok(alive(pidOf('runtime')));
  });

  it('kills, at release, a process the Init did not ask for, and hands out nothing after it', async () => {
    const early = start();
    assert.ok(early);
    await until(() => existsSync(path.join(root, 'runtime.pid')), 'the runtime runs');
    assert.equal(early.adopt(runtimeSpec('/bin/true'), () => undefined), undefined, 'another command');
    early.release();
    await early.settled;
    assert.equal(alive(pidOf('runtime')), false, 'settled only once the process it killed has exited');
    assert.equal(early.adoptedSince, undefined);
    assert.equal(early.adopt(runtimeSpec(path.join(root, 'task', 'bootstrap')), () => undefined), undefined, 'released');
  });

  it('starts the external extensions instead of the runtime when there are any (the runtime waits for them)', async () => {
    await fs.mkdir(path.join(root, 'opt', 'extensions'));
    const agent = path.join(root, 'opt', 'extensions', 'agent');
    await fs.writeFile(agent, talking(path.join(root, 'agent.pid')), { mode: 0o755 });
    await fs.writeFile(path.join(root, 'opt', 'extensions', 'not-executable'), '#!/bin/sh\n', { mode: 0o644 });
    const early = start();
    assert.ok(early);
    assert.deepEqual(early.commands, [agent], 'only what can be launched, and no runtime');
    await until(() => existsSync(path.join(root, 'agent.pid')), 'the extension runs');
    assert.equal(early.adopt(runtimeSpec(path.join(root, 'task', 'bootstrap')), () => undefined), undefined);
    const spec = extensionProcessSpec(config, { name: 'agent', file: agent }, runtimeEnvironment(config));
    assert.equal(early.adopt(spec, () => undefined)?.pid, pidOf('agent'));
    assert.equal(existsSync(path.join(root, 'runtime.pid')), false, 'the runtime was not started');
  });

  it('starts nothing when no runtime is found (the Init reports that)', async () => {
    await fs.rm(path.join(root, 'task', 'bootstrap'));
    assert.equal(start(), undefined);
  });
});
