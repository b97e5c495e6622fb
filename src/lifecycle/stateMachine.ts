/** A named state machine driven by a table of allowed transitions; illegal moves are refused, never improvised. */
export class TransitionError extends Error {
  constructor(readonly machine: string, readonly from: string, readonly to: string) {
    super(`State transition from ${from} to ${to} failed for ${machine}. Error: State transition is not allowed`);
    this.name = 'TransitionError';
  }
}

export type TransitionTable<S extends string> = { readonly [From in S]: readonly S[] };

export class StateMachine<S extends string> {
  private current: S;

  constructor(readonly machine: string, initial: S, private readonly table: TransitionTable<S>) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  is(...states: S[]): boolean {
    return states.includes(this.current);
  }

  can(to: S): boolean {
    return this.table[this.current].includes(to);
  }

  /** Moves to `to`, or throws a TransitionError whose message is the one Lambda's APIs return. */
  transition(to: S): void {
    if (!this.can(to)) throw new TransitionError(this.machine, this.current, to);
    this.current = to;
  }
}
