import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';

/** The compiled module, as the child processes below require it (tests run from <outDir>/test/unit). */
const MODULE = path.resolve(__dirname, '../../src/earlySignals.js');

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/**
 * Runs `script` in a fresh Node process (real signals need a process of their own). The script has `queue`
 * (installed first thing), `held(signal)` (resolves once the queue holds it) and `print(...)`.
 */
function runChild(script: string): Promise<ChildResult> {
  const program = `
    const queue = require(${JSON.stringify(MODULE)}).installEarlySignalQueue();
    const print = (...parts) => process.stdout.write(parts.join(' ') + '\\n');
    const held = (signal) => new Promise((resolve, reject) => {
      const deadline = Date.now() + 5000;
      const check = () => queue.pending.includes(signal) ? resolve()
        : Date.now() > deadline ? reject(new Error(signal + ' was never held')) : setTimeout(check, 5);
      check();
    });
    (async () => { ${script} })().catch((error) => { print('error', error.message); process.exit(3); });`;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['-e', program], { timeout: 10_000 }, (_error, stdout) => {
      resolve({ code: child.exitCode, signal: child.signalCode, stdout });
    });
  });
}

describe('early signals: SIGTERM/SIGINT before the shutdown handler exists', function () {
  this.timeout(20_000);

  it('holds a SIGTERM that comes before any handler and gives it to the handler registered later', async () => {
    const result = await runChild(`
      process.kill(process.pid, 'SIGTERM');
      await held('SIGTERM');
      print('pending', JSON.stringify(queue.pending));
      process.on('SIGTERM', (signal) => { print('handler', signal); process.exit(0); });
      print('registered');`);
    assert.deepEqual(result, { code: 0, signal: null, stdout: 'pending ["SIGTERM"]\nregistered\nhandler SIGTERM\n' });
  });

  it('hands SIGINT to handOver()\'s handler, and a later SIGTERM reaches it exactly once', async () => {
    const result = await runChild(`
      process.kill(process.pid, 'SIGINT');
      await held('SIGINT');
      const calls = [];
      queue.handOver((signal) => calls.push(signal));
      await new Promise((resolve) => setTimeout(resolve, 50));
      process.kill(process.pid, 'SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 100));
      print(JSON.stringify(calls), JSON.stringify(queue.pending));`);
    assert.deepEqual(result, { code: 0, signal: null, stdout: '["SIGINT","SIGTERM"] []\n' });
  });

  it('remembers each signal once, in arrival order, until it is handed over', async () => {
    const result = await runChild(`
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGINT']) { process.kill(process.pid, signal); await held(signal); }
      print(JSON.stringify(queue.pending));
      process.once('SIGTERM', (signal) => print('once', signal));
      await new Promise((resolve) => setTimeout(resolve, 50));
      print(JSON.stringify(queue.pending), process.listenerCount('SIGTERM'));
      process.exit(0);`);
    assert.deepEqual(result, { code: 0, signal: null, stdout: '["SIGINT","SIGTERM"]\nonce SIGTERM\n["SIGINT"] 0\n' });
  });

  it('is installed once per process', async () => {
    const result = await runChild(`
      const again = require(${JSON.stringify(MODULE)}).installEarlySignalQueue();
      print(again === queue, process.listenerCount('SIGTERM'), process.listenerCount('SIGINT'));`);
    assert.deepEqual(result, { code: 0, signal: null, stdout: 'true 1 1\n' });
  });
});
