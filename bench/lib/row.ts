import type { Summary } from './stats';

/** One line of the table: our figure, the reference measured in the same run, and how they compare. */
export interface Row {
  benchmark: string;
  case: string;
  metric: string;
  unit: string;
  /** Rates (MB/s, invokes/s): the tail is then the 1st percentile, and ratio > 1 means we are faster. */
  higherIsBetter: boolean;
  ours: Summary;
  reference: { label: string; summary: Summary };
  /** ours.p50 / reference.p50. */
  ratio: number;
  /** ours.p50 - reference.p50, in `unit` (shown for latencies). */
  overhead?: number;
  target?: { text: string; met: boolean };
  note?: string;
}

export function row(fields: Omit<Row, 'ratio' | 'overhead'> & { showOverhead?: boolean }): Row {
  const { showOverhead, ...rest } = fields;
  const ratio = fields.ours.p50 / fields.reference.summary.p50;
  return {
    ...rest,
    ratio,
    ...(showOverhead ? { overhead: fields.ours.p50 - fields.reference.summary.p50 } : {}),
  };
}

/** A target on the median and/or the tail, e.g. atMost(1, 3, 'ms'); undefined skips that part. */
export function targetAtMost(summary: Summary, p50: number | undefined, p99: number | undefined, unit: string): Row['target'] {
  const parts: string[] = [];
  let met = true;
  if (p50 !== undefined) {
    parts.push(`p50<=${p50}${unit}`);
    met &&= summary.p50 <= p50;
  }
  if (p99 !== undefined) {
    parts.push(`p99<=${p99}${unit}`);
    met &&= summary.p99 <= p99;
  }
  return { text: parts.join(' '), met };
}
