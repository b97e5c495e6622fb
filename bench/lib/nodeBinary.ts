import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * The Node binary that runs the init and everything it is compared with (the floor server, the relay, the
 * runtimes through PATH, `node -e 0`): `BENCH_NODE=<path>` (e.g. a Node 24 binary), else the one running the bench.
 */
export const NODE_BIN = process.env.BENCH_NODE || process.execPath;

/** `node --version` of NODE_BIN, read once. */
export const NODE_VERSION = execFileSync(NODE_BIN, ['--version'], { encoding: 'utf8' }).trim();

/** PATH with NODE_BIN's directory first, so `#!/usr/bin/env node` runtimes and extensions run the same Node. */
export function pathWithNode(): string {
  return [path.dirname(NODE_BIN), process.env.PATH ?? '/usr/bin:/bin'].join(path.delimiter);
}
