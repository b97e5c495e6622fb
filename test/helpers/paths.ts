import * as path from 'node:path';

/** Compiled tests live in <outDir>/test/<kind>/; the repository root is three levels up from there. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const INIT_MAIN = path.resolve(__dirname, '../../src/main.js');
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');
