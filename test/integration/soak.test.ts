import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as path from 'node:path';
import { FIXTURES } from '../helpers/paths';
import { INVOKE_PATH, RunningInit } from '../helpers/runningInit';

const SCRIPTED = path.join(FIXTURES, 'runtimes', 'scripted', 'bootstrap');
const INVOKES = 4_000;

/**
 * Thousands of warm invokes with the init's old space capped at 12 MB: an init that keeps a few hundred bytes per
 * invoke (a reaction left on a long-lived promise, a map that is never pruned) runs out of heap and dies well before
 * the end (at about 2,500 invokes with a 1.3 KB leak).
 */
describe('Soak', function () {
  this.timeout(300_000);

  it(`serves ${INVOKES} invokes with the init's heap capped at 12 MB`, async () => {
    const sandbox = await RunningInit.start({ taskFiles: { bootstrap: SCRIPTED }, nodeFlags: ['--max-old-space-size=12'] });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const invoke = (n: number) => new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: sandbox.invokePort, method: 'POST', path: INVOKE_PATH, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ n }));
    });
    try {
      for (let n = 0; n < INVOKES; n++) {
        const status = await invoke(n).catch((error: Error) => {
          throw new Error(`invoke ${n} failed (${error.message}); init stderr:\n${sandbox.stderr.slice(-2000)}`);
        });
        assert.equal(status, 200, `invoke ${n}`);
      }
      assert.equal(sandbox.child.exitCode, null, 'the init is still running');
    } finally {
      agent.destroy();
      await sandbox.stop();
    }
  });
});
