import { StateMachine, type EventTable } from './stateMachine';

/** An extension's states as the Extensions API names them in its errors. */
export type ExtensionState =
  | 'Started' | 'Registered' | 'Ready' | 'Running' | 'InitError' | 'ExitError' | 'ShutdownFailed' | 'Exited' | 'LaunchError';

/** `reconnect` is an /event/next that replaces one whose connection dropped. */
export type ExtensionEvent =
  | 'register' | 'next' | 'reconnect' | 'deliver' | 'initError' | 'exitError' | 'shutdownFailed' | 'exited' | 'launchError';

const TABLE: EventTable<ExtensionState, ExtensionEvent> = {
  Started: { register: 'Registered', launchError: 'LaunchError', exited: 'Exited' },
  Registered: { next: 'Ready', initError: 'InitError', exitError: 'ExitError', exited: 'Exited' },
  Ready: { reconnect: 'Ready', deliver: 'Running', exitError: 'ExitError', exited: 'Exited' },
  Running: { next: 'Ready', exitError: 'ExitError', shutdownFailed: 'ShutdownFailed', exited: 'Exited' },
  InitError: { exited: 'Exited' },
  ExitError: { exited: 'Exited' },
  ShutdownFailed: { exited: 'Exited' },
  Exited: {},
  LaunchError: {},
};

const TARGETS: Record<ExtensionEvent, ExtensionState> = {
  register: 'Registered', next: 'Ready', reconnect: 'Ready', deliver: 'Running', initError: 'InitError',
  exitError: 'ExitError', shutdownFailed: 'ShutdownFailed', exited: 'Exited', launchError: 'LaunchError',
};

export type ExtensionMachine = StateMachine<ExtensionState, ExtensionEvent>;

export const newExtensionMachine = (name: string): ExtensionMachine =>
  new StateMachine({ name: `extension ${name}`, initial: 'Started', table: TABLE, targets: TARGETS });
