import * as assert from 'node:assert/strict';
import {
  locateOwnCgroup,
  mountOf,
  parseMountInfo,
  parseProcCgroup,
} from '../../../src/process/freezer/cgroup-mounts';

// A hybrid host (v1 controllers plus cgroup2 at /sys/fs/cgroup/unified) and a few awkward lines.
const HYBRID = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:12 master:3 - cgroup2 cgroup2 rw',
  '50 23 0:40 / /mnt/with\\040space rw - ext4 /dev/sda1 rw',
  'garbage line',
  '',
].join('\n');

describe('cgroup mounts', function () {
  it('parses mountinfo with optional fields and octal escapes', function () {
    const mounts = parseMountInfo(HYBRID);
    assert.equal(mounts.length, 5);
    assert.deepEqual(mounts[3], { root: '/', mountPoint: '/sys/fs/cgroup/unified', fsType: 'cgroup2', superOptions: ['rw'] });
    assert.deepEqual(mounts[1].superOptions, ['rw', 'freezer']);
    assert.equal(mounts[4].mountPoint, '/mnt/with space');
  });

  it('parses /proc/self/cgroup, v1 and v2 lines, paths with colons', function () {
    const lines = parseProcCgroup('6:freezer:/\n4:memory:/process_api/8d9e\n1:name=systemd:/a:b\n0::/\n');
    assert.deepEqual(lines[0], { hierarchyId: 6, controllers: ['freezer'], path: '/' });
    assert.deepEqual(lines[2], { hierarchyId: 1, controllers: ['name=systemd'], path: '/a:b' });
    assert.deepEqual(lines[3], { hierarchyId: 0, controllers: [], path: '/' });
  });

  it('maps our cgroup path through the mount root', function () {
    const whole = { root: '/', mountPoint: '/sys/fs/cgroup', fsType: 'cgroup2', superOptions: [] };
    assert.equal(locateOwnCgroup([whole], '/'), '/sys/fs/cgroup');
    assert.equal(locateOwnCgroup([whole], '/system.slice/x.scope'), '/sys/fs/cgroup/system.slice/x.scope');
    const subtree = { root: '/docker/abc', mountPoint: '/sys/fs/cgroup', fsType: 'cgroup2', superOptions: [] };
    assert.equal(locateOwnCgroup([subtree], '/docker/abc/inner'), '/sys/fs/cgroup/inner');
    assert.equal(locateOwnCgroup([subtree], '/docker/other'), undefined);
    const outsideNamespace = { root: '/../../..', mountPoint: '/sys/fs/cgroup', fsType: 'cgroup2', superOptions: [] };
    assert.equal(locateOwnCgroup([outsideNamespace], '/'), undefined);
  });

  it('finds the mount a directory lives on (the deepest one)', function () {
    const mounts = parseMountInfo(HYBRID);
    assert.equal(mountOf(mounts, '/sys/fs/cgroup/unified/x')?.fsType, 'cgroup2');
    assert.equal(mountOf(mounts, '/sys/fs/cgroup/unifiedx')?.fsType, 'tmpfs');
    assert.equal(mountOf(mounts, '/sys/fs/cgroup/freezer')?.superOptions.includes('freezer'), true);
  });
});
