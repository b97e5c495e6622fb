import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { MAX_UNZIPPED_BYTES } from '../../../src/archive/unpack';
import { buildRawZip, type RawEntry } from '../../helpers/zipBuilder';
import { listTree } from '../../helpers/zipFiles';
import { expectUnpackError, UnpackTargets } from './unpackHarness';

/** A stored entry that claims `size` bytes without carrying them: the central directory alone makes it big. */
function claims(name: string, size: number): RawEntry {
  return { name, data: 'tiny', declaredSize: size, declaredCompressedSize: size };
}

describe('archive: the 250 MB budget and the layer count', () => {
  let box: UnpackTargets;
  beforeEach(() => { box = new UnpackTargets(); });
  afterEach(() => box.cleanup());

  it('uses the quota from the spec', () => {
    assert.equal(MAX_UNZIPPED_BYTES, 262_144_000);
  });

  it('refuses more than 5 layers with the service message, before opening any zip', async () => {
    const layers = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => box.join(`missing-${n}.zip`));
    const err = await expectUnpackError(box.request(undefined, layers));
    assert.equal(err.message, `Cannot reference more than 5 layers. 6 layer zips were given: ${layers.join(', ')}. ` +
      'Nothing was written.');
    assert.equal(err.kind, 'too-many-layers');
    assert.equal(err.file, layers[5]);
  });

  it('refuses a function zip that declares the whole quota (>=), from the central directory alone', async () => {
    const fn = box.zip('fn.zip', buildRawZip([{ name: 'a.txt', data: 'a' }, claims('huge.bin', MAX_UNZIPPED_BYTES - 1)]));
    const err = await expectUnpackError(box.request(fn));
    assert.equal(err.message, `Unzipped size must be smaller than 262144000 bytes (function zip ${fn} unzips to ` +
      '262144000 bytes). Nothing was written.');
    assert.equal(err.kind, 'too-large');
    assert.equal(err.file, fn);
    assert.deepEqual(listTree(box.taskRoot), []);
  });

  it('lets a function zip one byte under the quota past the budget check (it then fails on its missing data)', async () => {
    const fn = box.zip('fn.zip', buildRawZip([claims('huge.bin', MAX_UNZIPPED_BYTES - 1)]));
    const err = await expectUnpackError(box.request(fn));
    assert.equal(err.kind, 'corrupt');
    assert.match(err.message, /entry "huge\.bin" has data that runs into the central directory or past the end of the file/);
  });

  it('refuses many honest, highly compressible entries that add up to more than the quota', async () => {
    const mebibyte = Buffer.alloc(1 << 20);
    const deflated = zlib.deflateRawSync(mebibyte, { level: 9 });
    const entries: RawEntry[] = Array.from({ length: 300 }, (_, i) => ({
      name: `zeros/${i}.bin`, method: 8, rawData: deflated, declaredSize: mebibyte.length, crc32: zlib.crc32(mebibyte),
    }));
    const fn = box.zip('fn.zip', buildRawZip(entries));
    const err = await expectUnpackError(box.request(fn));
    assert.equal(err.message, `Unzipped size must be smaller than 262144000 bytes (function zip ${fn} unzips to ` +
      `${300 * (1 << 20)} bytes). Nothing was written.`);
  });

  it('refuses function plus layers over the quota with the combined message and the actual size', async () => {
    const fn = box.zip('fn.zip', buildRawZip([claims('code.bin', 200_000_000)]));
    const one = box.zip('one.zip', buildRawZip([claims('lib.so', 50_000_000)]));
    const two = box.zip('two.zip', buildRawZip([claims('more.so', 12_144_001), { name: 'x', data: '' }]));
    const err = await expectUnpackError(box.request(fn, [one, two]));
    assert.equal(err.message, 'Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. ' +
      'The actual size is 262144001 bytes. ' +
      `Unzipped sizes: function zip ${fn}: 200000000 bytes; layer 1 ${one}: 50000000 bytes; layer 2 ${two}: 12144001 bytes. ` +
      'Nothing was written.');
    assert.equal(err.kind, 'too-large');
    assert.equal(err.file, two, 'the zip that crossed the quota');
  });

  it('allows function plus layers of exactly the quota past the budget check', async () => {
    const fn = box.zip('fn.zip', buildRawZip([claims('code.bin', 200_000_000)]));
    const one = box.zip('one.zip', buildRawZip([claims('lib.so', 62_144_000)]));
    const err = await expectUnpackError(box.request(fn, [one]));
    assert.equal(err.kind, 'corrupt');
  });

  it('counts layers alone against the quota too', async () => {
    const one = box.zip('one.zip', buildRawZip([claims('a', 200_000_000)]));
    const two = box.zip('two.zip', buildRawZip([claims('b', 100_000_000)]));
    const err = await expectUnpackError(box.request(undefined, [one, two]));
    assert.ok(err.message.startsWith('Function code combined with layers exceeds the maximum allowed size of ' +
      '262144000 bytes. The actual size is 300000000 bytes. '), err.message);
  });
});
