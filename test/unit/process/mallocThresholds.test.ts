import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { loadSandboxNative, type SandboxNative } from '../../../src/process/native/addon';

const BUILD = path.join(__dirname, '..', '..', '..', 'src', 'process', 'native', 'build.js');

describe('native addon: glibc allocator thresholds', function () {
  let addon: Required<SandboxNative>;
  before(function () {
    if (!loadSandboxNative().ok) spawnSync(process.execPath, [BUILD, '--optional'], { stdio: 'inherit' });
    const loaded = loadSandboxNative();
    if (!loaded.ok) {
      console.warn(`    these tests need the native addon: ${loaded.reason}`);
      return this.skip();
    }
    const { setMallocThresholds, trimMalloc } = loaded.addon;
    assert.ok(setMallocThresholds && trimMalloc, 'the freshly built addon has the allocator calls');
    addon = loaded.addon as Required<SandboxNative>;
  });
  // What the init leaves behind after an unpack (src/archive/heldBuffers.ts), so this file changes nothing.
  after(() => addon?.setMallocThresholds(1 << 20, 2 << 20));

  it('sets both thresholds on glibc, and gives freed memory back with trimMalloc', () => {
    assert.equal(addon.setMallocThresholds(32 << 20, 256 << 20), true);
    assert.equal(typeof addon.trimMalloc(), 'boolean');
  });

  it('refuses thresholds that are not positive byte counts that fit an int', () => {
    for (const args of [[0, 1], [1, -5], [2 ** 31, 1], ['1', 1]] as const) {
      assert.throws(() => (addon.setMallocThresholds as (...a: unknown[]) => boolean)(...args), {
        name: 'TypeError', message: 'setMallocThresholds expects two positive byte counts',
      });
    }
  });
});
