import * as assert from 'node:assert/strict';
import { findNode24 } from './helpers/node24';
import { startSession, type Session } from './helpers/session';

const ID_HEADER = 'lambda-runtime-invocation-id';

/**
 * `Lambda-Runtime-Invocation-Id` from /next goes back on the /response or /error of that invocation, and nothing is
 * sent when /next had none (docs/nodejs-runtime.md, "Invocation ids"). Both invoke loops: the callback model (this
 * machine's Node.js) and the async-only one (Node.js 24).
 */
for (const [model, node] of [['callback model', process.execPath], ['async-only model (Node.js 24)', undefined]] as const) {
  describe(`nodejs runtime: invocation ids, ${model}`, function () {
    let binary: string;
    let session: Session | undefined;
    before(function () {
      this.timeout(300_000);
      if (node !== undefined) {
        binary = node;
        return;
      }
      const found = findNode24();
      if ('skipped' in found) {
        console.log(`      SKIPPED: ${found.skipped}`);
        this.skip();
      }
      binary = found.path;
    });
    afterEach(async () => {
      await session?.close();
      session = undefined;
    });

    async function invokeWithId(handler: string, invocationId: string | undefined) {
      session = await startSession(handler, {}, undefined, binary);
      const headers: Record<string, string> = invocationId === undefined ? {} : { 'Lambda-Runtime-Invocation-Id': invocationId };
      return session.api.invoke({ n: 1 }, { headers });
    }

    it('echoes it on /response', async () => {
      const posted = await invokeWithId('index.echo', 'inv-response-1');
      assert.equal(posted.kind, 'response');
      assert.equal(posted.headers[ID_HEADER], 'inv-response-1');
      const next = await session!.api.invoke({}, { headers: { 'Lambda-Runtime-Invocation-Id': 'inv-response-2' } });
      assert.equal(next.headers[ID_HEADER], 'inv-response-2', 'each invocation its own id');
    });

    it('echoes it on /error', async () => {
      const posted = await invokeWithId('index.throws', 'inv-error');
      assert.equal(posted.kind, 'error');
      assert.equal(posted.headers[ID_HEADER], 'inv-error');
    });

    it('echoes it on a streamed /response', async () => {
      const posted = await invokeWithId('streaming.piped', 'inv-stream');
      assert.equal(posted.headers['lambda-runtime-function-response-mode'], 'streaming');
      assert.equal(posted.headers[ID_HEADER], 'inv-stream');
    });

    it('sends none when /next carried none', async () => {
      const posted = await invokeWithId('index.echo', undefined);
      assert.equal(posted.kind, 'response');
      assert.equal(ID_HEADER in posted.headers, false);
    });
  });
}
