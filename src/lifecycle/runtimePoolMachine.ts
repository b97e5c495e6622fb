import { StateMachine, type EventTable } from './stateMachine';

/**
 * The runtime as a whole on Managed Instances, where several workers share one process: it initialises once
 * (`Started`), then is `Ready` for good; each worker's /next is one more `next`. The invocations themselves have
 * their own machines (inFlightMachine.ts). Names as in Lambda's error messages.
 */
export type RuntimePoolState = 'Started' | 'InitError' | 'Ready';
export type RuntimePoolEvent = 'next' | 'initError';

const TABLE: EventTable<RuntimePoolState, RuntimePoolEvent> = {
  Started: { next: 'Ready', initError: 'InitError' },
  InitError: {},
  Ready: { next: 'Ready' },
};

const TARGETS: Record<RuntimePoolEvent, RuntimePoolState> = { next: 'Ready', initError: 'InitError' };

export type RuntimePoolMachine = StateMachine<RuntimePoolState, RuntimePoolEvent>;

export const newRuntimePoolMachine = (): RuntimePoolMachine =>
  new StateMachine({ name: 'runtime', initial: 'Started', table: TABLE, targets: TARGETS });
