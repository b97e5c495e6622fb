import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { buildRawZip, type RawEntry } from '../../helpers/zipBuilder';
import { listTree } from '../../helpers/zipFiles';
import { expectUnpackError, UnpackTargets } from './unpackHarness';

/** Deflated zeros whose header claims only `declared` bytes. */
function understated(name: string, actual: number, declared: number): RawEntry {
  const zeros = Buffer.alloc(actual);
  return { name, method: 8, rawData: zlib.deflateRawSync(zeros), declaredSize: declared, crc32: zlib.crc32(zeros.subarray(0, declared)) };
}

describe('archive: zip bombs', () => {
  let box: UnpackTargets;
  beforeEach(() => { box = new UnpackTargets(); });
  afterEach(() => box.cleanup());

  it('stops a small entry that inflates past its declared size, before writing it', async () => {
    const fn = box.zip('fn.zip', buildRawZip([understated('bomb.txt', 100_000, 1000)]));
    const err = await expectUnpackError(box.request(fn));
    assert.equal(err.message, `Cannot unpack function zip ${fn}: entry "bomb.txt" inflates to more than the 1000 bytes ` +
      'its header declares (stopped after 1001); the header lies (a zip bomb or a corrupt zip). ' +
      'Removed everything this unpack had written (1 directory).');
    assert.equal(err.kind, 'zip-bomb');
    assert.equal(err.entry, 'bomb.txt');
    assert.deepEqual(listTree(box.taskRoot), []);
  });

  it('stops a streamed entry as soon as it inflates past its declared size and removes the partial file', async () => {
    const fn = box.zip('fn.zip', buildRawZip([
      { name: 'fine.txt', data: 'fine' },
      understated('lib/bomb.bin', 8 * 1024 * 1024, 300_000),
    ]));
    const err = await expectUnpackError(box.request(fn));
    assert.match(err.message, new RegExp(`^Cannot unpack function zip ${fn}: entry "lib/bomb\\.bin" inflates to more ` +
      'than the 300000 bytes its header declares \\(stopped after (\\d+)\\); the header lies \\(a zip bomb or a corrupt ' +
      'zip\\)\\. Removed everything this unpack had written \\(\\d files?, \\d director(y|ies)\\)\\.$'));
    const stoppedAfter = Number(/stopped after (\d+)/.exec(err.message)?.[1]);
    assert.ok(stoppedAfter > 300_000 && stoppedAfter < 2 * 1024 * 1024, `stopped after ${stoppedAfter}`);
    assert.equal(err.kind, 'zip-bomb');
    assert.equal(box.taskRootExists(), false);
  });

  it('refuses an entry that claims more than deflate could produce from its compressed size', async () => {
    const fn = box.zip('fn.zip', buildRawZip([
      { name: 'liar.bin', method: 8, rawData: Buffer.alloc(100), declaredSize: 100_000_000 },
    ]));
    const err = await expectUnpackError(box.request(fn));
    assert.equal(err.message, `Cannot unpack function zip ${fn}: entry "liar.bin" declares 100000000 bytes from 100 ` +
      'compressed bytes, more than deflate can produce; its header lies (a zip bomb or a corrupt zip). Nothing was written.');
    assert.equal(err.kind, 'zip-bomb');
  });

  it('refuses entries that share one blob of compressed data (overlapping entries)', async () => {
    const payload = Buffer.alloc(200_000);
    const entries: RawEntry[] = [{ name: 'kernel.bin', method: 8, data: payload }];
    for (let i = 1; i <= 10; i++) entries.push({ name: `copy-${i}.bin`, method: 8, data: payload, shareDataWith: 0 });
    const fn = box.zip('fn.zip', buildRawZip(entries));
    const err = await expectUnpackError(box.request(fn));
    assert.match(err.message, new RegExp(`^Cannot unpack function zip ${fn}: entry "[a-z0-9-]+\\.bin" overlaps the ` +
      'data of entry "[a-z0-9-]+\\.bin"; entries sharing data are a zip bomb technique \\(or the zip is corrupt\\)\\. ' +
      'Nothing was written\\.$'));
    assert.equal(err.kind, 'zip-bomb');
  });
});
