import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { buildRawZip } from '../../helpers/zipBuilder';
import { buildZip, listTree } from '../../helpers/zipFiles';
import { expectUnpackError, UnpackTargets } from './unpackHarness';

describe('archive: unreadable, non-zip, truncated and corrupt files', () => {
  let box: UnpackTargets;
  beforeEach(() => { box = new UnpackTargets(); });
  afterEach(() => box.cleanup());

  it('names a missing zip file', async () => {
    const missing = box.join('nope.zip');
    const err = await expectUnpackError(box.request(missing));
    assert.equal(err.message, `Cannot unpack function zip ${missing}: the file does not exist. Nothing was written.`);
    assert.equal(err.kind, 'unreadable');
    assert.equal(err.file, missing);
    assert.equal(err.entry, undefined);
  });

  it('names a layer that is a directory, an empty file, or not a zip', async () => {
    const good = box.zip('good.zip', await buildZip([{ name: 'a', data: 'a' }]));
    fs.mkdirSync(box.join('dir.zip'));
    let err = await expectUnpackError(box.request(good, [good, box.join('dir.zip')]));
    assert.equal(err.message, `Cannot unpack layer 2 ${box.join('dir.zip')}: it is a directory, not a zip file. Nothing was written.`);
    assert.equal(err.kind, 'not-a-zip');

    const empty = box.zip('empty.zip', Buffer.alloc(0));
    err = await expectUnpackError(box.request(undefined, [empty]));
    assert.equal(err.message, `Cannot unpack layer 1 ${empty}: the file is empty, not a zip file. Nothing was written.`);

    const text = box.zip('readme.zip', Buffer.from('this is not a zip file\n'.repeat(100)));
    err = await expectUnpackError(box.request(text));
    assert.equal(err.message, `Cannot unpack function zip ${text}: it is not a zip file (no end-of-central-directory ` +
      'record; a truncated zip looks the same). Nothing was written.');
    assert.equal(err.kind, 'not-a-zip');
  });

  it('refuses a zip cut short, wherever it is cut', async () => {
    const whole = await buildZip([
      { name: 'a.txt', data: 'a'.repeat(5000) }, { name: 'b/c.txt', data: 'hello world' }, { name: 'd', symlinkTo: 'a.txt' },
    ]);
    for (const length of [10, 100, whole.length - 120, whole.length - 30, whole.length - 1]) {
      const zip = box.zip(`cut-${length}.zip`, whole.subarray(0, length));
      const err = await expectUnpackError(box.request(zip));
      assert.ok(['not-a-zip', 'corrupt'].includes(err.kind), `${length}: ${err.kind} ${err.message}`);
      assert.ok(err.message.startsWith(`Cannot unpack function zip ${zip}: `), err.message);
      assert.ok(err.message.endsWith(' Nothing was written.'), err.message);
      assert.deepEqual(listTree(box.taskRoot), []);
    }
  });

  it('refuses a central directory that points outside the file', async () => {
    const zip = buildRawZip([{ name: 'a.txt', data: 'abc' }]);
    zip.writeUInt32LE(0x7fff0000, zip.length - 22 + 16); // offset of the central directory
    const file = box.zip('bad-cd.zip', zip);
    const err = await expectUnpackError(box.request(file));
    assert.equal(err.kind, 'corrupt');
    assert.match(err.message, /^Cannot unpack function zip .*: the zip's central directory is corrupt or truncated \(.+\)\. Nothing was written\.$/);
  });

  it('refuses an entry whose data would run past its place in the file', async () => {
    const zip = box.zip('short.zip', buildRawZip([{ name: 'a.txt', data: 'abc', declaredSize: 5000, declaredCompressedSize: 5000 }]));
    const err = await expectUnpackError(box.request(zip));
    assert.equal(err.message, `Cannot unpack function zip ${zip}: entry "a.txt" has data that runs into the central ` +
      'directory or past the end of the file (the zip is truncated or corrupt). Nothing was written.');
    assert.equal(err.kind, 'corrupt');
    assert.equal(err.entry, 'a.txt');
  });

  it('refuses a stored entry whose two sizes disagree', async () => {
    const zip = box.zip('sizes.zip', buildRawZip([{ name: 'a.txt', data: 'abc', declaredSize: 2 }]));
    const err = await expectUnpackError(box.request(zip));
    assert.match(err.message, /entry "a\.txt" is stored uncompressed but declares 3 bytes in the zip and 2 bytes unzipped \(the zip is corrupt\)\. Nothing was written\.$/);
  });

  it('refuses a bad CRC, for a small entry and for a streamed one, leaving nothing behind', async () => {
    const big = Buffer.alloc(600_000, 'abcdefgh');
    for (const entry of [
      { name: 'small.txt', data: 'hello', method: 8 as const, crc32: 0x12345678 },
      { name: 'big.bin', data: big, method: 8 as const, crc32: 0x12345678 },
      { name: 'big-stored.bin', data: big, crc32: 0x12345678 },
    ]) {
      const zip = box.zip(`crc-${entry.name}.zip`, buildRawZip([{ name: 'ok.txt', data: 'ok' }, entry]));
      const err = await expectUnpackError(box.request(zip));
      const actual = zlib.crc32(Buffer.from(entry.data)).toString(16).padStart(8, '0');
      assert.match(err.message, new RegExp(`^Cannot unpack function zip ${zip}: entry "${entry.name}" fails its CRC-32 ` +
        `check \\(the zip says 0x12345678, the data gives 0x${actual}\\): the zip is corrupt\\. Removed everything ` +
        'this unpack had written \\(.*\\)\\.$'));
      assert.equal(err.kind, 'corrupt');
      assert.equal(box.taskRootExists(), false);
    }
  });

  it('refuses corrupt deflate data and a deflate stream shorter than declared', async () => {
    let zip = box.zip('garbage.zip', buildRawZip([{ name: 'g.bin', method: 8, rawData: Buffer.from([0xff, 0xff, 0xff, 0xff]), declaredSize: 10 }]));
    let err = await expectUnpackError(box.request(zip));
    assert.match(err.message, /entry "g\.bin" has corrupt compressed data \(.+\); the zip is truncated or corrupt\./);
    assert.equal(err.kind, 'corrupt');

    const text = Buffer.from('x'.repeat(1000));
    zip = box.zip('short.zip', buildRawZip([{ name: 's.txt', method: 8, data: text, declaredSize: 2000 }]));
    err = await expectUnpackError(box.request(zip));
    assert.match(err.message, /entry "s\.txt" inflates to 1000 bytes but its header declares 2000 \(the zip is truncated or corrupt\)\./);

    const deflated = zlib.deflateRawSync(randomBytes(400_000));
    zip = box.zip('cut-stream.zip', buildRawZip([{ name: 'c.bin', method: 8, rawData: deflated.subarray(0, deflated.length >> 1), declaredSize: 400_000 }]));
    err = await expectUnpackError(box.request(zip));
    assert.equal(err.kind, 'corrupt');
    assert.match(err.message, /entry "c\.bin" (has corrupt compressed data|inflates to \d+ bytes but its header declares 400000)/);
  });

  it('refuses an entry whose local header is missing', async () => {
    const zip = buildRawZip([{ name: 'a.txt', data: 'abcdefgh'.repeat(10) }, { name: 'b.txt', data: 'b' }]);
    zip.writeUInt32LE(0xdeadbeef, 0);
    const file = box.zip('no-local.zip', zip);
    const err = await expectUnpackError(box.request(file));
    assert.match(err.message, /entry "a\.txt" has no local header at offset 0 \(the zip is corrupt\)\./);
  });
});
