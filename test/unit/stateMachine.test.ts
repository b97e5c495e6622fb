import * as assert from 'node:assert/strict';
import { newRuntimeStateMachine } from '../../src/lifecycle/runtimeState';

describe('Runtime state machine', () => {
  it('follows Started → Ready → Running → InvocationResponse → ResponseSent → Ready', () => {
    const m = newRuntimeStateMachine();
    for (const to of ['Ready', 'Running', 'InvocationResponse', 'ResponseSent', 'Ready'] as const) m.transition(to);
    assert.equal(m.state, 'Ready');
  });

  it('refuses illegal moves with Lambda\'s message and stays put', () => {
    const m = newRuntimeStateMachine();
    m.transition('Ready');
    assert.throws(() => m.transition('InvocationResponse'), {
      message: 'State transition from Ready to InvocationResponse failed for runtime. Error: State transition is not allowed',
    });
    assert.equal(m.state, 'Ready');
    const failed = newRuntimeStateMachine();
    failed.transition('InitError');
    assert.equal(failed.can('Ready'), false);
  });
});
