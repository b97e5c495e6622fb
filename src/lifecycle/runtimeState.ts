import { StateMachine, type TransitionTable } from './stateMachine';

/** The runtime's states as the Runtime API sees them (names as in Lambda's error messages). */
export type RuntimeState =
  | 'Started'
  | 'InitError'
  | 'Ready'
  | 'Running'
  | 'InvocationResponse'
  | 'InvocationErrorResponse'
  | 'ResponseSent';

const TRANSITIONS: TransitionTable<RuntimeState> = {
  Started: ['Ready', 'InitError'],
  InitError: [],
  Ready: ['Running'],
  Running: ['InvocationResponse', 'InvocationErrorResponse'],
  InvocationResponse: ['ResponseSent'],
  InvocationErrorResponse: ['ResponseSent'],
  ResponseSent: ['Ready'],
};

export const newRuntimeStateMachine = (): StateMachine<RuntimeState> => new StateMachine('runtime', 'Started', TRANSITIONS);
