import { StateMachine, type EventTable } from './stateMachine';

/** The processes of one sandbox: running, frozen between invocations, or on their way out. */
export type SandboxState = 'Running' | 'Frozen' | 'Stopping' | 'Stopped';
export type SandboxEvent = 'freeze' | 'thaw' | 'stop' | 'stopped';

const TABLE: EventTable<SandboxState, SandboxEvent> = {
  Running: { freeze: 'Frozen', stop: 'Stopping' },
  Frozen: { thaw: 'Running', stop: 'Stopping' },
  Stopping: { stopped: 'Stopped' },
  Stopped: {},
};

const TARGETS: Record<SandboxEvent, SandboxState> = { freeze: 'Frozen', thaw: 'Running', stop: 'Stopping', stopped: 'Stopped' };

export const newSandboxMachine = (): StateMachine<SandboxState, SandboxEvent> =>
  new StateMachine({ name: 'sandbox', initial: 'Running', table: TABLE, targets: TARGETS });
