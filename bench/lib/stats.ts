/** Median and tail of one set of samples. For a rate (higher is better) the tail is the slow end: the 1st percentile. */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of sorted samples (p in 0..100). */
function percentile(sorted: number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(samples: number[], higherIsBetter = false): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, higherIsBetter ? 1 : 99),
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}
