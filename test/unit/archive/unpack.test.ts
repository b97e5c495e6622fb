import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describeUnpack, unpackAll } from '../../../src/archive/unpack';
import { buildRawZip } from '../../helpers/zipBuilder';
import { buildZip, listTree } from '../../helpers/zipFiles';
import { UnpackTargets } from './unpackHarness';

function modeOf(file: string): number {
  return fs.lstatSync(file).mode & 0o7777;
}

describe('archive: unpacking well-formed zips', () => {
  let box: UnpackTargets;
  beforeEach(() => { box = new UnpackTargets(); });
  afterEach(() => box.cleanup());

  it('extracts files, directories and symbolic links with their modes', async () => {
    const zip = box.zip('fn.zip', await buildZip([
      { name: 'bootstrap', data: '#!/bin/sh\necho hi\n', mode: 0o755 },
      { name: 'index.js', data: 'exports.handler = 1;\n' },
      { name: 'secret.txt', data: 'x', mode: 0o600 },
      { name: 'lib/deep/nested/util.js', data: 'module.exports = 2;\n' },
      { name: 'empty/', directory: true },
      { name: 'locked/', directory: true, mode: 0o700 },
      { name: 'node_modules/.bin/tool', symlinkTo: '../tool/cli.js' },
      { name: 'shared', symlinkTo: '/opt/nodejs/node_modules' },
      { name: 'scratch', symlinkTo: '/tmp/scratch' },
    ]));
    const report = await unpackAll(box.request(zip));

    assert.deepEqual(listTree(box.taskRoot), [
      'bootstrap', 'empty/', 'index.js', 'lib/', 'lib/deep/', 'lib/deep/nested/', 'lib/deep/nested/util.js',
      'locked/', 'node_modules/', 'node_modules/.bin/', 'node_modules/.bin/tool -> ../tool/cli.js',
      'scratch -> /tmp/scratch', 'secret.txt', 'shared -> /opt/nodejs/node_modules',
    ]);
    assert.equal(fs.readFileSync(box.join('task/bootstrap'), 'utf8'), '#!/bin/sh\necho hi\n');
    assert.equal(modeOf(box.join('task/bootstrap')), 0o755);
    assert.equal(modeOf(box.join('task/index.js')), 0o644);
    assert.equal(modeOf(box.join('task/secret.txt')), 0o600);
    assert.equal(modeOf(box.join('task/locked')), 0o700);
    assert.equal(modeOf(box.join('task/lib/deep')), 0o755);
    assert.equal(report.files, 4);
    assert.equal(report.directories, 2);
    assert.equal(report.symlinks, 3);
    assert.equal(report.zips.length, 1);
    assert.equal(report.zips[0].role, 'function');
  });

  it('keeps exact modes even when the umask would trim them', async () => {
    const zip = box.zip('fn.zip', await buildZip([
      { name: 'shared-writable', data: 'x', mode: 0o666 },
      { name: 'group-dir/', directory: true, mode: 0o775 },
    ]));
    const previous = process.umask(0o022);
    try {
      await unpackAll(box.request(zip));
    } finally {
      process.umask(previous);
    }
    assert.equal(modeOf(box.join('task/shared-writable')), 0o666);
    assert.equal(modeOf(box.join('task/group-dir')), 0o775);
  });

  it('gives 0644 files and 0755 directories to zips not made on unix, and drops setuid bits', async () => {
    const zip = box.zip('fn.zip', buildRawZip([
      { name: 'win/', host: 0 },
      { name: 'win/app.js', data: 'x', host: 0 },
      { name: 'unix-no-mode.js', data: 'x', externalAttributes: 0 },
      { name: 'suid', data: 'x', mode: 0o4755 },
    ]));
    await unpackAll(box.request(zip));
    assert.equal(modeOf(box.join('task/win')), 0o755);
    assert.equal(modeOf(box.join('task/win/app.js')), 0o644);
    assert.equal(modeOf(box.join('task/unix-no-mode.js')), 0o644);
    assert.equal(modeOf(box.join('task/suid')), 0o755);
  });

  it('extracts stored, deflated, empty, large (streamed) and UTF-8 named entries byte for byte', async () => {
    const large = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < large.length; i++) large[i] = (i * 7919) % 251;
    const random = fs.readFileSync(__filename); // something that does not compress to nothing
    const zip = box.zip('fn.zip', await buildZip([
      { name: 'stored.bin', data: random, compress: false },
      { name: 'deflated.txt', data: 'hello '.repeat(1000) },
      { name: 'empty.txt', data: '' },
      { name: 'large.bin', data: large },
      { name: 'large-stored.bin', data: large, compress: false },
      { name: 'ünïcödé/名前.txt', data: 'utf8' },
    ]));
    const report = await unpackAll(box.request(zip));
    assert.deepEqual(fs.readFileSync(box.join('task/stored.bin')), random);
    assert.equal(fs.readFileSync(box.join('task/deflated.txt'), 'utf8'), 'hello '.repeat(1000));
    assert.equal(fs.readFileSync(box.join('task/empty.txt')).length, 0);
    assert.ok(fs.readFileSync(box.join('task/large.bin')).equals(large));
    assert.ok(fs.readFileSync(box.join('task/large-stored.bin')).equals(large));
    assert.equal(fs.readFileSync(box.join('task/ünïcödé/名前.txt'), 'utf8'), 'utf8');
    assert.equal(report.totalBytes, random.length + 6000 + 2 * large.length + 4);
  });

  it('normalises "./" prefixes and doubled slashes and ignores an entry for the root itself', async () => {
    const zip = box.zip('fn.zip', buildRawZip([
      { name: './' },
      { name: './a//b.txt', data: 'b' },
    ]));
    await unpackAll(box.request(zip));
    assert.deepEqual(listTree(box.taskRoot), ['a/', 'a/b.txt']);
  });

  it('applies layers to the opt directory in order, later files overriding earlier ones', async () => {
    const one = box.zip('one.zip', await buildZip([
      { name: 'bin/tool', data: 'one', mode: 0o755 },
      { name: 'lib/a.so', data: 'a from one' },
      { name: 'python/x.py', data: 'x' },
      { name: 'conf', symlinkTo: 'conf.one' },
    ]));
    const two = box.zip('two.zip', await buildZip([
      { name: 'lib/a.so', data: 'a from two' },
      { name: 'lib/b.so', data: 'b' },
      { name: 'conf', data: 'now a file' },
    ]));
    const three = box.zip('three.zip', await buildZip([
      { name: 'bin/tool', data: 'three', mode: 0o700 },
      { name: 'lib/b.so', symlinkTo: 'a.so' },
    ]));
    const fn = box.zip('fn.zip', await buildZip([{ name: 'index.js', data: 'fn' }]));
    const report = await unpackAll(box.request(fn, [one, two, three]));

    assert.deepEqual(listTree(box.optDir), [
      'bin/', 'bin/tool', 'conf', 'lib/', 'lib/a.so', 'lib/b.so -> a.so', 'python/', 'python/x.py',
    ]);
    assert.equal(fs.readFileSync(box.join('opt/bin/tool'), 'utf8'), 'three');
    assert.equal(modeOf(box.join('opt/bin/tool')), 0o700);
    assert.equal(fs.readFileSync(box.join('opt/lib/a.so'), 'utf8'), 'a from two');
    assert.equal(fs.readFileSync(box.join('opt/conf'), 'utf8'), 'now a file');
    assert.deepEqual(listTree(box.taskRoot), ['index.js']);
    assert.deepEqual(report.zips.map((z) => [z.role, z.index, z.replaced]),
      [['function', 0, 0], ['layer', 1, 0], ['layer', 2, 2], ['layer', 3, 2]]);
  });

  it('replaces a link from an earlier layer without writing through it', async () => {
    const outside = box.file('outside/target.txt', 'untouched');
    const one = box.zip('one.zip', await buildZip([{ name: 'config.json', symlinkTo: outside }]));
    const two = box.zip('two.zip', await buildZip([{ name: 'config.json', data: '{"layer":2}' }]));
    await unpackAll(box.request(undefined, [one, two]));
    assert.ok(fs.lstatSync(box.join('opt/config.json')).isFile());
    assert.equal(fs.readFileSync(outside, 'utf8'), 'untouched');
  });

  it('merges into pre-existing directories and leaves content it did not write alone', async () => {
    box.file('opt/mounted/keep.txt', 'mine');
    box.file('opt/lib/keep.so', 'mine too');
    const layer = box.zip('layer.zip', await buildZip([
      { name: 'lib/new.so', data: 'new' },
      { name: 'extensions/ext', data: '#!/bin/sh\n', mode: 0o755 },
    ]));
    await unpackAll(box.request(undefined, [layer]));
    assert.deepEqual(listTree(box.optDir), [
      'extensions/', 'extensions/ext', 'lib/', 'lib/keep.so', 'lib/new.so', 'mounted/', 'mounted/keep.txt',
    ]);
    assert.equal(fs.readFileSync(box.join('opt/lib/keep.so'), 'utf8'), 'mine too');
  });

  it('can unpack again over its own earlier result (a restarted container)', async () => {
    const fn = box.zip('fn.zip', await buildZip([
      { name: 'index.js', data: 'v1' }, { name: 'lib/', directory: true }, { name: 'link', symlinkTo: 'index.js' },
    ]));
    await unpackAll(box.request(fn));
    const report = await unpackAll(box.request(fn));
    assert.deepEqual(listTree(box.taskRoot), ['index.js', 'lib/', 'link -> index.js']);
    assert.equal(report.zips[0].replaced, 2);
    assert.deepEqual(report.warnings, []);
  });

  it('creates missing target directories', async () => {
    const fn = box.zip('fn.zip', await buildZip([{ name: 'a.txt', data: 'a' }]));
    await unpackAll({ functionZip: fn, layers: [], taskRoot: box.join('deep/er/task'), optDir: box.optDir });
    assert.deepEqual(listTree(box.join('deep')), ['er/', 'er/task/', 'er/task/a.txt']);
  });

  it('does nothing for no zips and describes what it unpacked in one line', async () => {
    const none = await unpackAll(box.request(undefined));
    assert.equal(describeUnpack(none), 'nothing to unpack (no function zip, no layers)');
    assert.equal(fs.existsSync(box.taskRoot), false);

    const fn = box.zip('fn.zip', await buildZip([
      { name: 'a.txt', data: 'a'.repeat(2048) }, { name: 'l', symlinkTo: 'a.txt' },
    ]));
    const layer = box.zip('layer.zip', await buildZip([{ name: 'bin/x', data: 'x' }]));
    const report = await unpackAll(box.request(fn, [layer]));
    const line = describeUnpack(report);
    assert.match(line, new RegExp(`^unpacked 2 zips \\(2 files, 1 link, 2\\.0 KB\\) in \\d+ ms: ` +
      `function ${escape(fn)} -> ${escape(box.taskRoot)} \\(1 file, 1 link, 2\\.0 KB\\); ` +
      `layer 1 ${escape(layer)} -> ${escape(box.optDir)} \\(1 file, 0\\.0 KB\\)$`));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
