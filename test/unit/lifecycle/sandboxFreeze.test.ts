import * as assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config';
import { Sandbox, type TelemetryControl } from '../../../src/lifecycle/sandbox';
import type { Logger } from '../../../src/logger';
import type { Freezer } from '../../../src/process/freezer';
import { EventStream } from '../../../src/telemetry/events';

const quiet: Logger = { log() {}, error() {}, warn() {}, info() {}, debug() {} };

/** A freezer that only records what it was asked to do, in order. */
class RecordingFreezer implements Freezer {
  readonly strategy = 'sigstop' as const;
  readonly cgroupDir = undefined;
  readonly calls: string[] = [];
  wrap(command: string, args: string[]): { command: string; args: string[] } {
    return { command, args };
  }
  track(): void {}
  untrack(): void {}
  async freeze(): Promise<void> {
    this.calls.push('freeze');
  }
  async thaw(): Promise<void> {
    this.calls.push('thaw');
  }
  async dispose(): Promise<void> {}
}

/** Telemetry whose deliveries are "out" until the test lets the next quiesce finish. */
class HeldTelemetry implements TelemetryControl {
  private quiet: Array<() => void> = [];
  closeSubscriptions(): void {}
  pause(): void {}
  resume(): void {}
  async flush(): Promise<void> {}
  quiesce(): Promise<void> {
    return new Promise((resolve) => this.quiet.push(resolve));
  }
  deliveriesAnswered(): void {
    for (const resolve of this.quiet.splice(0)) resolve();
  }
}

function newSandbox(): { sandbox: Sandbox; freezer: RecordingFreezer; telemetry: HeldTelemetry } {
  const freezer = new RecordingFreezer();
  const telemetry = new HeldTelemetry();
  const sandbox = new Sandbox({ config: loadConfig({}, []), events: new EventStream(), log: quiet, freezer, telemetry });
  return { sandbox, freezer, telemetry };
}

describe('Sandbox: freezing while telemetry is still going out', () => {
  it('freezes once the deliveries out have been answered', async () => {
    const { sandbox, freezer, telemetry } = newSandbox();
    const freezing = sandbox.freeze();
    assert.equal(sandbox.state.state, 'Freezing');
    assert.deepEqual(freezer.calls, [], 'not while a delivery is out');
    telemetry.deliveriesAnswered();
    await freezing;
    assert.equal(sandbox.state.state, 'Frozen');
    assert.deepEqual(freezer.calls, ['freeze']);
  });

  it('calls the freeze off when an invocation thaws the sandbox first: its processes keep running', async () => {
    const { sandbox, freezer, telemetry } = newSandbox();
    const freezing = sandbox.freeze();
    await sandbox.thaw(); // an invocation arrived while the Init's telemetry was still being read
    assert.equal(sandbox.state.state, 'Running');
    telemetry.deliveriesAnswered();
    await freezing;
    assert.equal(sandbox.state.state, 'Running');
    assert.deepEqual(freezer.calls, [], 'neither frozen under the invocation nor thawed for nothing');
  });

  it('lets only the latest of two freezes act, after its own deliveries', async () => {
    const { sandbox, freezer, telemetry } = newSandbox();
    const first = sandbox.freeze();
    await sandbox.thaw();
    const second = sandbox.freeze();
    telemetry.deliveriesAnswered();
    await Promise.all([first, second]);
    assert.equal(sandbox.state.state, 'Frozen');
    assert.deepEqual(freezer.calls, ['freeze'], 'frozen once');
    await sandbox.thaw();
    assert.deepEqual(freezer.calls, ['freeze', 'thaw']);
  });
});
