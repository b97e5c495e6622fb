import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './paths';

/** The image's entrypoint script: its `exec node <flags> .../main.js` line is how the product starts the init. */
export const ENTRYPOINT = path.join(REPO_ROOT, 'scripts', 'image', 'entrypoint.sh');

/**
 * The Node flags the image starts the init with (e.g. a smaller young generation), so the bench measures the init
 * as it ships; none when the entrypoint has no such line.
 */
export function initNodeFlags(): string[] {
  let script: string;
  try {
    script = readFileSync(ENTRYPOINT, 'utf8');
  } catch {
    return [];
  }
  const line = /^\s*exec\s+node\s+(.*?)\s*\S*main\.js\b/m.exec(script);
  return line ? line[1].split(/\s+/).filter((flag) => flag.startsWith('--')) : [];
}
