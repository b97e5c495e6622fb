import * as assert from 'node:assert/strict';
import { Gate } from './helpers/gate';
import { json, startSession, type Session } from './helpers/session';

describe('nodejs runtime: async and callback handlers', () => {
  let session: Session | undefined;
  let gate: Gate | undefined;
  afterEach(async () => {
    await session?.close();
    await gate?.stop();
    session = undefined;
    gate = undefined;
  });

  async function respond(handler: string, event: unknown = {}): Promise<unknown> {
    session = await startSession(handler);
    const posted = await session.api.invoke(event);
    assert.equal(posted.kind, 'response', `expected a response, got ${posted.kind}: ${posted.body}`);
    return json(posted.body);
  }

  it('callback(null, result) waits for the event loop to run empty (callbackWaitsForEmptyEventLoop)', async () => {
    // The handler's timer fires after callback(); it is in the result because the response waits for it.
    assert.deepEqual(await respond('index.callbackWaits'), { order: ['handler', 'timer'] });
  });

  it('callbackWaitsForEmptyEventLoop = false answers while work is still pending', async () => {
    gate = await new Gate().start();
    session = await startSession('index.callbackNoWaitGate');
    const posted = await session.api.invoke({ gate: gate.url });
    // The handler is still waiting at the gate (its request keeps the event loop busy), yet the response is here.
    await gate.reached();
    assert.deepEqual(json(posted.body), 'answered before the gate opened');
    gate.open();
    assert.deepEqual(json((await session.api.invoke({ gate: gate.url })).body), 'answered before the gate opened');
  });

  it('only the first of several callback calls counts', async () => {
    assert.equal(await respond('index.callbackTwice'), 'first');
    assert.deepEqual(json((await session!.api.invoke({})).body), 'first');
  });

  it('context.succeed and context.done answer at once', async () => {
    assert.deepEqual(await respond('index.succeed'), { via: 'succeed' });
    await session!.close();
    assert.deepEqual(await respond('index.done'), { via: 'done' });
  });

  it('a synchronous handler that never calls back answers null once the loop is empty', async () => {
    assert.equal(await respond('index.syncReturn'), null);
  });

  it('an async handler returning undefined answers null', async () => {
    assert.equal(await respond('index.returnsUndefined'), null);
  });
});
