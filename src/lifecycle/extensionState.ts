import { StateMachine, type TransitionTable } from './stateMachine';

/** An extension's states as the Extensions API names them in its errors. */
export type ExtensionState =
  | 'Started'
  | 'Registered'
  | 'Ready'
  | 'Running'
  | 'InitError'
  | 'ExitError'
  | 'ShutdownFailed'
  | 'Exited'
  | 'LaunchError';

const TRANSITIONS: TransitionTable<ExtensionState> = {
  Started: ['Registered', 'LaunchError', 'Exited'],
  Registered: ['Ready', 'InitError', 'ExitError', 'Exited'],
  Ready: ['Running', 'ExitError', 'Exited'],
  Running: ['Ready', 'ExitError', 'ShutdownFailed', 'Exited'],
  InitError: ['Exited'],
  ExitError: ['Exited'],
  ShutdownFailed: ['Exited'],
  Exited: [],
  LaunchError: [],
};

export const newExtensionStateMachine = (name: string): StateMachine<ExtensionState> =>
  new StateMachine(`extension ${name}`, 'Started', TRANSITIONS);
