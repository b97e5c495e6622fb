import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ZipFile } from 'yazl';
import { FIXTURES, INIT_MAIN } from '../helpers/paths';
import { freePort, RunningInit } from '../helpers/runningInit';

const SCRIPTED = path.join(FIXTURES, 'runtimes', 'scripted', 'bootstrap');
const RECORDER = path.join(FIXTURES, 'extensions', 'recorder');

/** Runs the init to its exit and returns what it printed. */
function runInit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [INIT_MAIN], { env: { PATH: process.env.PATH ?? '', LAMBDA_SANDBOX_INVOKE_HOST: '127.0.0.1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function writeZip(file: string, entries: Record<string, { data: string; mode?: number }>): Promise<string> {
  const zip = new ZipFile();
  for (const [name, entry] of Object.entries(entries)) zip.addBuffer(Buffer.from(entry.data), name, { mode: entry.mode ?? 0o100644 });
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(file)).on('close', resolve).on('error', reject));
  return file;
}

/**
 * A zip with the entries plus `xx/evil.txt`, renamed to `../evil.txt` afterwards: yazl refuses to write such names,
 * and a name of the same length keeps the zip valid.
 */
async function writeEscapingZip(file: string, entries: Record<string, { data: string; mode?: number }>): Promise<string> {
  await writeZip(file, { ...entries, 'xx/evil.txt': { data: 'pwned' } });
  const bytes = await fs.readFile(file);
  await fs.writeFile(file, Buffer.from(bytes.toString('latin1').split('xx/evil.txt').join('../evil.txt'), 'latin1'));
  return file;
}

/** True while `pid` runs (a zombie counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

/** True once `pid` is gone, waiting up to 2 s for it. */
async function gone(pid: number): Promise<boolean> {
  for (const started = Date.now(); alive(pid) && Date.now() - started < 2_000;) await new Promise((resolve) => setTimeout(resolve, 20));
  return !alive(pid);
}

