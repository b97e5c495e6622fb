import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { passStartGate, START_GATE_ENV } from '../../../src/runtimes/nodejs/startGate';

const START_GATE = path.resolve(__dirname, '../../../src/runtimes/nodejs/startGate.js');

/** A Node process that waits at the start gate on fd 3, then prints what its environment still says of the gate. */
function gatedChild(): { gate: Writable; result: Promise<{ code: number | null; stdout: string }> } {
  const script = `require(${JSON.stringify(START_GATE)}).passStartGate(process.env)` +
    `.then(() => console.log('went on, variable ' + (process.env.${START_GATE_ENV} ?? 'gone')))`;
  const child = spawn(process.execPath, ['-e', script], { env: { [START_GATE_ENV]: '3' }, stdio: ['ignore', 'pipe', 'inherit', 'pipe'] });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const result = new Promise<{ code: number | null; stdout: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout })));
  return { gate: child.stdio[3] as Writable, result };
}

describe('Node.js runtime: the start gate (a runtime started before its code is in place)', function () {
  this.timeout(10_000);

  it('waits until the init writes its byte, then goes on without the variable in its environment', async () => {
    const { gate, result } = gatedChild();
    await new Promise((resolve) => setTimeout(resolve, 300)); // held, however long the unpack takes
    gate.end(Buffer.of(1));
    assert.deepEqual(await result, { code: 0, stdout: 'went on, variable gone\n' });
  });

  it('exits quietly, without going on, when the gate is closed instead (the init did not want this runtime)', async () => {
    const { gate, result } = gatedChild();
    gate.end();
    assert.deepEqual(await result, { code: 0, stdout: '' });
  });

  it('goes on at once when the variable is not set (the init started it with its code in place)', async () => {
    const env: NodeJS.ProcessEnv = {};
    await passStartGate(env);
    assert.deepEqual(env, {});
  });
});
