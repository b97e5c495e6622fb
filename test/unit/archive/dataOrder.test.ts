import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { unpackAll } from '../../../src/archive/unpack';
import type { CentralEntry } from '../../../src/archive/centralDirectory';
import { inDataOrder, type PlannedEntry } from '../../../src/archive/zipPlan';
import { buildRawZip, type RawEntry } from '../../helpers/zipBuilder';
import { expectUnpackError, UnpackTargets } from './unpackHarness';

function planned(name: string, offset: number): PlannedEntry {
  const entry: CentralEntry = {
    name, versionMadeBy: 0, generalPurposeBitFlag: 0, compressionMethod: 0, crc32: 0, compressedSize: 0,
    uncompressedSize: 0, externalFileAttributes: 0, relativeOffsetOfLocalHeader: offset,
  };
  return { entry, name, path: name, kind: 'file', mode: 0o644, size: 0, dataLimit: 0 };
}

describe('unpack: entries in the order of their data', () => {
  it('keeps a central directory that is in data order as it is, without a copy', () => {
    const entries = [planned('a', 0), planned('b', 40), planned('c', 90)];
    assert.equal(inDataOrder(entries), entries);
  });

  it('sorts a copy when the central directory lists the entries in another order', () => {
    const entries = [planned('c', 90), planned('a', 0), planned('b', 40)];
    const sorted = inDataOrder(entries);
    assert.deepEqual(sorted.map((p) => p.name), ['a', 'b', 'c']);
    assert.deepEqual(entries.map((p) => p.name), ['c', 'a', 'b'], 'the plan itself keeps its order');
  });

  it('treats two entries at one offset as out of order, so that the overlap check sees them side by side', () => {
    const entries = [planned('a', 0), planned('b', 40), planned('c', 90), planned('twin', 40)];
    assert.deepEqual(inDataOrder(entries).map((p) => p.name), ['a', 'b', 'twin', 'c']);
  });

  describe('a whole zip whose central directory is not in data order', () => {
    let box: UnpackTargets;
    beforeEach(() => {
      box = new UnpackTargets();
    });
    afterEach(() => box.cleanup());

    const members: RawEntry[] = [
      { name: 'lib/', type: 'directory' },
      { name: 'lib/a.js', data: 'module.exports = 1;\n'.repeat(50), method: 8 },
      { name: 'index.js', data: 'exports.handler = async () => 2;\n' },
    ];

    it('is unpacked whole', async () => {
      const zip = box.zip('fn.zip', buildRawZip(members, { centralOrder: [2, 1, 0] }));
      await unpackAll(box.request(zip));
      assert.equal(fs.readFileSync(box.join('task', 'lib', 'a.js'), 'utf8'), 'module.exports = 1;\n'.repeat(50));
      assert.equal(fs.readFileSync(box.join('task', 'index.js'), 'utf8'), 'exports.handler = async () => 2;\n');
    });

    it('is still refused when two entries share data', async () => {
      const shared = [...members, { ...members[1], name: 'copy.js', shareDataWith: 1 }];
      const zip = box.zip('fn.zip', buildRawZip(shared, { centralOrder: [3, 2, 1, 0] }));
      const error = await expectUnpackError(box.request(zip));
      assert.equal(error.kind, 'zip-bomb');
      assert.ok(!box.taskRootExists(), 'nothing written');
    });
  });
});
