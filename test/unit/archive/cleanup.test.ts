import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { archiveLabel, type ArchiveRef } from '../../../src/archive/archiveRef';
import { CreatedPaths } from '../../../src/archive/createdPaths';
import { unpackAll } from '../../../src/archive/unpack';
import { describeUndo } from '../../../src/archive/undoMessage';
import { buildRawZip } from '../../helpers/zipBuilder';
import { waitFor } from '../../helpers/wait';
import { buildZip, listTree } from '../../helpers/zipFiles';
import { expectUnpackError, UnpackTargets } from './unpackHarness';

/** A layer whose last entry has a bad CRC: everything before it is written, then the unpack fails. */
function failingLayer(): Buffer {
  return buildRawZip([
    { name: 'lib/', type: 'directory' },
    { name: 'lib/one.so', data: 'one' },
    { name: 'lib/two.so', data: 'two' },
    { name: 'zz/bad.so', data: 'bad', crc32: 1 },
  ]);
}

/**
 * This process's open files under `dir`. Only those: other suites sharing the process (sockets, child pipes)
 * open and close descriptors of their own meanwhile, so a count of all of them proves nothing.
 */
function openFilesUnder(dir: string): string[] {
  const real = fs.realpathSync(dir); // what /proc shows, even when the temp dir is reached through a symlink
  const open: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(`${real}/`)) open.push(target);
    } catch {
      // closed between the listing and the readlink: not open any more
    }
  }
  return open;
}

