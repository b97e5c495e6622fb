import { StateMachine, type EventTable } from './stateMachine';

/**
 * The processes of one sandbox: running; freezing (telemetry still going out, so an invocation that arrives now
 * calls the freeze off); frozen between invocations; or on their way out.
 */
export type SandboxState = 'Running' | 'Freezing' | 'Frozen' | 'Stopping' | 'Stopped';
export type SandboxEvent = 'freeze' | 'frozen' | 'thaw' | 'stop' | 'stopped';

const TABLE: EventTable<SandboxState, SandboxEvent> = {
  Running: { freeze: 'Freezing', stop: 'Stopping' },
  Freezing: { frozen: 'Frozen', thaw: 'Running', stop: 'Stopping' },
  Frozen: { thaw: 'Running', stop: 'Stopping' },
  Stopping: { stopped: 'Stopped' },
  Stopped: {},
};

const TARGETS: Record<SandboxEvent, SandboxState> = {
  freeze: 'Freezing', frozen: 'Frozen', thaw: 'Running', stop: 'Stopping', stopped: 'Stopped',
};

export const newSandboxMachine = (): StateMachine<SandboxState, SandboxEvent> =>
  new StateMachine({ name: 'sandbox', initial: 'Running', table: TABLE, targets: TARGETS });
