import { StateMachine, type TransitionTable } from './stateMachine';

/** The execution environment as a whole (spec 1): Init → Invoke* → Shutdown, with resets back to Uninitialized. */
export type EnvironmentState = 'Uninitialized' | 'Initializing' | 'Ready' | 'Invoking' | 'ShuttingDown' | 'Stopped';

const TRANSITIONS: TransitionTable<EnvironmentState> = {
  Uninitialized: ['Initializing', 'ShuttingDown'],
  Initializing: ['Ready', 'Uninitialized', 'ShuttingDown'],
  Ready: ['Invoking', 'Uninitialized', 'ShuttingDown'],
  Invoking: ['Ready', 'Uninitialized', 'ShuttingDown'],
  ShuttingDown: ['Stopped'],
  Stopped: [],
};

export const newEnvironmentStateMachine = (): StateMachine<EnvironmentState> =>
  new StateMachine('environment', 'Uninitialized', TRANSITIONS);
