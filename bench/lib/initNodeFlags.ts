import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './paths';

/** The Dockerfile: its exec-form `ENTRYPOINT ["node", <flags>..., ".../entrypoint.js"]` is how the product starts the init. */
export const DOCKERFILE = path.join(REPO_ROOT, 'Dockerfile');

/**
 * The Node flags the image starts the init with (e.g. a smaller young generation), so the bench measures the init
 * as it ships; none when the Dockerfile has no such ENTRYPOINT.
 */
export function initNodeFlags(): string[] {
  let dockerfile: string;
  try {
    dockerfile = readFileSync(DOCKERFILE, 'utf8');
  } catch {
    return [];
  }
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile);
  if (!line) return [];
  const argv: unknown = JSON.parse(line[1]);
  if (!Array.isArray(argv) || argv[0] !== 'node') return [];
  return argv.filter((arg): arg is string => typeof arg === 'string' && arg.startsWith('--'));
}
