import * as assert from 'node:assert/strict';
import { newInFlightMachine } from '../../../src/lifecycle/inFlightMachine';
import { newRuntimePoolMachine } from '../../../src/lifecycle/runtimePoolMachine';

describe('Managed Instances state machines', () => {
  it('takes one invocation Queued → Running → InvocationResponse → ResponseSent, and refuses a second result', () => {
    const m = newInFlightMachine('req-1');
    for (const event of ['deliver', 'response', 'resultSent'] as const) m.fire(event);
    assert.equal(m.state, 'ResponseSent');
    assert.throws(() => m.fire('response'), {
      message: 'State transition from ResponseSent to InvocationResponse failed for invocation req-1. Error: State transition is not allowed',
    });
  });

  it('ends an invocation that timed out while queued, running or answering, and lets a result being read finish into nothing', () => {
    for (const path of [[], ['deliver'], ['deliver', 'error']] as const) {
      const m = newInFlightMachine('req-2');
      for (const event of path) m.fire(event);
      m.fire('end');
      assert.equal(m.state, 'Ended');
      assert.equal(m.can('response'), false);
      m.fire('resultSent');
      assert.equal(m.state, 'Ended');
    }
    const answered = newInFlightMachine('req-3');
    for (const event of ['deliver', 'response', 'resultSent'] as const) answered.fire(event);
    assert.equal(answered.can('end'), false);
  });

  it('refuses a result before the invocation reached a worker', () => {
    assert.throws(() => newInFlightMachine('req-4').fire('response'), { message: /from Queued to InvocationResponse failed/ });
  });

  it('keeps the runtime Ready for any number of /next once init is done, and takes /init/error only before', () => {
    const m = newRuntimePoolMachine();
    for (let i = 0; i < 5; i++) m.fire('next');
    assert.equal(m.state, 'Ready');
    assert.throws(() => m.fire('initError'), { message: /from Ready to InitError failed for runtime/ });
    const failed = newRuntimePoolMachine();
    failed.fire('initError');
    assert.throws(() => failed.fire('next'), { message: /from InitError to Ready failed/ });
  });
});
