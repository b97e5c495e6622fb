import * as path from 'node:path';

/** Compiled benchmarks live in <outDir>/bench/lib/; the repository root is three levels up. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
/** The compiled init of the same build. */
export const INIT_MAIN = path.resolve(__dirname, '../../src/main.js');
/** Runtimes, extensions and the floor server, used as they are (plain JavaScript, not compiled). */
export const BENCH_FIXTURES = path.join(REPO_ROOT, 'bench', 'fixtures');
export const ECHO_RUNTIME = path.join(BENCH_FIXTURES, 'echo-runtime', 'bootstrap');
export const KEEPALIVE_EXTENSION = path.join(BENCH_FIXTURES, 'extensions', 'keepalive-ext');
export const ECHO_SERVER = path.join(BENCH_FIXTURES, 'echo-server.js');
export const RELAY_SERVER = path.join(BENCH_FIXTURES, 'relay-server.js');
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
