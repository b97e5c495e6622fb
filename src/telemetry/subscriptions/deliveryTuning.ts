/** How hard delivery tries before records are given up (not part of the subscription; fixed by the init). */
export interface DeliveryTuning {
  /** A request that is not answered in this time fails (time while the extension is frozen does not count). */
  requestTimeoutMs: number;
  /** Tries per batch, the first included. */
  maxAttempts: number;
  /** Wait before the second try; doubled for each further one. */
  retryBackoffMs: number;
}

export const DEFAULT_DELIVERY_TUNING: DeliveryTuning = { requestTimeoutMs: 5_000, maxAttempts: 3, retryBackoffMs: 100 };