describe('archive: cleanup after a failure', () => {
  let box: UnpackTargets;
  beforeEach(() => { box = new UnpackTargets(); });
  afterEach(() => box.cleanup());

  it('removes everything the run wrote, across the function zip and earlier layers, and says how much', async () => {
    const fn = box.zip('fn.zip', await buildZip([
      { name: 'index.js', data: 'x' }, { name: 'lib/a.js', data: 'a' }, { name: 'link', symlinkTo: '/opt/x' },
    ]));
    const good = box.zip('good.zip', await buildZip([{ name: 'bin/tool', data: 'x', mode: 0o755 }]));
    const bad = box.zip('bad.zip', failingLayer());
    const err = await expectUnpackError(box.request(fn, [good, bad]));
    // The bad entry is checked before it is written, and the four entries run concurrently: depending on timing
    // lib/one.so and lib/two.so may or may not exist yet. Everything else is fixed.
    assert.match(err.message, new RegExp(`^Cannot unpack layer 2 ${bad}: entry "zz/bad\\.so" fails its CRC-32 check ` +
      '\\(the zip says 0x00000001, the data gives 0x[0-9a-f]{8}\\): the zip is corrupt\\. Removed everything this ' +
      'unpack had written \\([345] files, [56] directories, 1 link\\)\\.$'));
    assert.equal(err.entry, 'zz/bad.so');
    assert.equal(fs.existsSync(box.taskRoot), false);
    assert.equal(fs.existsSync(box.optDir), false);
  });

  it('keeps pre-existing content and puts back pre-existing files a layer had replaced', async () => {
    box.file('opt/lib/one.so', 'original one');
    box.file('opt/keep/me.txt', 'mine');
    fs.symlinkSync('me.txt', box.join('opt/keep/link'));
    const replacing = box.zip('replacing.zip', await buildZip([
      { name: 'lib/one.so', data: 'from layer 1' }, { name: 'keep/link', data: 'no longer a link' },
    ]));
    const before = listTree(box.optDir);
    const err = await expectUnpackError(box.request(undefined, [replacing, box.zip('bad.zip', failingLayer())]));
    assert.match(err.message, / Removed everything this unpack had written \(\d files?(, \d director(y|ies))?\) and put back 2 pre-existing files it had replaced\.$/);
    assert.deepEqual(listTree(box.optDir), before);
    assert.equal(fs.readFileSync(box.join('opt/lib/one.so'), 'utf8'), 'original one');
    assert.equal(fs.readlinkSync(box.join('opt/keep/link')), 'me.txt');
  });

  it('deletes the set-aside originals once an unpack that replaced them succeeds', async () => {
    box.file('opt/lib/one.so', 'original');
    const layer = box.zip('layer.zip', await buildZip([{ name: 'lib/one.so', data: 'new' }]));
    const report = await unpackAll(box.request(undefined, [layer]));
    assert.deepEqual(listTree(box.optDir), ['lib/', 'lib/one.so']);
    assert.equal(fs.readFileSync(box.join('opt/lib/one.so'), 'utf8'), 'new');
    assert.equal(report.zips[0].replaced, 1);
  });

  it('leaves the target exactly as it was when a streamed entry fails mid-way', async () => {
    box.file('task/existing.txt', 'mine');
    const big = Buffer.alloc(2_000_000, 'abc');
    const fn = box.zip('fn.zip', buildRawZip([
      ...Array.from({ length: 40 }, (_, i) => ({ name: `many/${i}.txt`, data: `file ${i}`, method: 8 as const })),
      { name: 'big/stream.bin', data: big, method: 8, crc32: 7 },
    ]));
    const err = await expectUnpackError(box.request(fn));
    assert.equal(err.kind, 'corrupt');
    assert.deepEqual(listTree(box.taskRoot), ['existing.txt']);
  });

  it('closes every zip file it opened, whether it succeeds or fails', async () => {
    const good = box.zip('good.zip', await buildZip([{ name: 'a', data: 'a' }, { name: 'b', data: Buffer.alloc(1_000_000) }]));
    const bad = box.zip('bad.zip', failingLayer());
    const notZip = box.zip('not.zip', Buffer.from('nope'));
    const big = Buffer.alloc(4_000_000, 'xyz');
    const badStream = box.zip('bad-stream.zip', buildRawZip([{ name: 'big.bin', data: big, method: 8, crc32: 3 }]));
    const zips = box.join('zips');
    // A failing unpack may settle a moment before the zip it failed on is closed (its close is asynchronous), so
    // each step waits, briefly, for every zip to be closed: a zip left open stays open and fails the wait.
    const allClosed = (after: string) => waitFor(`every zip closed after ${after}`, async () => {
      const open = openFilesUnder(zips);
      return open.length === 0 ? true : undefined;
    }, 2000).catch(() => assert.deepEqual(openFilesUnder(zips), [], `zips still open after ${after}`));
    await unpackAll(box.request(good, [good]));
    await allClosed('a successful unpack');
    await expectUnpackError(box.request(good, [good, bad]));
    await allClosed('a corrupt layer');
    await expectUnpackError(box.request(good, [notZip]));
    await allClosed('a layer that is not a zip');
    await expectUnpackError(box.request(badStream));
    await allClosed('a corrupt streamed entry');
    await expectUnpackError({ ...box.request(good, [bad]), workers: 'always' });
    await allClosed('a corrupt layer unpacked by worker threads');
  });

  it('reports what it could not remove', async () => {
    const archive: ArchiveRef = { role: 'layer', index: 1, file: box.join('l.zip'), target: box.optDir };
    const created = new CreatedPaths();
    fs.mkdirSync(box.join('opt/made'), { recursive: true });
    created.add(box.join('opt'), 'directory', archive);
    created.add(box.join('opt/made'), 'directory', archive);
    box.file('opt/made/foreign.txt', 'someone else wrote this meanwhile');
    box.file('opt/ours.txt', 'ours');
    created.add(box.join('opt/ours.txt'), 'file', archive);

    const undo = await created.undo();
    assert.deepEqual(undo.removed, { file: 1, directory: 0, symlink: 0 });
    assert.deepEqual(undo.leftovers, [`${box.join('opt/made')} (ENOTEMPTY)`, `${box.join('opt')} (ENOTEMPTY)`]);
    assert.equal(describeUndo(undo), ' Removed part of what this unpack had written (1 file). Could not clean up ' +
      `everything; still there: ${box.join('opt/made')} (ENOTEMPTY), ${box.join('opt')} (ENOTEMPTY).`);
    assert.equal(archiveLabel(archive), `layer 1 ${box.join('l.zip')}`);
  });
});
