import { StateMachine, type EventTable } from './stateMachine';

/**
 * One invocation on Managed Instances, from the runtime's side: `Queued` until a worker's /next takes it, `Running`
 * until its result starts, `ResponseSent` once the result is read. `Ended` is the platform giving up on it (its
 * timeout): a result that arrives then is refused with 410 (docs/lambda-behaviour.md#invocation-ids).
 */
export type InFlightState = 'Queued' | 'Running' | 'InvocationResponse' | 'InvocationErrorResponse' | 'ResponseSent' | 'Ended';
export type InFlightEvent = 'deliver' | 'response' | 'error' | 'resultSent' | 'end';

const TABLE: EventTable<InFlightState, InFlightEvent> = {
  Queued: { deliver: 'Running', end: 'Ended' },
  Running: { response: 'InvocationResponse', error: 'InvocationErrorResponse', end: 'Ended' },
  InvocationResponse: { resultSent: 'ResponseSent', end: 'Ended' },
  InvocationErrorResponse: { resultSent: 'ResponseSent', end: 'Ended' },
  ResponseSent: {},
  // A result still being read when the invocation timed out finishes reading into nothing.
  Ended: { resultSent: 'Ended' },
};

const TARGETS: Record<InFlightEvent, InFlightState> = {
  deliver: 'Running', response: 'InvocationResponse', error: 'InvocationErrorResponse', resultSent: 'ResponseSent', end: 'Ended',
};

export type InFlightMachine = StateMachine<InFlightState, InFlightEvent>;

export const newInFlightMachine = (requestId: string): InFlightMachine =>
  new StateMachine({ name: `invocation ${requestId}`, initial: 'Queued', table: TABLE, targets: TARGETS });
