import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { MAX_UNZIPPED_BYTES, unpackAll } from '../../../src/archive/unpack';
import { buildRawZip, type RawEntry } from '../../helpers/zipBuilder';
import { expectUnpackError, UnpackTargets } from './unpackHarness';

const MIB = 1 << 20;
const ZEROS = Buffer.alloc(MIB);
const DEFLATED_ZEROS = zlib.deflateRawSync(ZEROS, { level: 9 });
const ZEROS_CRC = zlib.crc32(ZEROS);

/**
 * A real, honest zip that unzips to exactly `bytes`: 1 MiB files of zeros (about 1 KB each deflated) plus one
 * shorter file for the rest, so a zip at the 250 MB quota is well under a megabyte.
 */
function zerosZip(bytes: number, prefix: string): Buffer {
  const entries: RawEntry[] = [];
  for (let i = 0; (i + 1) * MIB <= bytes; i++) {
    entries.push({ name: `${prefix}/${i}.bin`, method: 8, rawData: DEFLATED_ZEROS, declaredSize: MIB, crc32: ZEROS_CRC });
  }
  const rest = bytes % MIB;
  if (rest > 0) entries.push({ name: `${prefix}/rest.bin`, method: 8, data: Buffer.alloc(rest) });
  return buildRawZip(entries);
}

function unzippedBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(`${entry.parentPath}/${entry.name}`).size;
  }
  return total;
}

/**
 * Lambda's 250 MB quota is a maximum for function code plus layers: exactly 262,144,000 bytes unzipped is allowed,
 * one byte more is refused, whether it is the function alone or the function with layers (issue 10, defect 9).
 * These unpack real zips, so the exact-quota cases write 250 MiB each.
 */
describe('archive: the 250 MB quota boundary, with real zips', function () {
  this.timeout(120_000);
  let box: UnpackTargets;
  beforeEach(() => { box = new UnpackTargets(); });
  afterEach(() => box.cleanup());

  it('unpacks a function zip of exactly the quota', async () => {
    const fn = box.zip('fn.zip', zerosZip(MAX_UNZIPPED_BYTES, 'code'));
    const report = await unpackAll(box.request(fn));
    assert.equal(report.totalBytes, MAX_UNZIPPED_BYTES);
    assert.equal(unzippedBytes(box.taskRoot), MAX_UNZIPPED_BYTES);
  });

  it('refuses a function zip of the quota plus one byte, before writing anything', async () => {
    const fn = box.zip('fn.zip', zerosZip(MAX_UNZIPPED_BYTES + 1, 'code'));
    const err = await expectUnpackError(box.request(fn));
    assert.equal(err.kind, 'too-large');
    assert.equal(err.message, `Unzipped size must be smaller than 262144000 bytes (function zip ${fn} unzips to ` +
      '262144001 bytes). Nothing was written.');
    assert.equal(box.taskRootExists(), false);
  });

  it('unpacks a function zip and a layer that add up to exactly the quota', async () => {
    const fn = box.zip('fn.zip', zerosZip(200 * MIB, 'code'));
    const layer = box.zip('layer.zip', zerosZip(MAX_UNZIPPED_BYTES - 200 * MIB, 'lib'));
    const report = await unpackAll(box.request(fn, [layer]));
    assert.equal(report.totalBytes, MAX_UNZIPPED_BYTES);
    assert.equal(unzippedBytes(box.taskRoot) + unzippedBytes(box.optDir), MAX_UNZIPPED_BYTES);
  });

  it('refuses a function zip and a layer that add up to the quota plus one byte, before writing anything', async () => {
    const fn = box.zip('fn.zip', zerosZip(200 * MIB, 'code'));
    const layer = box.zip('layer.zip', zerosZip(MAX_UNZIPPED_BYTES - 200 * MIB + 1, 'lib'));
    const err = await expectUnpackError(box.request(fn, [layer]));
    assert.equal(err.kind, 'too-large');
    assert.ok(err.message.startsWith('Function code combined with layers exceeds the maximum allowed size of 262144000 ' +
      'bytes. The actual size is 262144001 bytes. '), err.message);
    assert.equal(err.file, layer);
    assert.equal(box.taskRootExists(), false);
    assert.equal(fs.existsSync(box.optDir), false);
  });
});
