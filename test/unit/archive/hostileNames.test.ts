import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { buildRawZip, type RawEntry } from '../../helpers/zipBuilder';
import { buildZip, listTree } from '../../helpers/zipFiles';
import { expectUnpackError, UnpackTargets } from './unpackHarness';

describe('archive: hostile entry names and layouts are refused before anything is written', () => {
  let box: UnpackTargets;
  beforeEach(() => { box = new UnpackTargets(); });
  afterEach(() => box.cleanup());

  async function refuse(entries: RawEntry[]): Promise<{ message: string; kind: string; entry?: string; zip: string }> {
    const zip = box.zip('evil.zip', buildRawZip([{ name: 'ok.txt', data: 'fine' }, ...entries]));
    const err = await expectUnpackError(box.request(zip));
    assert.equal(err.file, zip);
    assert.deepEqual(listTree(box.taskRoot), [], 'nothing may be written');
    return { message: err.message, kind: err.kind, entry: err.entry, zip };
  }

  const traversal = ' has a ".." path component, which could place it outside the target directory. Nothing was written.';
  for (const name of ['../escape.txt', 'a/../../escape.txt', 'a/b/..', '..', '..\\escape.txt', 'a\\..\\..\\x']) {
    it(`refuses the traversal ${JSON.stringify(name)}`, async () => {
      const { message, kind, entry, zip } = await refuse([{ name, data: 'x' }]);
      assert.equal(message, `Cannot unpack function zip ${zip}: entry ${JSON.stringify(name)}${traversal}`);
      assert.equal(kind, 'unsafe-name');
      assert.equal(entry, name);
    });
  }

  for (const name of ['/etc/passwd', '//server/share/x', '\\windows\\x', '\\\\server\\share']) {
    it(`refuses the absolute name ${JSON.stringify(name)}`, async () => {
      const { message } = await refuse([{ name, data: 'x' }]);
      assert.match(message, /: entry ".*" has an absolute path; entry names must be relative to the root of the zip\. Nothing was written\.$/);
    });
  }

  for (const name of ['C:\\Windows\\system.ini', 'c:/boot.ini', 'D:relative']) {
    it(`refuses the drive path ${JSON.stringify(name)}`, async () => {
      const { message } = await refuse([{ name, data: 'x' }]);
      assert.ok(message.endsWith(`entry ${JSON.stringify(name)} has a Windows drive path; entry names must be relative to the root of the zip. Nothing was written.`), message);
    });
  }

  it('refuses backslash separators with a hint about the tool that writes them', async () => {
    const { message } = await refuse([{ name: 'lib\\index.js', data: 'x' }]);
    assert.ok(message.endsWith('entry "lib\\\\index.js" contains a backslash; zip entry names must separate folders ' +
      'with "/" (some Windows tools, such as older PowerShell Compress-Archive, write "\\" instead). Nothing was written.'), message);
  });

  it('refuses a NUL character in a name', async () => {
    const { message } = await refuse([{ name: Buffer.from('a\0b'), data: 'x' }]);
    assert.ok(message.endsWith('entry "a\\u0000b" has a NUL character in its name. Nothing was written.'), message);
  });

  it('refuses a path component longer than 255 bytes', async () => {
    const { message } = await refuse([{ name: `${'x'.repeat(256)}/y`, data: 'x' }]);
    assert.match(message, /has a path component longer than 255 bytes\. Nothing was written\.$/);
  });

  it('refuses duplicate names, also when they differ only by "./" or "//"', async () => {
    let { message, kind, zip } = await refuse([{ name: 'ok.txt', data: 'second copy' }]);
    assert.equal(message, `Cannot unpack function zip ${zip}: entry "ok.txt" appears twice; duplicate names are ` +
      'refused because which copy would win is ambiguous. Nothing was written.');
    assert.equal(kind, 'duplicate');
    ({ message } = await refuse([{ name: './/ok.txt', data: 'second copy' }]));
    assert.match(message, /entry "\.\/\/ok\.txt" appears twice \(also as "ok\.txt"\); duplicate names/);
    ({ message } = await refuse([{ name: 'dir/' }, { name: 'dir', data: 'x' }]));
    assert.match(message, /entry "dir" appears twice \(also as "dir\/"\)/);
  });

  it('refuses an entry below a file of the same zip', async () => {
    const { message, kind } = await refuse([{ name: 'ok.txt/inner.txt', data: 'x' }]);
    assert.ok(message.endsWith('entry "ok.txt/inner.txt" needs "ok.txt" to be a directory, but the zip also has ' +
      '"ok.txt" as a file. Nothing was written.'), message);
    assert.equal(kind, 'conflict');
  });

  it('refuses an entry whose path passes through a symbolic link of the same zip, whatever the order', async () => {
    for (const entries of [
      [{ name: 'lib', type: 'symlink', data: '/etc' }, { name: 'lib/cron.d/evil', data: 'x' }],
      [{ name: 'lib/cron.d/evil', data: 'x' }, { name: 'lib', type: 'symlink', data: '/etc' }],
    ] as RawEntry[][]) {
      const { message, kind, entry } = await refuse(entries);
      assert.ok(message.endsWith('entry "lib/cron.d/evil" would be written through the symbolic link "lib" of the ' +
        'same zip; nothing is ever written through a symbolic link. Nothing was written.'), message);
      assert.equal(kind, 'through-symlink');
      assert.equal(entry, 'lib/cron.d/evil');
    }
  });

  it('refuses special files, encrypted entries and unsupported compression methods', async () => {
    let { message } = await refuse([{ name: 'pipe', type: 'fifo' }]);
    assert.match(message, /entry "pipe" is a named pipe \(FIFO\); only regular files, directories and symbolic links can be unpacked\./);
    ({ message } = await refuse([{ name: 'secret', data: 'x', method: 8, encrypted: true }]));
    assert.match(message, /entry "secret" is encrypted; encrypted zips are not supported\./);
    ({ message } = await refuse([{ name: 'x.bz2', data: 'x', method: 12 as 0 }]));
    assert.match(message, /entry "x\.bz2" uses compression method 12 \(bzip2\); only stored \(0\) and deflate \(8\) are supported\./);
  });

  it('refuses symbolic links with an empty or NUL-bearing target', async () => {
    let { message } = await refuse([{ name: 'empty-link', type: 'symlink', data: '' }]);
    assert.match(message, /entry "empty-link" is a symbolic link with a 0-byte target; a target must be 1 to 4095 bytes\./);
    const zip = box.zip('nul.zip', buildRawZip([{ name: 'nul-link', type: 'symlink', data: 'a\0b' }]));
    const err = await expectUnpackError(box.request(zip));
    assert.match(err.message, /entry "nul-link" is a symbolic link whose target contains a NUL character\. Removed everything this unpack had written \(1 directory\)\.$/);
    ({ message } = await refuse([{ name: 'dir-with-data/', data: 'x' }]));
    assert.match(message, /entry "dir-with-data\/" is a directory but carries 1 bytes of data\./);
  });

  describe('across layers and pre-existing content', () => {
    it('refuses an entry that would pass through a symbolic link made by an earlier layer', async () => {
      const outside = box.join('outside');
      fs.mkdirSync(outside);
      const one = box.zip('one.zip', await buildZip([{ name: 'lib', symlinkTo: outside }]));
      const two = box.zip('two.zip', await buildZip([{ name: 'lib/evil.so', data: 'x' }]));
      const err = await expectUnpackError(box.request(undefined, [one, two]));
      assert.equal(err.message, `Cannot unpack layer 2 ${two}: entry "lib/evil.so" would be written through the ` +
        `symbolic link ${box.optDir}/lib from layer 1 ${one}; nothing is ever written through a symbolic link. ` +
        'Removed everything this unpack had written (1 directory, 1 link).');
      assert.equal(err.kind, 'through-symlink');
      assert.equal(err.file, two);
      assert.deepEqual(fs.readdirSync(outside), []);
      assert.equal(fs.existsSync(box.optDir), false);
    });

    it('refuses to write through a symbolic link that was already in the target', async () => {
      const outside = box.join('outside');
      fs.mkdirSync(outside);
      fs.mkdirSync(box.optDir);
      fs.symlinkSync(outside, box.join('opt/nodejs'));
      const layer = box.zip('layer.zip', await buildZip([{ name: 'nodejs/node_modules/x.js', data: 'x' }]));
      const err = await expectUnpackError(box.request(undefined, [layer]));
      assert.equal(err.message, `Cannot unpack layer 1 ${layer}: entry "nodejs/node_modules/x.js" would be written ` +
        `through the symbolic link ${box.optDir}/nodejs that was there before unpacking; nothing is ever written ` +
        'through a symbolic link. Nothing had been written.');
      assert.deepEqual(fs.readdirSync(outside), []);
    });

    it('refuses to replace a directory of an earlier layer by a file, and a file by a directory', async () => {
      const one = box.zip('one.zip', await buildZip([{ name: 'python/lib.py', data: 'x' }, { name: 'bin', data: 'file' }]));
      const two = box.zip('two.zip', await buildZip([{ name: 'python', data: 'now a file' }]));
      let err = await expectUnpackError(box.request(undefined, [one, two]));
      assert.equal(err.message, `Cannot unpack layer 2 ${two}: entry "python" is a file, but ${box.optDir}/python is ` +
        `a directory from layer 1 ${one}; a directory is never replaced by a file or a link. ` +
        'Removed everything this unpack had written (2 files, 2 directories).');
      assert.equal(err.kind, 'conflict');

      const three = box.zip('three.zip', await buildZip([{ name: 'bin/tool', data: 'x' }]));
      err = await expectUnpackError(box.request(undefined, [one, three]));
      assert.equal(err.message, `Cannot unpack layer 2 ${three}: entry "bin/tool" needs ${box.optDir}/bin to be a ` +
        `directory, but a file from layer 1 ${one} is there. ` +
        'Removed everything this unpack had written (2 files, 2 directories).');
      assert.equal(fs.existsSync(box.optDir), false);
    });
  });
});
