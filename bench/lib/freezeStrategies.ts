import { createFreezer, type FreezeStrategyName } from '../../src/process/freezer';

export const FREEZING_STRATEGIES = ['cgroup2', 'cgroup1', 'sigstop'] as const;

export interface Availability {
  strategy: FreezeStrategyName;
  available: boolean;
  /** Why not, from the freezer's own log line. */
  reason?: string;
}

/** Opens each strategy for real (as the init does at start) and reports whether it was the one picked. */
export async function probeStrategies(): Promise<Availability[]> {
  const found: Availability[] = [];
  for (const strategy of FREEZING_STRATEGIES) {
    let line = '';
    const freezer = await createFreezer(strategy, { name: 'lambda-sandbox-bench', log: (message) => (line ||= message) });
    await freezer.dispose();
    const available = freezer.strategy === strategy;
    found.push({ strategy, available, ...(available ? {} : { reason: line }) });
  }
  return found;
}
