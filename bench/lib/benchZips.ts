import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { Prng } from './prng';

/** Bump when the content recipe changes, so a stale cached zip is not reused. */
const RECIPE = 'v1';
export const ZIP_CACHE_DIR = path.join(os.tmpdir(), `lambda-sandbox-bench-zips-${RECIPE}`);

export interface BenchZip {
  file: string;
  label: string;
  entries: number;
  /** Sum of the uncompressed file sizes. */
  bytes: number;
  compressedBytes: number;
}

const MIB = 1 << 20;
const MANY_SMALL_FILES = 100_000;
const WORDS = ('function return const let var if else for while this new module exports require async await ' +
  'prototype undefined null true false typeof instanceof object string number length push call apply bind ' +
  'options callback error result value index key data buffer stream emit listener promise resolve reject').split(' ');
const PUNCT = [' ', ' ', ' ', '(', ')', '{', '}', ';\n', ', ', '.', ' = ', ' === ', '\n  ', '[', ']', ' + '];

/** 1 MiB of JavaScript-looking text: files take slices of it, so each compresses like source code (about 4:1). */
function corpus(prng: Prng): Buffer {
  const parts: string[] = [];
  let size = 0;
  while (size < MIB) {
    const word = WORDS[prng.int(WORDS.length)] + (prng.next() < 0.2 ? String(prng.int(1000)) : '');
    const part = word + PUNCT[prng.int(PUNCT.length)];
    parts.push(part);
    size += part.length;
  }
  return Buffer.from(parts.join('')).subarray(0, MIB);
}

function slice(text: Buffer, prng: Prng, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let at = 0; at < length;) {
    const start = prng.int(text.length - 4096);
    const take = Math.min(length - at, 4096 + prng.int(text.length - start - 4096));
    text.copy(out, at, start, start + take);
    at += take;
  }
  return out;
}

/** Adds a directory entry, and its parents first, once each: as `zip -r` writes them. */
function directoryAdder(zip: ZipFile, mtime: Date): (dir: string) => void {
  const directories = new Set<string>();
  const addDirectory = (dir: string): void => {
    if (directories.has(dir)) return;
    if (path.posix.dirname(dir) !== '.') addDirectory(path.posix.dirname(dir));
    directories.add(dir);
    zip.addEmptyDirectory(dir, { mtime, mode: 0o40755 });
  };
  return addDirectory;
}

async function writeZip(zip: ZipFile, file: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  const written = pipeline(zip.outputStream, createWriteStream(partial));
  zip.end();
  await written;
  await fs.rename(partial, file);
}

/**
 * node_modules-like: 10,000 files in 400 packages (package.json, README.md, lib/ with nested folders), sizes
 * log-normal around 4 KiB with a long tail, 100 MiB in all, plus directory entries as `zip -r` writes them.
 */
async function buildNodeModules(file: string): Promise<void> {
  const prng = new Prng(0x6e6d);
  const text = corpus(prng);
  const files = 10_000;
  const packages = 400;
  const sizes = Array.from({ length: files }, () => Math.min(MIB, Math.max(64, Math.round(4096 * Math.exp(1.3 * prng.normal())))));
  const scale = (100 * MIB) / sizes.reduce((a, b) => a + b, 0);
  const zip = new ZipFile();
  const mtime = new Date('2024-01-01T00:00:00Z');
  const addDirectory = directoryAdder(zip, mtime);
  let written = 0;
  for (let i = 0; i < files; i++) {
    const pkg = `node_modules/pkg-${String(i % packages).padStart(3, '0')}`;
    const inPackage = Math.floor(i / packages);
    const name = inPackage === 0 ? `${pkg}/package.json`
      : inPackage === 1 ? `${pkg}/README.md`
        : `${pkg}/lib/${inPackage % 3 === 0 ? 'internal/' : ''}${inPackage % 5 === 0 ? 'util/' : ''}file-${inPackage}.js`;
    const size = i === files - 1 ? 100 * MIB - written : Math.max(1, Math.round(sizes[i] * scale));
    addDirectory(path.posix.dirname(name));
    zip.addBuffer(slice(text, prng, size), name, { mtime, mode: 0o100644 });
    written += size;
  }
  await writeZip(zip, file);
}

