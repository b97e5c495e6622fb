import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { connectDocker } from '../../src/host/dockerEngine';
import { REPO_ROOT } from '../helpers/paths';
import { requireDocker } from './support/docker';
import { testImage } from './support/testImage';

/**
 * README's host-library example (examples/host-library.mjs, included in README.md verbatim) run as a user runs it:
 * plain `node`, importing the package by its name, so the package's exports and the example's code are both
 * tested. Its image gets a tag of its own; after the shared test image's build, its build is all cache hits.
 */
describe('image: the README\'s host-library example', function () {
  this.timeout(300_000);
  let tag: string;

  before(async function () {
    await requireDocker(this);
    tag = `${await testImage()}-example`;
  });

  after(async () => {
    if (tag) await connectDocker().getImage(tag).remove({ noprune: true }).catch(() => undefined);
  });

  it('builds, starts, invokes (200, the greeting, the log tail) and stops', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(REPO_ROOT, 'examples', 'host-library.mjs')], {
        cwd: REPO_ROOT, env: { ...process.env, LAMBDA_SANDBOX_IMAGE: tag }, timeout: 240_000, maxBuffer: 16 * 1024 * 1024,
      }, (error, out, err) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: out, stderr: err }));
    });
    assert.equal(code, 0, `${stdout}\n${stderr.split('\n').slice(-30).join('\n')}`);
    const [url, result, ...tail] = stdout.split('\n');
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/2015-03-31\/functions\/function\/invocations$/);
    assert.match(result, /^200 \{"greeting":"Hello, library!",/);
    assert.match(tail.join('\n'), /^REPORT RequestId: /m);
  });
});
