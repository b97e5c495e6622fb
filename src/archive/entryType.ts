/** What an entry becomes on disk, and with which permission bits. */
export type EntryType =
  | { ok: true; kind: 'file' | 'directory' | 'symlink'; mode: number }
  | { ok: false; problem: string };

export const DEFAULT_FILE_MODE = 0o644;
export const DEFAULT_DIRECTORY_MODE = 0o755;

const S_IFMT = 0o170000;
const FILE_TYPES: Record<number, string> = {
  0o010000: 'named pipe (FIFO)',
  0o020000: 'character device',
  0o060000: 'block device',
  0o140000: 'socket',
};
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** "Version made by" hosts whose external attributes carry a unix st_mode in the high 16 bits (APPNOTE 4.4.2). */
const UNIX_HOSTS = new Set([3 /* UNIX */, 19 /* OS X */]);
const MSDOS_DIRECTORY_ATTRIBUTE = 0x10;

/**
 * Reads the entry's type and mode. Zips made on unix keep st_mode: the type and the rwx bits (setuid, setgid and
 * sticky bits are dropped). Other zips only know "directory or not": files get 0644, directories 0755, as on Lambda.
 */
export function entryType(versionMadeBy: number, externalFileAttributes: number, endsWithSlash: boolean): EntryType {
  const unixMode = UNIX_HOSTS.has(versionMadeBy >> 8) ? (externalFileAttributes >>> 16) & 0xffff : 0;
  const type = unixMode & S_IFMT;
  const permissions = unixMode & 0o777;
  const looksLikeDirectory = endsWithSlash || (externalFileAttributes & MSDOS_DIRECTORY_ATTRIBUTE) !== 0;

  if (type === S_IFLNK) {
    if (endsWithSlash) return { ok: false, problem: 'is marked as a symbolic link but its name ends with "/"' };
    return { ok: true, kind: 'symlink', mode: 0o777 };
  }
  if (type === S_IFDIR || (type === 0 && looksLikeDirectory) || (type === S_IFREG && endsWithSlash)) {
    return { ok: true, kind: 'directory', mode: permissions || DEFAULT_DIRECTORY_MODE };
  }
  if (type === S_IFREG || type === 0) return { ok: true, kind: 'file', mode: permissions || DEFAULT_FILE_MODE };
  const what = FILE_TYPES[type] ?? `special file (type 0o${type.toString(8)})`;
  return { ok: false, problem: `is a ${what}; only regular files, directories and symbolic links can be unpacked` };
}
