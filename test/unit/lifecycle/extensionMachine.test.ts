import * as assert from 'node:assert/strict';
import { newExtensionMachine } from '../../../src/lifecycle/extensionMachine';

describe('Extension state machine', () => {
  it('goes Started → Registered → Ready → Running → Ready, and Exited from anywhere alive', () => {
    const m = newExtensionMachine('probe');
    for (const event of ['register', 'next', 'deliver', 'next'] as const) m.fire(event);
    assert.equal(m.state, 'Ready');
    m.fire('exited');
    assert.equal(m.state, 'Exited');
    assert.equal(m.can('next'), false);
  });

  it('refuses a second register and an init error after init, naming the extension', () => {
    const m = newExtensionMachine('probe');
    m.fire('register');
    assert.throws(() => m.fire('register'), { message: 'State transition from Registered to Registered failed for extension probe. Error: State transition is not allowed' });
    m.fire('next');
    assert.throws(() => m.fire('initError'), { message: /from Ready to InitError failed for extension probe/ });
    assert.throws(() => m.fire('next'), { message: /from Ready to Ready failed/ });
    m.fire('reconnect');
    m.fire('exitError');
    assert.equal(m.state, 'ExitError');
  });

  it('records a launch failure as final, and a missed shutdown deadline only while running', () => {
    const launch = newExtensionMachine('broken');
    launch.fire('launchError');
    assert.equal(launch.can('exited'), false);
    const slow = newExtensionMachine('slow');
    for (const event of ['register', 'next'] as const) slow.fire(event);
    assert.equal(slow.can('shutdownFailed'), false);
    slow.fire('deliver');
    slow.fire('shutdownFailed');
    assert.equal(slow.state, 'ShutdownFailed');
  });
});
