import type { Row } from './row';

export interface BenchResult {
  rows: Row[];
  /** Things a reader of the table needs to know: skipped cases and why, what the init picked, sizes. */
  notes: string[];
}

export interface Benchmark {
  /** Short name, also accepted on the command line to run only some benchmarks. */
  name: string;
  run(progress: (line: string) => void): Promise<BenchResult>;
}
