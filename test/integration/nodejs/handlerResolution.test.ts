import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES } from '../../helpers/paths';
import { FUNCTIONS } from './helpers/runtimeProcess';
import { json, startSession, type Session } from './helpers/session';

describe('nodejs runtime: handler resolution', () => {
  let session: Session | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  async function invokeOnce(handler: string, event: unknown, env: Record<string, string> = {}, taskRoot?: string) {
    session = await startSession(handler, env, taskRoot);
    const posted = await session.api.invoke(event);
    assert.equal(posted.kind, 'response', `expected a response, got ${posted.kind}: ${posted.body}`);
    return json(posted.body);
  }

  it('loads file.export from a CommonJS .js file', async () => {
    assert.deepEqual(await invokeOnce('index.echo', { a: 1 }), { echo: { a: 1 } });
  });

  it('follows nested export paths (index.nested.deep.handler)', async () => {
    assert.deepEqual(await invokeOnce('index.nested.deep.handler', 'x'), { nested: 'x' });
  });

  it('loads from a module root inside the task root (dir/sub/file.handler)', async () => {
    assert.deepEqual(await invokeOnce('dir/sub/file.handler', 2), { from: 'dir/sub/file.js', event: 2 });
  });

  it('imports an .mjs module after its top-level await', async () => {
    assert.deepEqual(await invokeOnce('esm/index.handler', 3), { format: 'mjs', ready: 'awaited at top level', event: 3 });
  });

  it('finds a handler on the default export of an ES module', async () => {
    assert.deepEqual(await invokeOnce('esm/index.fromDefault', null), { format: 'mjs-default' });
  });

  it('imports a .js file of a "type": "module" package as an ES module', async () => {
    assert.deepEqual(await invokeOnce('typemodule/app.handler', 4), { format: 'type-module-js', loadedAt: 'tla', isEsm: true, event: 4 });
  });

  it('loads a .cjs file', async () => {
    assert.deepEqual(await invokeOnce('cjs-ext/index.handler', 5), { format: 'cjs', event: 5 });
  });

  it('resolves packages from a layer through NODE_PATH (/opt/nodejs/node_modules)', async () => {
    const opt = fs.mkdtempSync(path.join(os.tmpdir(), 'nodejs-layer-'));
    try {
      const pkg = path.join(opt, 'nodejs', 'node_modules', 'layer-greeting');
      fs.mkdirSync(pkg, { recursive: true });
      fs.cpSync(path.join(FIXTURES, 'nodejs', 'layer-greeting'), pkg, { recursive: true });
      const nodePath = [path.join(opt, 'nodejs', 'node20', 'node_modules'), path.join(opt, 'nodejs', 'node_modules'), FUNCTIONS].join(':');
      const result = await invokeOnce('layer-user/index.handler', { name: 'ada' }, { NODE_PATH: nodePath });
      assert.deepEqual(result, { greeting: 'hello ada from a layer', resolved: path.join(pkg, 'index.js') });
    } finally {
      fs.rmSync(opt, { recursive: true, force: true });
    }
  });

  it('serves many invocations from one process and one keep-alive connection', async () => {
    session = await startSession('index.echo');
    for (let i = 0; i < 20; i++) {
      const posted = await session.api.invoke({ i });
      assert.deepEqual(json(posted.body), { echo: { i } });
    }
    assert.equal(session.api.connections, 1);
  });

  it('goes on with the next invocation when the Runtime API rejects a response', async () => {
    session = await startSession('index.echo');
    session.api.responseStatus = 413;
    await session.api.invoke('too big');
    session.api.responseStatus = 202;
    assert.deepEqual(json((await session.api.invoke('next')).body), { echo: 'next' });
  });
});
