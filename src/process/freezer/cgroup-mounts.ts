import * as fs from 'node:fs';
import * as path from 'node:path';

/** One line of /proc/self/mountinfo, reduced to what finding a cgroup needs. */
export interface MountInfo {
  /** The path inside the mounted filesystem that appears at mountPoint ("/" for a whole cgroup hierarchy). */
  root: string;
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses /proc/self/mountinfo (proc(5)): fields, optional fields up to "-", then type, source, super options. */
export function parseMountInfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (fields.length < 10 || separator < 0 || fields.length < separator + 4) continue;
    mounts.push({
      root: unescapeMountField(fields[3]),
      mountPoint: unescapeMountField(fields[4]),
      fsType: fields[separator + 1],
      superOptions: fields[separator + 3].split(','),
    });
  }
  return mounts;
}

/** One line of /proc/self/cgroup: "hierarchy-id:controllers:path" (cgroups(7)); v2 is "0::path". */
export interface CgroupMembership {
  hierarchyId: number;
  controllers: string[];
  path: string;
}

export function parseProcCgroup(text: string): CgroupMembership[] {
  const result: CgroupMembership[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    result.push({
      hierarchyId: Number(line.slice(0, first)),
      controllers: line.slice(first + 1, second).split(',').filter((c) => c !== ''),
      path: line.slice(second + 1),
    });
  }
  return result;
}

/** Where a cgroup hierarchy can be used from this process, or why it cannot. */
export type CgroupLocation = { ok: true; dir: string } | { ok: false; reason: string };

/**
 * The directory of our own cgroup in a hierarchy: the mount whose root contains our cgroup path, joined with the rest
 * of the path. When several mounts show the hierarchy, the first one that maps our path wins. A mount whose root lies
 * outside our cgroup namespace shows up as "/.."; such a mount cannot be mapped and is skipped.
 */
export function locateOwnCgroup(mounts: MountInfo[], membershipPath: string): string | undefined {
  for (const mount of mounts) {
    if (mount.root.startsWith('/..')) continue;
    const relative = path.posix.relative(mount.root, membershipPath);
    if (relative.startsWith('..') || path.posix.isAbsolute(relative)) continue;
    return path.posix.join(mount.mountPoint, relative);
  }
  return undefined;
}

function readProcFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The mount a path lives on: the one with the longest mount point that contains it (later mounts shadow earlier). */
export function mountOf(mounts: MountInfo[], dir: string): MountInfo | undefined {
  let best: MountInfo | undefined;
  for (const mount of mounts) {
    const relative = path.posix.relative(mount.mountPoint, dir);
    if (relative.startsWith('..') || path.posix.isAbsolute(relative)) continue;
    if (!best || mount.mountPoint.length >= best.mountPoint.length) best = mount;
  }
  return best;
}

/** Why `dir` cannot hold a cgroup of the given kind, or undefined when it is on the right filesystem. */
export function checkCgroupDir(dir: string, kind: 'cgroup2' | 'cgroup1-freezer'): string | undefined {
  const mountText = readProcFile('/proc/self/mountinfo');
  if (mountText === undefined) return '/proc/self/mountinfo is not readable';
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch (error) {
    return `${dir} does not exist (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  const mount = mountOf(parseMountInfo(mountText), real);
  if (kind === 'cgroup2' && mount?.fsType !== 'cgroup2') {
    return `${dir} is not on a cgroup2 filesystem (it is on ${mount?.fsType ?? 'nothing known'})`;
  }
  if (kind === 'cgroup1-freezer' && !(mount?.fsType === 'cgroup' && mount.superOptions.includes('freezer'))) {
    return `${dir} is not in a cgroup v1 freezer hierarchy (it is on ${mount?.fsType ?? 'nothing known'})`;
  }
  return undefined;
}

/** The cgroup v2 directory this process lives in (e.g. /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts). */
export function findOwnCgroup2(): CgroupLocation {
  const mountText = readProcFile('/proc/self/mountinfo');
  const cgroupText = readProcFile('/proc/self/cgroup');
  if (mountText === undefined || cgroupText === undefined) return { ok: false, reason: '/proc is not readable' };
  const mounts = parseMountInfo(mountText).filter((m) => m.fsType === 'cgroup2');
  if (mounts.length === 0) return { ok: false, reason: 'no cgroup2 filesystem is mounted' };
  const membership = parseProcCgroup(cgroupText).find((m) => m.hierarchyId === 0);
  if (!membership) return { ok: false, reason: 'this process is in no cgroup v2 (no "0::" line in /proc/self/cgroup)' };
  const dir = locateOwnCgroup(mounts, membership.path);
  if (dir === undefined) {
    return { ok: false, reason: `own cgroup ${membership.path} is not visible under ${mounts[0].mountPoint}` };
  }
  return { ok: true, dir };
}

/** The cgroup v1 freezer directory this process lives in (e.g. /sys/fs/cgroup/freezer). */
export function findOwnCgroup1Freezer(): CgroupLocation {
  const mountText = readProcFile('/proc/self/mountinfo');
  const cgroupText = readProcFile('/proc/self/cgroup');
  if (mountText === undefined || cgroupText === undefined) return { ok: false, reason: '/proc is not readable' };
  const mounts = parseMountInfo(mountText).filter((m) => m.fsType === 'cgroup' && m.superOptions.includes('freezer'));
  if (mounts.length === 0) return { ok: false, reason: 'no cgroup v1 freezer hierarchy is mounted' };
  const membership = parseProcCgroup(cgroupText).find((m) => m.controllers.includes('freezer'));
  if (!membership) return { ok: false, reason: 'this process is in no freezer cgroup' };
  const dir = locateOwnCgroup(mounts, membership.path);
  if (dir === undefined) {
    return { ok: false, reason: `own freezer cgroup ${membership.path} is not visible under ${mounts[0].mountPoint}` };
  }
  return { ok: true, dir };
}
