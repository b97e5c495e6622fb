/** Carries batches of serialised events to one subscriber. */
export interface Transport {
  /**
   * Delivers one batch. Resolves once the subscriber has it (HTTP: it answered 2xx; TCP: the lines were written),
   * rejects with a readable error otherwise or when `signal` aborts.
   */
  send(events: readonly string[], signal: AbortSignal): Promise<void>;
  /** Drops connections; later sends are not expected. */
  close(): void;
}

/** The error a send rejects with when its signal aborts: the abort reason when it is an Error. */
export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('delivery aborted');
}
