import { StateMachine, type EventTable } from './stateMachine';

/** The execution environment as a whole: Init → Invoke* → Shutdown, with resets back to Uninitialized. */
export type EnvironmentState = 'Uninitialized' | 'Initializing' | 'Ready' | 'Invoking' | 'ShuttingDown' | 'Stopped';

/**
 * `reset`: a timeout or crash threw the sandbox away (the next invoke initialises again); `spinDown`: an idle
 * shutdown did (the next Init is a cold one).
 */
export type EnvironmentEvent = 'init' | 'initDone' | 'initFailed' | 'invoke' | 'invokeDone' | 'reset' | 'spinDown' | 'shutdown' | 'stopped';

/** Once a shutdown has taken over, the ends of the phases it interrupted change nothing. */
const ABSORBED_BY_SHUTDOWN = { initDone: 'ShuttingDown', initFailed: 'ShuttingDown', invokeDone: 'ShuttingDown', reset: 'ShuttingDown' } as const;

const TABLE: EventTable<EnvironmentState, EnvironmentEvent> = {
  // A fault of the init itself resets whatever phase it hit.
  Uninitialized: { init: 'Initializing', reset: 'Uninitialized', shutdown: 'ShuttingDown' },
  Initializing: { initDone: 'Ready', initFailed: 'Uninitialized', reset: 'Uninitialized', shutdown: 'ShuttingDown' },
  Ready: { invoke: 'Invoking', reset: 'Uninitialized', spinDown: 'Uninitialized', shutdown: 'ShuttingDown' },
  Invoking: { invokeDone: 'Ready', reset: 'Uninitialized', shutdown: 'ShuttingDown' },
  ShuttingDown: { ...ABSORBED_BY_SHUTDOWN, stopped: 'Stopped' },
  Stopped: { initDone: 'Stopped', initFailed: 'Stopped', invokeDone: 'Stopped', reset: 'Stopped' },
};

const TARGETS: Record<EnvironmentEvent, EnvironmentState> = {
  init: 'Initializing', initDone: 'Ready', initFailed: 'Uninitialized', invoke: 'Invoking', invokeDone: 'Ready',
  reset: 'Uninitialized', spinDown: 'Uninitialized', shutdown: 'ShuttingDown', stopped: 'Stopped',
};

export type EnvironmentMachine = StateMachine<EnvironmentState, EnvironmentEvent>;

export const newEnvironmentMachine = (): EnvironmentMachine =>
  new StateMachine({ name: 'environment', initial: 'Uninitialized', table: TABLE, targets: TARGETS });
