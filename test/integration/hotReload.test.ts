import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES } from '../helpers/paths';
import { RunningInit } from '../helpers/runningInit';
import { waitFor } from '../helpers/wait';

const RECORDER = path.join(FIXTURES, 'extensions', 'recorder');
const handler = (version: string) => `exports.handler = async () => ({ version: '${version}' });\n`;

describe('Hot reload (LAMBDA_SANDBOX_WATCH=1)', function () {
  this.timeout(60_000);

  it('reinitialises after a change to the code: SHUTDOWN to extensions, a line naming the files, the new code cold', async () => {
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'lambda-sandbox-reload-'));
    const source = path.join(scratch, 'index.js');
    await fs.writeFile(source, handler('v1'));
    const sandbox = await RunningInit.start({
      taskFiles: { 'index.js': source },
      optFiles: { 'extensions/alpha': RECORDER },
      env: { LAMBDA_SANDBOX_WATCH: '1', _HANDLER: 'index.handler', EXT_LOG: scratch },
    });
    try {
      assert.match(sandbox.stderr, /hot reload: watching .*task for changes/);
      assert.deepEqual((await sandbox.invoke({})).json(), { version: 'v1' });
      await sandbox.settled();
      await fs.writeFile(path.join(sandbox.dirs.task, 'index.js'), handler('v2'));
      await waitFor('the line naming the changed file', async () =>
        (/code changed \(index\.js\): the next invoke initialises it again/.test(sandbox.stderr) ? true : undefined));
      const shutdown = await waitFor('SHUTDOWN to the extension', async () => {
        const text = await fs.readFile(path.join(scratch, 'alpha.log'), 'utf8').catch(() => '');
        return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event?: { eventType?: string; shutdownReason?: string } })
          .find((e) => e.event?.eventType === 'SHUTDOWN');
      });
      assert.equal(shutdown.event?.shutdownReason, 'spindown');
      assert.deepEqual((await sandbox.invoke({})).json(), { version: 'v2' });
      assert.equal(sandbox.stdout.split('\n').filter((l) => l.startsWith('INIT_START')).length, 2, 'the new code had a cold Init');
    } finally {
      await sandbox.stop();
      await fs.rm(scratch, { recursive: true, force: true });
    }
  });
});