describe('Start-up', function () {
  this.timeout(20_000);
  let scratch: string;
  before(async () => {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'lambda-sandbox-startup-'));
  });
  after(async () => {
    await fs.rm(scratch, { recursive: true, force: true });
  });

  for (const [variable, value, line] of [
    ['AWS_LAMBDA_FUNCTION_TIMEOUT', '0', 'lambda-sandbox: invalid AWS_LAMBDA_FUNCTION_TIMEOUT: 0 s is outside the allowed range 1 s to 900 s\n'],
    ['AWS_LAMBDA_FUNCTION_MEMORY_SIZE', '64', 'lambda-sandbox: invalid AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 64 MB is outside the allowed range 128 MB to 10240 MB\n'],
  ] as const) {
    it(`stops at once with one line naming ${variable} when it is bad`, async () => {
      const result = await runInit({ [variable]: value });
      assert.equal(result.code, 1);
      assert.equal(result.stderr, line);
      assert.equal(result.stdout, '');
    });
  }

  it('says clearly when a port is taken', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED } });
    try {
      const result = await runInit({ LAMBDA_SANDBOX_INVOKE_PORT: String(sandbox.invokePort), LAMBDA_SANDBOX_API_ADDRESS: '127.0.0.1:1' });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /cannot listen for the (Runtime|Invoke) API on 127\.0\.0\.1:\d+: (EADDRINUSE|EACCES)/);
    } finally {
      await sandbox.stop();
    }
  });

  it('leaves no cgroup behind when a port is taken', async function () {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED } });
    try {
      const result = await runInit({ LAMBDA_SANDBOX_INVOKE_PORT: String(sandbox.invokePort), LAMBDA_SANDBOX_LOG_LEVEL: 'info' });
      assert.equal(result.code, 1);
      const cgroup = /freezer: cgroup[12] in (\S+)/.exec(result.stderr)?.[1];
      if (!cgroup) this.skip(); // no cgroup freezer on this machine: nothing to leave behind
      await assert.rejects(fs.stat(cgroup as string), { code: 'ENOENT' }, `${cgroup} is still there`);
    } finally {
      await sandbox.stop();
    }
  });

  it('starts the runtime ahead of the Init when no extension must start first; its output still follows INIT_START', async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, env: { LAMBDA_SANDBOX_LOG_LEVEL: 'debug' } });
    try {
      assert.deepEqual((await sandbox.invoke({ early: true })).json(), { early: true });
      assert.match(sandbox.stderr, /started ahead of the Init: \S+\/bootstrap$/m);
      const lines = sandbox.stdout.split('\n');
      assert.match(lines[0], /^INIT_START /);
      assert.equal(lines[1], 'init mode ok', 'the runtime\'s first line, held until its Init began');
    } finally {
      await sandbox.stop();
    }
  });

  it('starts the external extensions ahead instead of the runtime, and uses those same processes', async () => {
    const starts = path.join(scratch, 'extension-starts.txt');
    const agent = path.join(scratch, 'agent');
    // The recording extension (it registers under its file name), noting each start of it first.
    const [shebang, ...rest] = (await fs.readFile(RECORDER, 'utf8')).split('\n');
    const noteStart = `require('node:fs').appendFileSync(${JSON.stringify(starts)}, process.pid + '\\n');`;
    await fs.writeFile(agent, [shebang, noteStart, ...rest].join('\n'), { mode: 0o755 });
    await fs.mkdir(path.join(scratch, 'extension-log'), { recursive: true });
    const sandbox = await RunningInit.start({
      taskFiles: { bootstrap: SCRIPTED }, optFiles: { 'extensions/agent': agent },
      env: { LAMBDA_SANDBOX_LOG_LEVEL: 'debug', EXT_LOG: path.join(scratch, 'extension-log') },
    });
    try {
      assert.deepEqual((await sandbox.invoke({ early: true })).json(), { early: true });
      assert.match(sandbox.stderr, /started ahead of the Init: \S+\/extensions\/agent$/m);
      assert.equal((await fs.readFile(starts, 'utf8')).trim().split('\n').length, 1, 'the extension started once: the Init adopted it');
      assert.ok(sandbox.stdout.indexOf('[agent] registered') < sandbox.stdout.indexOf('init mode ok'), sandbox.stdout);
    } finally {
      await sandbox.stop();
    }
  });

  it('kills the runtime it started ahead when the start fails after it (the Invoke API port taken)', async () => {
    const blocker = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED } });
    const task = path.join(scratch, 'task-early');
    const pidFile = path.join(scratch, 'early-runtime.pid');
    await fs.mkdir(task, { recursive: true });
    await fs.writeFile(path.join(task, 'bootstrap'), `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 60\n`, { mode: 0o755 });
    try {
      const result = await runInit({
        LAMBDA_TASK_ROOT: task, LAMBDA_SANDBOX_OPT_DIR: path.join(scratch, 'opt-early'), LAMBDA_SANDBOX_LOG_LEVEL: 'debug',
        LAMBDA_SANDBOX_INVOKE_PORT: String(blocker.invokePort), LAMBDA_SANDBOX_API_ADDRESS: `127.0.0.1:${await freePort()}`,
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /started ahead of the Init: \S+\/bootstrap$/m);
      assert.match(result.stderr, /cannot listen for the Invoke API on 127\.0\.0\.1:\d+: EADDRINUSE/);
      const pid = Number(await fs.readFile(pidFile, 'latin1'));
      assert.ok(await gone(pid), `the runtime started ahead (pid ${pid}) outlived the init`);
    } finally {
      await blocker.stop();
    }
  });

  it('unpacks the function zip and layers in order, later layers overriding earlier files', async () => {
    const fn = await writeZip(path.join(scratch, 'function.zip'), {
      bootstrap: { data: await fs.readFile(SCRIPTED, 'utf8'), mode: 0o100755 },
      'data.txt': { data: 'from the function' },
    });
    const layer1 = await writeZip(path.join(scratch, 'layer1.zip'), { 'shared.txt': { data: 'layer 1' }, 'only1.txt': { data: 'one' } });
    const layer2 = await writeZip(path.join(scratch, 'layer2.zip'), { 'shared.txt': { data: 'layer 2' }, 'bin/tool': { data: '#!/bin/sh\n', mode: 0o100755 } });
    const sandbox = await RunningInit.start({ env: { LAMBDA_SANDBOX_FUNCTION_ZIP: fn, LAMBDA_SANDBOX_LAYERS: `${layer1}:${layer2}` } });
    try {
      assert.deepEqual((await sandbox.invoke({ unpacked: true })).json(), { unpacked: true });
      assert.equal(await fs.readFile(path.join(sandbox.dirs.task, 'data.txt'), 'utf8'), 'from the function');
      assert.equal(await fs.readFile(path.join(sandbox.dirs.opt, 'shared.txt'), 'utf8'), 'layer 2');
      assert.equal(await fs.readFile(path.join(sandbox.dirs.opt, 'only1.txt'), 'utf8'), 'one');
      assert.equal((await fs.stat(path.join(sandbox.dirs.opt, 'bin/tool'))).mode & 0o777, 0o755);
      assert.match(sandbox.stderr, /unpacked 3 zips/);
    } finally {
      await sandbox.stop();
    }
  });

  it('refuses a zip with a ../ entry before starting anything, naming file and entry', async () => {
    const task = path.join(scratch, 'task-hostile');
    await fs.mkdir(task);
    const bad = await writeEscapingZip(path.join(scratch, 'hostile.zip'), {});
    const result = await runInit({ LAMBDA_TASK_ROOT: task, LAMBDA_SANDBOX_OPT_DIR: path.join(scratch, 'opt-x'), LAMBDA_SANDBOX_FUNCTION_ZIP: bad, LAMBDA_SANDBOX_INVOKE_PORT: '1' });
    assert.equal(result.code, 1);
    assert.ok(result.stderr.includes(bad) && result.stderr.includes('../evil.txt'), result.stderr);
    assert.equal(result.stdout, '', 'nothing started: no INIT_START');
    assert.deepEqual(await fs.readdir(task), []);
    await assert.rejects(fs.stat(path.join(scratch, 'evil.txt')));
  });

  describe('the built-in Node.js runtime, started while the zip is unpacked', () => {
    const HANDLER = "exports.handler = async (event) => ({ runtime: 'built-in', event });\n";
    /** The pid of the runtime started ahead of the unpack, from the init's debug log. */
    const gatedPid = (stderr: string): number => {
      const pid = /started the Node\.js runtime ahead of the unpack \(pid (\d+)\)/.exec(stderr)?.[1];
      assert.ok(pid, `no runtime started ahead of the unpack:\n${stderr}`);
      return Number(pid);
    };

    it('runs the function from the zip in that same process', async () => {
      const fn = await writeZip(path.join(scratch, 'gated-function.zip'), { 'index.js': { data: HANDLER } });
      const sandbox = await RunningInit.start({ env: { LAMBDA_SANDBOX_FUNCTION_ZIP: fn, _HANDLER: 'index.handler', LAMBDA_SANDBOX_LOG_LEVEL: 'debug' } });
      try {
        assert.deepEqual((await sandbox.invoke({ n: 1 })).json(), { runtime: 'built-in', event: { n: 1 } });
        const pid = gatedPid(sandbox.stderr);
        assert.match(sandbox.stderr, /started ahead of the Init: \S+node\S*$/m, 'the Init adopted it');
        assert.ok(alive(pid), 'the runtime started ahead is the one serving');
      } finally {
        await sandbox.stop();
      }
    });

    it('kills it and runs the bootstrap when the zip brings one', async () => {
      const fn = await writeZip(path.join(scratch, 'gated-custom.zip'), {
        bootstrap: { data: await fs.readFile(SCRIPTED, 'utf8'), mode: 0o100755 }, 'index.js': { data: HANDLER },
      });
      const sandbox = await RunningInit.start({ env: { LAMBDA_SANDBOX_FUNCTION_ZIP: fn, _HANDLER: 'index.handler', LAMBDA_SANDBOX_LOG_LEVEL: 'debug' } });
      try {
        assert.deepEqual((await sandbox.invoke({ custom: true })).json(), { custom: true }, 'the scripted runtime echoes');
        assert.ok(await gone(gatedPid(sandbox.stderr)), 'the built-in runtime outlived the choice of the bootstrap');
      } finally {
        await sandbox.stop();
      }
    });

    it('kills it when the zip is refused, before it loaded anything of the function', async () => {
      const task = path.join(scratch, 'task-gated-hostile');
      await fs.mkdir(task);
      const bad = await writeEscapingZip(path.join(scratch, 'gated-hostile.zip'), { 'index.js': { data: HANDLER } });
      const result = await runInit({
        LAMBDA_TASK_ROOT: task, LAMBDA_SANDBOX_OPT_DIR: path.join(scratch, 'opt-gated'), LAMBDA_SANDBOX_FUNCTION_ZIP: bad,
        _HANDLER: 'index.handler', LAMBDA_SANDBOX_LOG_LEVEL: 'debug', LAMBDA_SANDBOX_INVOKE_PORT: '1',
      });
      assert.equal(result.code, 1);
      assert.ok(result.stderr.includes('../evil.txt'), result.stderr);
      assert.ok(await gone(gatedPid(result.stderr)), 'the runtime started ahead outlived the init');
      assert.equal(result.stdout, '', 'no INIT_START, and no line from the runtime');
      assert.deepEqual(await fs.readdir(task), []);
    });
  });
});
