import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FunctionRecord } from '../../src/service/model';
import { PARTIAL_MARK } from '../../src/service/store/atomicFile';
import { Store } from '../../src/service/store/store';

function record(name: string, description: string): FunctionRecord {
  return {
    name, versions: {}, nextVersion: 1, aliases: {}, provisioned: {}, tags: {},
    latest: {
      version: '$LATEST', runtime: 'nodejs24.x', handler: 'index.handler', role: 'arn:aws:iam::123456789012:role/x', description,
      timeout: 3, memorySize: 128, ephemeralStorage: 512, environment: {}, layers: [], architectures: ['x86_64'],
      loggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${name}` }, codeBlob: '0'.repeat(64), codeSize: 1, unzippedBytes: 1,
      lastModified: '', revisionId: 'r', state: 'Active', lastUpdateStatus: 'Successful',
    },
  };
}

/** The service's data dir: what a restart (or a crash mid-write) leaves of it. */
describe('serve: the store under the data dir', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-sandbox-store-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads back what it saved, and a torn write leaves the last complete record', async () => {
    const store = await Store.open(dir);
    await store.saveFunction(record('a', 'first'));
    await store.saveFunction(record('a', 'second'));
    // A crash in the middle of the next write leaves a partial sibling and the previous file untouched.
    const partial = path.join(dir, 'functions', `a.json${PARTIAL_MARK}999-deadbeef`);
    fs.writeFileSync(partial, '{"name":"a","latest":{"descr');

    const reopened = await Store.open(dir);
    assert.equal(reopened.functions.get('a')?.latest.description, 'second');
    assert.equal(fs.existsSync(partial), false, 'the partial file is cleared away');
    await reopened.deleteFunction('a');
    assert.equal((await Store.open(dir)).functions.size, 0);
  });

  it('never leaves a temporary file behind after a save', async () => {
    const store = await Store.open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.saveFunction(record(`f${i}`, `d${i}`))));
    assert.deepEqual(fs.readdirSync(path.join(dir, 'functions')).filter((f) => !f.endsWith('.json')), []);
    assert.equal((await Store.open(dir)).functions.size, 20);
  });
});
