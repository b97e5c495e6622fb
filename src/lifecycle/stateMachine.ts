/** An event that the machine's table does not allow in its current state; the message is the one Lambda's APIs return. */
export class TransitionError extends Error {
  constructor(readonly machine: string, readonly from: string, readonly to: string) {
    super(`State transition from ${from} to ${to} failed for ${machine}. Error: State transition is not allowed`);
    this.name = 'TransitionError';
  }
}

/** `{state: {event: next state}}`: an event missing from a state's row is illegal in that state. */
export type EventTable<S extends string, E extends string> = { readonly [From in S]: Readonly<Partial<Record<E, S>>> };

export interface MachineDefinition<S extends string, E extends string> {
  name: string;
  initial: S;
  table: EventTable<S, E>;
  /** The state each event asks for, as Lambda's error message names it when the event is refused. */
  targets: Readonly<Record<E, S>>;
}

/** A named state machine driven by events; illegal events are refused from the table, never improvised. */
export class StateMachine<S extends string, E extends string> {
  private current: S;

  constructor(private readonly definition: MachineDefinition<S, E>) {
    this.current = definition.initial;
  }

  get state(): S {
    return this.current;
  }

  is(...states: S[]): boolean {
    return states.includes(this.current);
  }

  can(event: E): boolean {
    return this.definition.table[this.current][event] !== undefined;
  }

  /** Throws the TransitionError `fire(event)` would throw, without moving. */
  check(event: E): void {
    if (!this.can(event)) throw new TransitionError(this.definition.name, this.current, this.definition.targets[event]);
  }

  /** Moves on by `event`, or throws a TransitionError naming the state the event asked for. */
  fire(event: E): S {
    this.check(event);
    this.current = this.definition.table[this.current][event] as S;
    return this.current;
  }
}
