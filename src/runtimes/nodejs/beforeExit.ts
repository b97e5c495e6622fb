/**
 * The one thing to do when the event loop runs empty ('beforeExit'): finish a callback handler that waits for an
 * empty loop, or report a handler that never finished. The invoke loop swaps it per invocation.
 */
type Listener = () => void;

const nothing: Listener = () => {};
let current: Listener = nothing;

export const beforeExit = {
  set(listener: Listener): void {
    current = listener;
  },
  reset(): void {
    current = nothing;
  },
  /** Installed once on process 'beforeExit'. */
  invoke(): void {
    current();
  },
};
