/**
 * Command line of the bench: `node dist/bench/run.js [--quick] [warm] [cold] [soak] [unpack] [freeze]`.
 * --quick (or BENCH_QUICK=1) runs fewer iterations, for checking a change in a minute or two; its figures are
 * rougher and its RSS-after row counts fewer invokes than the target names.
 */
export interface BenchOptions {
  quick: boolean;
  names: string[];
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
  return { quick, names: argv.filter((a) => a !== '--quick') };
}

export const OPTIONS = parseOptions(process.argv.slice(2));

/** `full` normally, `quick` with --quick. */
export function scaled(full: number, quick: number): number {
  return OPTIONS.quick ? quick : full;
}
