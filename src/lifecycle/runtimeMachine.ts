import { StateMachine, type EventTable } from './stateMachine';

/** The runtime's states as the Runtime API sees them (names as in Lambda's error messages). */
export type RuntimeState = 'Started' | 'InitError' | 'Ready' | 'Running' | 'InvocationResponse' | 'InvocationErrorResponse' | 'ResponseSent';

/**
 * `next`: a /next from a runtime that is done with its work; `reconnect`: a /next that replaces one whose connection
 * dropped; `deliver`: an event is handed over; `response`/`error`: a result starts; `resultSent`: it has been read.
 */
export type RuntimeEvent = 'next' | 'reconnect' | 'deliver' | 'response' | 'error' | 'resultSent' | 'initError';

const TABLE: EventTable<RuntimeState, RuntimeEvent> = {
  Started: { next: 'Ready', initError: 'InitError' },
  InitError: {},
  Ready: { reconnect: 'Ready', deliver: 'Running' },
  // A /next while the event is out and unanswered gets the same event again (its first answer may have been lost).
  Running: { next: 'Running', response: 'InvocationResponse', error: 'InvocationErrorResponse' },
  InvocationResponse: { resultSent: 'ResponseSent' },
  InvocationErrorResponse: { resultSent: 'ResponseSent' },
  ResponseSent: { next: 'Ready' },
};

const TARGETS: Record<RuntimeEvent, RuntimeState> = {
  next: 'Ready', reconnect: 'Ready', deliver: 'Running', response: 'InvocationResponse',
  error: 'InvocationErrorResponse', resultSent: 'ResponseSent', initError: 'InitError',
};

export type RuntimeMachine = StateMachine<RuntimeState, RuntimeEvent>;

export const newRuntimeMachine = (): RuntimeMachine =>
  new StateMachine({ name: 'runtime', initial: 'Started', table: TABLE, targets: TARGETS });
