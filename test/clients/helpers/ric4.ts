import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/paths';
import { findNode24 } from '../../integration/nodejs/helpers/node24';

/**
 * AWS's aws-lambda-ric 4.x (Node.js 22+, Managed Instances support): the client suites' package's `aws-lambda-ric-4`
 * when it has one that loads in Node.js 24, else installed once per machine into the temporary directory with a real
 * Node.js 24 (its native client is built against that Node's ABI; the build needs autoconf, automake, libtool, cmake,
 * make and g++, and takes minutes). Either how to start it, or why it cannot be.
 */
export type Ric4 = { node: string; entry: string; version: string } | { skipped: string };

const CACHE = path.join(os.tmpdir(), 'lambda-sandbox-aws-lambda-ric-4');
const INSTALL_TIMEOUT_MS = 20 * 60_000;

/** A 4.x package under `root` whose native client loads in `node` (built for its ABI), or undefined. */
function usable(root: string, node: string): { entry: string; version: string } | undefined {
  try {
    const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const nativeClient = path.join(root, 'rapid-client.node');
    if (!version.startsWith('4.') || !fs.existsSync(nativeClient)) return undefined;
    // The native client reads AWS_LAMBDA_RUNTIME_API as it loads (and aborts without it); nothing is contacted.
    execFileSync(node, ['-e', `require(${JSON.stringify(nativeClient)})`], {
      stdio: 'ignore',
      timeout: 30_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9' },
    });
    return { entry: path.join(root, 'index.mjs'), version };
  } catch {
    return undefined;
  }
}

/** Installed by `npm install` into `dir`. */
function installed(dir: string, node: string): { entry: string; version: string } | undefined {
  return usable(path.join(dir, 'node_modules', 'aws-lambda-ric'), node);
}

/** The client suites' own package (test/clients/package.json), when it has aws-lambda-ric 4.x as `aws-lambda-ric-4`. */
function fromClientSuitesPackage(node: string): { entry: string; version: string } | undefined {
  try {
    const manifest = require.resolve('aws-lambda-ric-4/package.json', { paths: [path.join(REPO_ROOT, 'test', 'clients')] });
    return usable(path.dirname(manifest), node);
  } catch {
    return undefined;
  }
}

/** npm's own script, run by Node.js 24 so that node-gyp builds for it. */
function npmCli(): string {
  const npm = execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim();
  return fs.realpathSync(npm);
}

let found: Ric4 | undefined;

export function prepareRic4(): Ric4 {
  if (found !== undefined) return found;
  const node = findNode24();
  if ('skipped' in node) return (found = { skipped: `aws-lambda-ric 4.x needs Node.js 22 or later: ${node.skipped}` });
  const ready = fromClientSuitesPackage(node.path) ?? installed(CACHE, node.path);
  if (ready) return (found = { node: node.path, ...ready });
  // Installed aside, then moved into place: a half-built install is never taken for a finished one.
  const work = `${CACHE}.${process.pid}`;
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  // npm runs a package's install scripts only when allowed; the native client is built by them.
  fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'ric4-client-suite', private: true, allowScripts: { 'aws-lambda-ric': true } }));
  try {
    execFileSync(node.path, [npmCli(), 'install', '--no-audit', '--no-fund', 'aws-lambda-ric@^4'], {
      cwd: work,
      env: { ...process.env, PATH: `${path.dirname(node.path)}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const output = `${(error as { stderr?: Buffer }).stderr?.toString() ?? ''}`.trim().split('\n').slice(-5).join(' | ');
    fs.rmSync(work, { recursive: true, force: true });
    return (found = { skipped: `npm install aws-lambda-ric@^4 failed: ${(error as Error).message.split('\n')[0]} ${output}` });
  }
  const built = installed(work, node.path);
  if (!built) {
    fs.rmSync(work, { recursive: true, force: true });
    return (found = {
      skipped: 'aws-lambda-ric 4.x installed, but its native client rapid-client.node was not built or does not load in Node.js 24 ' +
        '(the build needs autoconf, automake, libtool, cmake, make, g++)',
    });
  }
  try {
    fs.renameSync(work, CACHE);
  } catch {
    // Another run finished first: use its copy.
    fs.rmSync(work, { recursive: true, force: true });
  }
  return (found = { node: node.path, ...(installed(CACHE, node.path) ?? built) });
}
