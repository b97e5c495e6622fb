import * as assert from 'node:assert/strict';
import { startSession, type Session } from './helpers/session';

const MIB = 1024 * 1024;

/**
 * Lambda streams responses up to 200 MB (DG/configuration-response-streaming): the runtime passes the handler's
 * writes on as the Runtime API takes them, holding back the handler when the connection is full, never the whole
 * response in memory.
 */
describe('nodejs runtime: a 200 MiB streamed response', function () {
  this.timeout(120_000);
  let session: Session | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  it('arrives whole while the runtime\'s memory stays far below the response size, also when the reader stalls', async () => {
    session = await startSession('streaming.large');
    const posted = await session.api.invoke({ mb: 200 }, { discardBody: true, stallAfterFirstChunkMs: 1000 });
    assert.equal(posted.aborted, false);
    assert.equal(posted.bytes, 200 * MIB);
    const line = await session.runtime.waitForLine((l) => l.includes('peak rss '));
    const peak = Number(/peak rss (\d+)/.exec(line)![1]);
    assert.ok(peak < 150 * MIB, `peak RSS ${Math.round(peak / MIB)} MiB while streaming 200 MiB`);
  });
});
