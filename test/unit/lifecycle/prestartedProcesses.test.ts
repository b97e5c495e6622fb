import * as assert from 'node:assert/strict';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, type Config } from '../../../src/config';
import { resolveRuntimeCommand } from '../../../src/launch/runtimeCommand';
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

  describe('the built-in Node.js runtime, started before the unpack and held at its start gate', () => {
    /** Stands in for the Runtime API: notes each request and leaves it waiting. */
    let api: http.Server;
    let requests: string[];
    let gatedConfig: Config;
    const marker = (): string => path.join(root, 'handler-loaded.json');

    beforeEach(async () => {
      requests = [];
      api = http.createServer((req) => requests.push(`${req.method} ${req.url}`));
      await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
      await fs.rm(path.join(root, 'task', 'bootstrap'));
      // The handler's module notes that it was loaded, by whom, and whether it could see the gate.
      await fs.writeFile(path.join(root, 'task', 'index.js'),
        `require('node:fs').writeFileSync(${JSON.stringify(marker())}, JSON.stringify({ pid: process.pid, gate: process.env.LAMBDA_SANDBOX_START_GATE_FD ?? null }));\n` +
        'exports.handler = async (event) => event;\n');
      gatedConfig = loadConfig({
        PATH: process.env.PATH ?? '/usr/bin:/bin', LAMBDA_TASK_ROOT: path.join(root, 'task'), LAMBDA_SANDBOX_OPT_DIR: path.join(root, 'opt'),
        _HANDLER: 'index.handler', LAMBDA_SANDBOX_API_ADDRESS: `127.0.0.1:${(api.address() as AddressInfo).port}`,
      }, []);
    });

    afterEach(async () => {
      api.closeAllConnections();
      await new Promise((resolve) => api.close(resolve));
    });

    function startGated(config: Config = gatedConfig): NonNullable<ReturnType<typeof PrestartedProcesses.startGated>> {
      const gated = PrestartedProcesses.startGated(config);
      assert.ok(gated, 'started');
      return gated;
    }

    it('loads nothing of the function until start() lets it go, then is the runtime the Init adopts', async () => {
      const gated = startGated();
      const pid = gated.process.pid;
      await new Promise((resolve) => setTimeout(resolve, 500)); // Node has started by now, and waits
      assert.equal(existsSync(marker()), false, 'the handler was loaded before the gate opened');
      assert.deepEqual(requests, []);
      const early = PrestartedProcesses.start(gatedConfig, new NoFreezer(), gated);
      assert.ok(early);
      started.push(early);
      assert.deepEqual(early.commands, [process.execPath]);
      await until(() => requests.length > 0, 'the runtime asks for its first event');
      assert.deepEqual(requests, ['GET /2018-06-01/runtime/invocation/next']);
      assert.deepEqual(JSON.parse(readFileSync(marker(), 'utf8')), { pid, gate: null }, 'the same process, and the handler never saw the gate');
      const command = resolveRuntimeCommand(gatedConfig, gatedConfig.nodejsBootstrap); // as the Init finds it
      const spec = runtimeProcessSpec(gatedConfig, command, runtimeEnvironment(gatedConfig, command.managedRuntime));
      assert.equal(early.adopt(spec, () => undefined)?.pid, pid, 'handed to the Init');
      gated.process.signalGroup('SIGKILL');
    });

    it('is killed when the function zip brought its own bootstrap, which starts instead', async () => {
      const gated = startGated();
      const pid = gated.process.pid;
      assert.ok(pid !== undefined);
      await fs.writeFile(path.join(root, 'task', 'bootstrap'), talking(path.join(root, 'runtime.pid')), { mode: 0o755 });
      const early = PrestartedProcesses.start(gatedConfig, new NoFreezer(), gated);
      assert.ok(early);
      started.push(early);
      assert.deepEqual(early.commands, [path.join(root, 'task', 'bootstrap')]);
      await until(() => !alive(pid), 'the gated runtime is gone');
      await until(() => existsSync(path.join(root, 'runtime.pid')), 'the bootstrap runs');
      assert.equal(existsSync(marker()), false, 'the handler was never loaded');
    });

    it('dies with kill() (the start failed before the gate opened) without loading the handler', async () => {
      const gated = startGated();
      const pid = gated.process.pid;
      assert.ok(pid !== undefined);
      gated.kill();
      await gated.process.exited;
      assert.equal(alive(pid), false);
      assert.equal(existsSync(marker()), false);
    });

    it('is not started when something else must run first or may take its place', async () => {
      const variants: Array<[string, Record<string, string>]> = [
        ['layers to unpack', { LAMBDA_SANDBOX_LAYERS: path.join(root, 'layer.zip') }],
        ['an exec wrapper', { AWS_LAMBDA_EXEC_WRAPPER: '/bin/true' }],
        ['no handler', { _HANDLER: '' }],
        ['a replacement for the built-in runtime (it may not know the gate)', { LAMBDA_SANDBOX_NODEJS_RUNTIME: path.join(root, 'task', 'index.js') }],
      ];
      await fs.writeFile(path.join(root, 'layer.zip'), 'not read here');
      for (const [what, env] of variants) {
        const config = loadConfig({
          PATH: '/usr/bin:/bin', LAMBDA_TASK_ROOT: path.join(root, 'task'), LAMBDA_SANDBOX_OPT_DIR: path.join(root, 'opt'), _HANDLER: 'index.handler', ...env,
        }, []);
        assert.equal(PrestartedProcesses.startGated(config), undefined, what);
      }
      await fs.mkdir(path.join(root, 'opt', 'extensions'));
      await fs.writeFile(path.join(root, 'opt', 'extensions', 'agent'), '#!/bin/sh\n', { mode: 0o755 });
      assert.equal(PrestartedProcesses.startGated(gatedConfig), undefined, 'an extension');
      await fs.rm(path.join(root, 'opt', 'extensions'), { recursive: true });
      await fs.writeFile(path.join(root, 'task', 'bootstrap'), '#!/bin/sh\n', { mode: 0o755 });
      assert.equal(PrestartedProcesses.startGated(gatedConfig), undefined, 'a custom runtime already in the task root');
    });
  });
});
