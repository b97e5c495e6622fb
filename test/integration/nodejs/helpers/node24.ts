import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../../helpers/paths';

/**
 * A real Node.js 24 binary for the tests of the nodejs24.x semantics: `../shared/tools/node-bin.sh 24` next to the
 * repository prints one (fetched once, cached). Either the binary or why there is none.
 */
export type Node24 = { path: string } | { skipped: string };

let found: Node24 | undefined;

export function findNode24(): Node24 {
  if (found !== undefined) return found;
  const tool = path.resolve(REPO_ROOT, '..', 'shared', 'tools', 'node-bin.sh');
  if (!fs.existsSync(tool)) return (found = { skipped: `no Node.js 24 to test with: ${tool} does not exist` });
  try {
    const binary = execFileSync(tool, ['24'], { encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
    if (!version.startsWith('v24.')) return (found = { skipped: `${tool} 24 printed ${binary}, which is Node.js ${version}` });
    return (found = { path: binary });
  } catch (error) {
    return (found = { skipped: `${tool} 24 failed: ${(error as Error).message}` });
  }
}

/** In a mocha hook: the Node.js 24 binary, or the test is skipped with the reason printed. */
export function node24OrSkip(context: Mocha.Context): string {
  const node = findNode24();
  if ('path' in node) return node.path;
  console.log(`      SKIPPED: ${node.skipped}`);
  context.skip();
}
