import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/paths';

/**
 * The client suites' own package (test/clients/package.json): clients that are slow or hard to install — such as
 * aws-lambda-ric, which compiles native code — live there, not in the repository's package.json, so that the
 * repository's `npm ci` needs only Node and npm. Each major version has an alias (`aws-lambda-ric-3`, ...).
 */
export const CLIENTS_DIR = path.join(REPO_ROOT, 'test', 'clients');

/** What a machine needs before `npm ci` in test/clients can succeed (aws-lambda-ric builds its native client). */
export const CLIENT_BUILD_NEEDS = 'Node.js, npm, and for aws-lambda-ric: make, g++, cmake, autoconf, automake, libtool ' +
  '(Debian: apt-get install make g++ cmake autoconf automake libtool), and the npm registry';

let installing: Promise<void> | undefined;

/**
 * The directory of one of the client suites' packages, e.g. `clientPackage('aws-lambda-ric-3', 'dist/rapid-client.node')`.
 * When that package or the file the suite needs (e.g. a native build product) is missing, runs `npm ci` in
 * test/clients first — once per test run, shared by every suite — and fails with what to install when it cannot.
 */
export async function clientPackage(name: string, needed: string): Promise<string> {
  const dir = path.join(CLIENTS_DIR, 'node_modules', name);
  const ready = () => fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, needed));
  if (ready()) return dir;
  installing ??= installClientPackages();
  await installing;
  if (!ready()) {
    throw new Error(`npm ci in ${CLIENTS_DIR} ran, yet ${path.join(dir, needed)} is missing: is ${name} in ` +
      `test/clients/package.json, and did its install script run? It needs ${CLIENT_BUILD_NEEDS}.`);
  }
  return dir;
}

function installClientPackages(): Promise<void> {
  process.stdout.write(`      (installing the client suites' packages: npm ci in ${path.relative(process.cwd(), CLIENTS_DIR) || '.'}; ` +
    'aws-lambda-ric compiles native code, a few minutes)\n');
  return new Promise((resolve, reject) => {
    execFile('npm', ['ci', '--no-audit', '--no-fund'], { cwd: CLIENTS_DIR, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve();
      const tail = `${stdout}${stderr}`.trim().split('\n').slice(-25).join('\n');
      reject(new Error(`npm ci in ${CLIENTS_DIR} failed (${error.message.split('\n')[0]}). The client suites need ` +
        `${CLIENT_BUILD_NEEDS}.\n--- last lines of its output ---\n${tail}`));
    });
  });
}
