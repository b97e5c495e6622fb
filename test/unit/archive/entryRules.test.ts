import * as assert from 'node:assert/strict';
import { parentPath, toEntryPath } from '../../../src/archive/entryName';
import { entryType } from '../../../src/archive/entryType';

const UNIX = 3 << 8;
const OS_X = 19 << 8;
const MSDOS = 0;
const unix = (mode: number): number => (mode << 16) >>> 0;

describe('archive: entry names and types', () => {
  it('normalises safe names', () => {
    assert.deepEqual(toEntryPath('a/b/c.js'), { ok: true, path: 'a/b/c.js', endsWithSlash: false });
    assert.deepEqual(toEntryPath('./a//b/./c/'), { ok: true, path: 'a/b/c', endsWithSlash: true });
    assert.deepEqual(toEntryPath('..a/b..c/...'), { ok: true, path: '..a/b..c/...', endsWithSlash: false });
    assert.deepEqual(toEntryPath('./'), { ok: true, path: '', endsWithSlash: true });
    assert.equal(parentPath('a/b/c'), 'a/b');
    assert.equal(parentPath('a'), '');
  });

  it('refuses unsafe names', () => {
    for (const name of ['', '/a', '\\a', 'C:x', 'a/../b', 'a\\..', 'a\\b', 'a\0b']) {
      assert.equal(toEntryPath(name).ok, false, name);
    }
  });

  it('reads types and modes from unix hosts and defaults elsewhere', () => {
    assert.deepEqual(entryType(UNIX, unix(0o100755), false), { ok: true, kind: 'file', mode: 0o755 });
    assert.deepEqual(entryType(OS_X, unix(0o100600), false), { ok: true, kind: 'file', mode: 0o600 });
    assert.deepEqual(entryType(UNIX, unix(0o120777), false), { ok: true, kind: 'symlink', mode: 0o777 });
    assert.deepEqual(entryType(UNIX, unix(0o040700), false), { ok: true, kind: 'directory', mode: 0o700 });
    assert.deepEqual(entryType(UNIX, unix(0o104755), false), { ok: true, kind: 'file', mode: 0o755 }, 'setuid dropped');
    assert.deepEqual(entryType(UNIX, unix(0o100000), false), { ok: true, kind: 'file', mode: 0o644 }, 'no permission bits');
    assert.deepEqual(entryType(UNIX, unix(0o100644), true), { ok: true, kind: 'directory', mode: 0o644 });
    assert.deepEqual(entryType(MSDOS, 0x20, false), { ok: true, kind: 'file', mode: 0o644 });
    assert.deepEqual(entryType(MSDOS, 0x10, false), { ok: true, kind: 'directory', mode: 0o755 });
    assert.deepEqual(entryType(MSDOS, unix(0o120777), false), { ok: true, kind: 'file', mode: 0o644 }, 'mode bits ignored off unix');
    assert.equal(entryType(UNIX, unix(0o120777), true).ok, false);
    assert.equal(entryType(UNIX, unix(0o060600), false).ok, false);
    assert.equal(entryType(UNIX, unix(0o140755), false).ok, false);
  });
});
