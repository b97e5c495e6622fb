import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeptOpenFile, KeptOpenFiles } from '../../../src/process/keptOpenFile';

const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('KeptOpenFile', function () {
  it('re-reads a file from its start, seeing what changed since', async function () {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kept-open-'));
    try {
      const file = new KeptOpenFile(path.join(dir, 'f'));
      assert.equal(file.read(), undefined, 'no file yet');
      await fs.writeFile(path.join(dir, 'f'), 'first');
      assert.equal(file.read(), 'first');
      await fs.writeFile(path.join(dir, 'f'), 'x'.repeat(20_000));
      assert.equal(file.read(), 'x'.repeat(20_000), 'longer than one read');
      file.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('finds nothing once the process whose /proc file it holds has gone', async function () {
    const child = spawn('sleep', ['30']);
    const status = new KeptOpenFile(`/proc/${child.pid}/status`);
    assert.match(status.read() ?? '', /^VmHWM:/m);
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.equal(status.read(), undefined);
    status.close();
  });
});

describe('KeptOpenFiles', function () {
  it('keeps the files read in a round open for the next one, and closes the others', function () {
    const before = openFds();
    const files = new KeptOpenFiles((name: string) => `/proc/self/${name}`);
    assert.match(files.read('status') ?? '', /^Name:/m);
    assert.match(files.read('stat') ?? '', /^\d+ \(/);
    files.endRound();
    assert.equal(openFds(), before + 2);
    assert.match(files.read('status') ?? '', /^Name:/m);
    files.endRound();
    assert.equal(openFds(), before + 1, 'stat was not read in the last round');
    files.endRound();
    assert.equal(openFds(), before);
  });

  it('holds at most `max` descriptors, reading the rest by path', function () {
    const before = openFds();
    const files = new KeptOpenFiles((name: string) => `/proc/self/${name}`, 1);
    assert.ok(files.read('status'));
    assert.ok(files.read('stat'));
    files.endRound();
    assert.equal(openFds(), before + 1);
    files.endRound();
    assert.equal(openFds(), before);
  });
});
