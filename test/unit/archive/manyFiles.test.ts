import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { unpackAll } from '../../../src/archive/unpack';
import { buildRawZip, type RawEntry } from '../../helpers/zipBuilder';
import { listTree } from '../../helpers/zipFiles';
import { expectUnpackError, UnpackTargets } from './unpackHarness';

/** More than two batches (128 files each). */
const COUNT = 300;

function manyFiles(bad?: number): RawEntry[] {
  return Array.from({ length: COUNT }, (_, i) => ({
    name: `pkg${i % 30}/lib/file${i}.js`,
    data: `module.exports = ${i};\n`.repeat(1 + (i % 50)),
    method: i % 3 === 0 ? 0 : 8,
    mode: i % 5 === 0 ? 0o755 : 0o644,
    ...(i === bad ? { crc32: 0xbad } : {}),
  }));
}

for (const workers of ['always', 'never'] as const) describe(`archive: zips with many small files (workers: ${workers})`, () => {
  let box: UnpackTargets;
  beforeEach(() => { box = new UnpackTargets(); });
  afterEach(() => box.cleanup());

  it('writes every file with its content and mode, replacing files that were already there', async () => {
    box.file('task/pkg7/lib/file7.js', 'stale');
    const fn = box.zip('fn.zip', buildRawZip(manyFiles()));
    const report = await unpackAll({ ...box.request(fn), workers });
    assert.equal(report.files, COUNT);
    assert.equal(report.zips[0].replaced, 1);
    for (let i = 0; i < COUNT; i++) {
      const file = box.join(`task/pkg${i % 30}/lib/file${i}.js`);
      assert.equal(fs.readFileSync(file, 'utf8'), `module.exports = ${i};\n`.repeat(1 + (i % 50)));
      assert.equal(fs.statSync(file).mode & 0o777, i % 5 === 0 ? 0o755 : 0o644);
    }
    assert.equal(listTree(box.taskRoot).length, COUNT + 60);
  });

  it('overrides an earlier layer file by file', async () => {
    const one = box.zip('one.zip', buildRawZip(manyFiles()));
    const two = box.zip('two.zip', buildRawZip([{ name: 'pkg1/lib/file1.js', data: 'from layer 2' }]));
    const three = box.zip('three.zip', buildRawZip(manyFiles().map((e, i) => (i === 31 ? { ...e, data: 'from layer 3' } : e))));
    const report = await unpackAll({ ...box.request(undefined, [one, two, three]), workers });
    assert.equal(fs.readFileSync(box.join('opt/pkg1/lib/file1.js'), 'utf8'), 'module.exports = 1;\n'.repeat(2));
    assert.equal(fs.readFileSync(box.join('opt/pkg1/lib/file31.js'), 'utf8'), 'from layer 3');
    assert.deepEqual(report.zips.map((z) => z.replaced), [0, 1, COUNT]);
  });

  it('stops at a corrupt entry and leaves the target as it was', async () => {
    box.file('task/pkg7/lib/file7.js', 'stale');
    box.file('task/mine.txt', 'mine');
    const before = listTree(box.taskRoot);
    const fn = box.zip('fn.zip', buildRawZip(manyFiles(200)));
    const err = await expectUnpackError({ ...box.request(fn), workers });
    assert.match(err.message, new RegExp(`^Cannot unpack function zip ${fn}: entry "pkg20/lib/file200\\.js" fails its ` +
      'CRC-32 check \\(the zip says 0x00000bad, the data gives 0x[0-9a-f]{8}\\): the zip is corrupt\\. Removed ' +
      'everything this unpack had written \\(\\d+ files, \\d+ directories\\)( and put back 1 pre-existing file it had replaced)?\\.$'));
    assert.deepEqual(listTree(box.taskRoot), before);
    assert.equal(fs.readFileSync(box.join('task/pkg7/lib/file7.js'), 'utf8'), 'stale');
  });
});
