import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { loadSandboxNative } from '../../../src/process/native/addon';
import { startReaper } from '../../../src/process/reaper';

const HOST = path.join(__dirname, 'fixtures', 'reaper-host.js');
const BUILD = path.join(__dirname, '..', '..', '..', 'src', 'process', 'native', 'build.js');

interface Report {
  pid: number;
  mode: string;
  logs: string[];
  steal?: { zombieBeforeLibuv: boolean; reapedByScan: number; exit: { expected: number; code: number | null } };
  exits: { expected: number; code: number | null; signal: string | null }[];
  orphans: number[];
  reaped: { pid: number; comm: string; exitCode: number | null; signal: string | null }[];
  zombies: number[];
}

/**
 * Runs the host fixture (optionally as PID 1 of a fresh pid namespace) and returns its report. The host bounds its
 * own waits; the kill after 15 s is only a guard against a wedged process.
 */
async function runHost(config: object, asPid1 = false): Promise<Report> {
  const command = asPid1
    ? ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc', process.execPath]
    : [process.execPath];
  const child = spawn(command[0], [...command.slice(1), HOST, JSON.stringify(config)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
  const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
  clearTimeout(guard);
  if (code !== 0) throw new Error(`reaper host failed (${code ?? signal}): ${stderr}`);
  return JSON.parse(stdout) as Report;
}

function assertChildrenExitedNormally(report: Report): void {
  for (const exit of report.exits) assert.equal(exit.code, exit.expected, `a child's exit status was lost: ${JSON.stringify(exit)}`);
}

function canUnsharePid(): boolean {
  return spawnSync('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', 'true'], { stdio: 'ignore' }).status === 0;
}

describe('reaper', function () {
  before(function () {
    if (!loadSandboxNative().ok) spawnSync(process.execPath, [BUILD, '--optional'], { stdio: 'inherit' });
    const loaded = loadSandboxNative();
    if (!loaded.ok) {
      console.warn(`    reaper tests need the native addon: ${loaded.reason}`);
      this.skip();
    }
  });

  it('as a subreaper, reaps orphaned grandchildren and leaves Node\'s own children to libuv', async function () {
    const report = await runHost({ pairs: 5 });
    assert.equal(report.mode, 'subreaper');
    assert.deepEqual(report.logs, []);
    assertChildrenExitedNormally(report);
    assert.equal(report.orphans.length, 10);
    assert.deepEqual(report.zombies, [], `zombies left: ${report.zombies.join(', ')}`);
    const reapedPids = report.reaped.map((r) => r.pid).sort();
    assert.deepEqual(reapedPids, [...report.orphans].sort(), 'not every orphan was reaped by the reaper');
    const statuses = report.reaped.map((r) => `${r.comm}:${r.exitCode}:${r.signal}`).sort();
    assert.deepEqual(statuses, [...Array(5).fill('sh:3:null'), ...Array(5).fill('sleep:0:null')]);
  });

  it('never takes the exit status of a child Node spawned, even when it is a zombie before libuv looks', async function () {
    const report = await runHost({ pairs: 0 });
    assert.ok(report.steal, 'the steal check did not run');
    assert.equal(report.steal.zombieBeforeLibuv, true, 'the child never became a zombie while the loop was blocked');
    assert.equal(report.steal.reapedByScan, 0);
    assert.equal(report.steal.exit.code, 5);
  });

  it('leaves pids that isOurChild claims alone', async function () {
    const report = await runHost({ pairs: 2, spareAll: true });
    assertChildrenExitedNormally(report);
    assert.deepEqual(report.reaped, []);
    assert.deepEqual([...report.zombies].sort(), [...report.orphans].sort());
  });

  it('as PID 1 of a pid namespace, reaps every orphan', async function () {
    if (!canUnsharePid()) this.skip(); // needs root (or user namespaces) for unshare --pid
    const report = await runHost({ pairs: 3 }, true);
    assert.equal(report.pid, 1);
    assert.equal(report.mode, 'pid1');
    assertChildrenExitedNormally(report);
    assert.deepEqual(report.zombies, [], `zombies left: ${report.zombies.join(', ')}`);
    assert.deepEqual(report.reaped.map((r) => r.pid).sort(), [...report.orphans].sort());
  });

  it('as PID 1 without the addon, warns once and keeps running', async function () {
    if (!canUnsharePid()) this.skip();
    const report = await runHost({ pairs: 2, addon: '/nonexistent/sandbox_native.node' }, true);
    assert.equal(report.mode, 'off');
    assert.equal(report.logs.length, 1, report.logs.join('\n'));
    assert.match(
      report.logs[0],
      /^orphan reaper unavailable: \/nonexistent\/sandbox_native.node is not built .*; orphaned processes will stay zombies$/,
    );
    assertChildrenExitedNormally(report);
    assert.deepEqual([...report.zombies].sort(), [...report.orphans].sort(), 'expected the orphans to stay zombies');
  });

  it('outside PID 1 without the addon, stays silent (the system\'s init reaps)', function () {
    const logs: string[] = [];
    const reaper = startReaper({ log: (m) => logs.push(m), addon: loadSandboxNative('/nonexistent/addon.node') });
    reaper.stop();
    assert.equal(reaper.mode, 'off');
    assert.deepEqual(logs, []);
  });
});