/** Sizes of the 100,000 small files: log-normal around 600 bytes (mean about 1 KB), 16 bytes to 64 KiB. */
function manySmallSizes(): number[] {
  const prng = new Prng(0x5a11);
  return Array.from({ length: MANY_SMALL_FILES }, () => Math.min(64 * 1024, Math.max(16, Math.round(600 * Math.exp(prng.normal())))));
}

/**
 * 100,000 small files (about 100 MB in all) in 1,000 packages of 100 files in nested folders, plus directory
 * entries: the per-entry costs (names, headers, creating files) dominate, not inflating.
 */
async function buildManySmall(file: string): Promise<void> {
  const prng = new Prng(0x100000);
  const text = corpus(prng);
  const zip = new ZipFile();
  const mtime = new Date('2024-01-01T00:00:00Z');
  const addDirectory = directoryAdder(zip, mtime);
  const sizes = manySmallSizes();
  for (let i = 0; i < MANY_SMALL_FILES; i++) {
    const pkg = `node_modules/p${String(i % 1000).padStart(3, '0')}`;
    const n = Math.floor(i / 1000);
    const name = `${pkg}/${n % 4 === 0 ? 'lib/' : n % 4 === 1 ? 'lib/sub/' : n % 4 === 2 ? 'src/' : ''}f${n}.js`;
    addDirectory(path.posix.dirname(name));
    // Lazily, so each is compressed when it is written: yazl starts every addBuffer's deflate at once, and
    // 100,000 zlib states at once take tens of GB.
    const data = slice(text, prng, sizes[i]);
    zip.addReadStreamLazy(name, { mtime, mode: 0o100644, size: data.length }, (done) => done(null, Readable.from([data])));
  }
  await writeZip(zip, file);
}

/** One 200 MiB file, like a bundled binary: 64 KiB chunks, one in four random bytes, the rest text. */
async function buildSingleFile(file: string): Promise<void> {
  const prng = new Prng(0x5f1e);
  const text = corpus(prng);
  const chunk = 64 * 1024;
  const data = Buffer.allocUnsafe(200 * MIB);
  for (let at = 0; at < data.length; at += chunk) {
    const part = at % (4 * chunk) === 0 ? prng.bytes(chunk) : slice(text, prng, chunk);
    part.copy(data, at);
  }
  const zip = new ZipFile();
  zip.addBuffer(data, 'lib/big-binary.bin', { mtime: new Date('2024-01-01T00:00:00Z'), mode: 0o100755 });
  await writeZip(zip, file);
}

async function cached(name: string, label: string, entries: number, bytes: number, build: (file: string) => Promise<void>,
  progress: (line: string) => void): Promise<BenchZip> {
  const file = path.join(ZIP_CACHE_DIR, name);
  const existing = await fs.stat(file).catch(() => undefined);
  if (!existing) {
    progress(`unpack: building ${file} (cached for later runs)`);
    await build(file);
  }
  return { file, label, entries, bytes, compressedBytes: (await fs.stat(file)).size };
}

export async function benchZips(progress: (line: string) => void): Promise<BenchZip[]> {
  return [
    await cached('node-modules.zip', 'node_modules-like', 10_000, 100 * MIB, buildNodeModules, progress),
    await cached('many-small.zip', '100,000 small files', MANY_SMALL_FILES, manySmallSizes().reduce((a, b) => a + b, 0),
      buildManySmall, progress),
    await cached('single-file.zip', 'one 200 MiB file', 1, 200 * MIB, buildSingleFile, progress),
  ];
}
