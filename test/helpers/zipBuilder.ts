import * as zlib from 'node:zlib';

/**
 * A tiny raw zip writer for tests. Unlike yazl it writes whatever it is told: hostile names, sizes and CRCs
 * that lie, unix file types in the external attributes, duplicate names, entries sharing one local header.
 */
export interface RawEntry {
  /** Written byte for byte (a string is UTF-8; the UTF-8 flag is set when it is not ASCII). */
  name: string | Buffer;
  /** Content; for a symbolic link, its target. */
  data?: Buffer | string;
  /** 0 stored (default), 8 deflate. */
  method?: 0 | 8;
  /** Raw compressed bytes to write instead of compressing `data` (for corrupt deflate streams). */
  rawData?: Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'fifo';
  /** Permission bits (default 0644 for files, 0755 for directories, 0777 for links). */
  mode?: number;
  /** Host in "version made by": 3 unix (default), 0 MS-DOS (no unix mode). */
  host?: number;
  /** Replaces the computed external attributes. */
  externalAttributes?: number;
  /** Lies in both headers. */
  declaredSize?: number;
  declaredCompressedSize?: number;
  crc32?: number;
  /** Sets the "encrypted" flag (the data is not actually encrypted). */
  encrypted?: boolean;
  /** This central directory record points at the local header of an earlier entry (by index): overlapping data. */
  shareDataWith?: number;
}

const S_IF: Record<NonNullable<RawEntry['type']>, number> = {
  file: 0o100000, directory: 0o040000, symlink: 0o120000, fifo: 0o010000,
};

interface Written {
  offset: number;
  crc: number;
  compressedSize: number;
  size: number;
}

export interface RawZipOptions {
  truncateTo?: number;
  /** The order of the central directory's records, as indexes into the entries (default: the entries' order). */
  centralOrder?: number[];
}

export function buildRawZip(entries: RawEntry[], options: RawZipOptions = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const written: Written[] = [];
  let offset = 0;

  for (const entry of entries) {
    const name = typeof entry.name === 'string' ? Buffer.from(entry.name, 'utf8') : entry.name;
    const utf8 = typeof entry.name === 'string' && /[^\x00-\x7f]/.test(entry.name);
    const data = entry.data === undefined ? Buffer.alloc(0) : Buffer.from(entry.data);
    const method = entry.method ?? 0;
    const type = entry.type ?? (typeof entry.name === 'string' && entry.name.endsWith('/') ? 'directory' : 'file');
    const flags = (utf8 ? 0x800 : 0) | (entry.encrypted ? 0x1 : 0);

    let record: Written;
    if (entry.shareDataWith !== undefined) {
      record = written[entry.shareDataWith];
    } else {
      const compressed = entry.rawData ?? (method === 8 ? zlib.deflateRawSync(data) : data);
      record = {
        offset,
        crc: entry.crc32 ?? zlib.crc32(data),
        compressedSize: entry.declaredCompressedSize ?? compressed.length,
        size: entry.declaredSize ?? data.length,
      };
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(flags, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt32LE(record.crc >>> 0, 14);
      local.writeUInt32LE(record.compressedSize, 18);
      local.writeUInt32LE(record.size, 22);
      local.writeUInt16LE(name.length, 26);
      parts.push(local, name, compressed);
      offset += local.length + name.length + compressed.length;
    }
    written.push(record);

    const host = entry.host ?? 3;
    const defaultMode = type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644;
    const unixMode = S_IF[type] | (entry.mode ?? defaultMode);
    const dosDirectory = type === 'directory' ? 0x10 : 0;
    const external = entry.externalAttributes ?? (host === 3 ? ((unixMode << 16) >>> 0) | dosDirectory : dosDirectory);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE((host << 8) | 20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt32LE(record.crc >>> 0, 16);
    header.writeUInt32LE(record.compressedSize, 20);
    header.writeUInt32LE(record.size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(external >>> 0, 38);
    header.writeUInt32LE(record.offset, 42);
    central.push(Buffer.concat([header, name]));
  }

  const centralBytes = Buffer.concat(options.centralOrder?.map((i) => central[i]) ?? central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  const zip = Buffer.concat([...parts, centralBytes, end]);
  return options.truncateTo === undefined ? zip : zip.subarray(0, options.truncateTo);
}
