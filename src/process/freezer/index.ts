import { DEFAULT_CGROUP_NAME, validateCgroupName } from './cgroup-child';
import { type CgroupLocation, findOwnCgroup1Freezer, findOwnCgroup2 } from './cgroup-mounts';
import { openCgroup1Freezer } from './cgroup1-freezer';
import { openCgroup2Freezer } from './cgroup2-freezer';
import { NoFreezer } from './no-freezer';
import { SignalFreezer } from './signal-freezer';
import {
  FREEZE_STRATEGIES,
  type FreezeStrategyName,
  type Freezer,
  FreezerError,
  type FreezerOptions,
  type OpenResult,
} from './types';

export { FREEZE_STRATEGIES, type FreezeStrategyName, type Freezer, FreezerError, type FreezerOptions } from './types';

const DEFAULT_FREEZE_TIMEOUT_MS = 2000;

/** The strategies tried, best first, for each preference: a named one falls back to the weaker ones after it. */
const FALLBACK_CHAIN: Record<'auto' | FreezeStrategyName, FreezeStrategyName[]> = {
  auto: ['cgroup2', 'cgroup1', 'sigstop'],
  cgroup2: ['cgroup2', 'cgroup1', 'sigstop'],
  cgroup1: ['cgroup1', 'sigstop'],
  sigstop: ['sigstop'],
  none: ['none'],
};

/**
 * Picks the freeze strategy at start. Each cgroup strategy is tried for real (create a cgroup, write its control
 * file, let a test process join it); the first that works is used, and the choice is logged once together with why
 * the better ones were skipped.
 */
export async function createFreezer(
  preference: 'auto' | FreezeStrategyName,
  options: FreezerOptions = {},
): Promise<Freezer> {
  if (!Object.hasOwn(FALLBACK_CHAIN, preference)) {
    throw new FreezerError(`unknown freeze strategy "${String(preference)}": use auto, ${FREEZE_STRATEGIES.join(', ')}`);
  }
  const name = options.name ?? DEFAULT_CGROUP_NAME;
  validateCgroupName(name);
  const timeoutMs = options.freezeTimeoutMs ?? DEFAULT_FREEZE_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new FreezerError(`invalid freeze timeout ${timeoutMs} ms: must be a positive number`);
  }
  const log = options.log ?? (() => undefined);

  const skipped: string[] = [];
  for (const strategy of FALLBACK_CHAIN[preference]) {
    const opened = await open(strategy, options, name, timeoutMs, log);
    if (!opened.ok) {
      skipped.push(`skipped ${strategy}: ${opened.reason}`);
      continue;
    }
    const where = opened.freezer.cgroupDir ? ` in ${opened.freezer.cgroupDir}` : '';
    const remarks = [...skipped, ...(opened.note ? [opened.note] : [])];
    log(`freezer: ${strategy}${where}${remarks.length > 0 ? ` (${remarks.join('; ')})` : ''}`);
    return opened.freezer;
  }
  // Unreachable: sigstop and none always open. Kept so a future chain without them fails loudly.
  throw new FreezerError(`no freeze strategy available: ${skipped.join('; ')}`);
}

async function open(
  strategy: FreezeStrategyName,
  { cgroupRoot, adoptedBy }: FreezerOptions,
  name: string,
  timeoutMs: number,
  log: (message: string) => void,
): Promise<OpenResult> {
  switch (strategy) {
    case 'cgroup2':
    case 'cgroup1': {
      if (process.platform !== 'linux') return { ok: false, reason: `cgroups need Linux (this is ${process.platform})` };
      const parent: CgroupLocation = cgroupRoot
        ? { ok: true, dir: cgroupRoot }
        : strategy === 'cgroup2'
          ? findOwnCgroup2()
          : findOwnCgroup1Freezer();
      if (!parent.ok) return parent;
      return strategy === 'cgroup2'
        ? openCgroup2Freezer(parent.dir, name, timeoutMs, log)
        : openCgroup1Freezer(parent.dir, name, timeoutMs, log);
    }
    case 'sigstop':
      return { ok: true, freezer: new SignalFreezer(timeoutMs, adoptedBy) };
    case 'none':
      return { ok: true, freezer: new NoFreezer() };
  }
}
