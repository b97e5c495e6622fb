import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FunctionRecord, LayerRecord } from '../model';
import { commitFile, PARTIAL_MARK, writeFileAtomic } from './atomicFile';

/**
 * Functions, layers and code zips under the data dir:
 *
 *   functions/<name>.json   one function: $LATEST, published versions, aliases, concurrency settings
 *   layers/<name>.json      one layer with its versions
 *   code/<sha256>.zip       zips, content-addressed (a function version or layer version names its blob)
 *   incoming/               uploads being checked; emptied at start
 *   serve-id                the label value on this serve's environments
 *
 * Every JSON write is atomic (see atomicFile.ts) and a blob is in place before any record names it, so a crash
 * at any point loses at most the change being made.
 */
export class Store {
  readonly functions = new Map<string, FunctionRecord>();
  readonly layers = new Map<string, LayerRecord>();

  /** This data dir's serve id (random, made on first use): the label on the environments its serve starts. */
  serveId = '';

  private constructor(readonly dataDir: string) {}

  static async open(dataDir: string): Promise<Store> {
    const store = new Store(path.resolve(dataDir));
    for (const dir of ['functions', 'layers', 'code', 'incoming']) {
      await fs.promises.mkdir(path.join(store.dataDir, dir), { recursive: true });
    }
    await fs.promises.rm(path.join(store.dataDir, 'incoming'), { recursive: true, force: true });
    await fs.promises.mkdir(path.join(store.dataDir, 'incoming'));
    store.serveId = await readOrMakeId(path.join(store.dataDir, 'serve-id'));
    for (const record of await readRecords<FunctionRecord>(path.join(store.dataDir, 'functions'))) store.functions.set(record.name, record);
    for (const record of await readRecords<LayerRecord>(path.join(store.dataDir, 'layers'))) store.layers.set(record.name, record);
    return store;
  }

  /** A fresh path for an upload being checked (not yet a blob). */
  incomingFile(): string {
    return path.join(this.dataDir, 'incoming', `${crypto.randomBytes(8).toString('hex')}.zip`);
  }

  /** Moves a checked upload to its content address; returns the blob id (hex sha256). */
  async adoptBlob(incoming: string, sha256Hex: string): Promise<string> {
    const target = this.blobPath(sha256Hex);
    if (fs.existsSync(target)) await fs.promises.rm(incoming, { force: true });
    else await commitFile(incoming, target);
    return sha256Hex;
  }

  blobPath(blob: string): string {
    if (!/^[0-9a-f]{64}$/.test(blob)) throw new Error(`not a blob id: ${blob}`);
    return path.join(this.dataDir, 'code', `${blob}.zip`);
  }

  async saveFunction(record: FunctionRecord): Promise<void> {
    this.functions.set(record.name, record);
    await writeFileAtomic(path.join(this.dataDir, 'functions', `${record.name}.json`), JSON.stringify(record, null, 1));
  }

  async deleteFunction(name: string): Promise<void> {
    this.functions.delete(name);
    await fs.promises.rm(path.join(this.dataDir, 'functions', `${name}.json`), { force: true });
  }

  async saveLayer(record: LayerRecord): Promise<void> {
    this.layers.set(record.name, record);
    await writeFileAtomic(path.join(this.dataDir, 'layers', `${record.name}.json`), JSON.stringify(record, null, 1));
  }
}

async function readOrMakeId(file: string): Promise<string> {
  try {
    const id = (await fs.promises.readFile(file, 'utf8')).trim();
    if (/^[0-9a-f]{16}$/.test(id)) return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const id = crypto.randomBytes(8).toString('hex');
  await writeFileAtomic(file, `${id}\n`);
  return id;
}

async function readRecords<T>(directory: string): Promise<T[]> {
  const records: T[] = [];
  for (const name of await fs.promises.readdir(directory)) {
    const file = path.join(directory, name);
    if (name.includes(PARTIAL_MARK)) {
      await fs.promises.rm(file, { force: true }); // a write that never completed: the old record still stands
      continue;
    }
    if (!name.endsWith('.json')) continue;
    records.push(JSON.parse(await fs.promises.readFile(file, 'utf8')) as T);
  }
  return records;
}
