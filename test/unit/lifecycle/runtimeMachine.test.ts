import * as assert from 'node:assert/strict';
import { newRuntimeMachine, type RuntimeEvent } from '../../../src/lifecycle/runtimeMachine';

describe('Runtime state machine', () => {
  it('follows Started → Ready → Running → InvocationResponse → ResponseSent → Ready', () => {
    const m = newRuntimeMachine();
    for (const event of ['next', 'deliver', 'response', 'resultSent', 'next'] as const) m.fire(event);
    assert.equal(m.state, 'Ready');
  });

  it('refuses illegal moves with Lambda\'s message and stays put', () => {
    const m = newRuntimeMachine();
    m.fire('next');
    assert.throws(() => m.fire('response'), {
      message: 'State transition from Ready to InvocationResponse failed for runtime. Error: State transition is not allowed',
    });
    assert.equal(m.state, 'Ready');
    const failed = newRuntimeMachine();
    failed.fire('initError');
    assert.equal(failed.can('next'), false);
  });

  it('takes an error result like a response, and gives a lost event again on /next while Running', () => {
    const m = newRuntimeMachine();
    for (const event of ['next', 'deliver', 'next'] as const) m.fire(event);
    assert.equal(m.state, 'Running');
    m.fire('error');
    assert.equal(m.state, 'InvocationErrorResponse');
    assert.throws(() => m.fire('next'), { message: /from InvocationErrorResponse to Ready failed for runtime/ });
    m.fire('resultSent');
    m.fire('next');
    assert.equal(m.state, 'Ready');
  });

  it('replaces a dropped /next only while Ready, and allows /init/error only before the first /next', () => {
    const m = newRuntimeMachine();
    assert.throws(() => m.fire('reconnect'), { message: /from Started to Ready failed/ });
    m.fire('next');
    m.fire('reconnect');
    assert.equal(m.state, 'Ready');
    assert.throws(() => m.check('initError'), { message: 'State transition from Ready to InitError failed for runtime. Error: State transition is not allowed' });
    const events: RuntimeEvent[] = ['next', 'reconnect', 'deliver', 'response', 'error', 'resultSent', 'initError'];
    const initError = newRuntimeMachine();
    initError.fire('initError');
    for (const event of events) assert.equal(initError.can(event), false, `InitError allows no ${event}`);
  });
});
