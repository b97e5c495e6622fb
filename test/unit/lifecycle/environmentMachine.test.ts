import * as assert from 'node:assert/strict';
import { newEnvironmentMachine } from '../../../src/lifecycle/environmentMachine';
import { newSandboxMachine } from '../../../src/lifecycle/sandboxMachine';

describe('Environment state machine', () => {
  it('initialises, invokes, resets, spins down and shuts down', () => {
    const m = newEnvironmentMachine();
    for (const event of ['init', 'initDone', 'invoke', 'invokeDone', 'invoke', 'reset', 'init', 'initDone', 'spinDown'] as const) m.fire(event);
    assert.equal(m.state, 'Uninitialized');
    m.fire('shutdown');
    m.fire('stopped');
    assert.equal(m.state, 'Stopped');
  });

  it('absorbs the end of a phase that a shutdown interrupted, and refuses new work', () => {
    const m = newEnvironmentMachine();
    m.fire('init');
    m.fire('shutdown');
    m.fire('initDone');
    assert.equal(m.state, 'ShuttingDown');
    assert.equal(m.can('invoke'), false);
    assert.equal(m.can('shutdown'), false);
    m.fire('stopped');
    m.fire('invokeDone');
    assert.equal(m.state, 'Stopped');
  });

  it('does not invoke before Init is done', () => {
    const m = newEnvironmentMachine();
    assert.throws(() => m.fire('invoke'), { message: 'State transition from Uninitialized to Invoking failed for environment. Error: State transition is not allowed' });
  });
});

describe('Sandbox state machine', () => {
  it('freezes and thaws until it stops, from either state', () => {
    const m = newSandboxMachine();
    m.fire('freeze');
    assert.equal(m.can('freeze'), false);
    m.fire('thaw');
    m.fire('freeze');
    m.fire('stop');
    assert.equal(m.can('thaw'), false);
    m.fire('stopped');
    assert.equal(m.can('stop'), false);
  });
});
