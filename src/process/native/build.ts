/**
 * Builds sandbox_native.node with the system C compiler. No node-gyp and no downloads: the Node-API headers come
 * from the Node installation itself (official builds ship include/node), from npm's nodedir setting, or from the
 * node-api-headers package when it is installed.
 *
 *   node <outDir>/src/process/native/build.js [--optional] [--force]
 *
 * --optional: when no compiler or headers exist, print one warning and exit 0 (the init then runs without the orphan
 * reaper and says so once). --force: rebuild even when the addon is newer than its source.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ADDON_FILE } from './addon';

const SOURCE = path.resolve(__dirname, '../../../../src/process/native/sandbox_native.c');
const PREFIX = 'sandbox native addon:';

class CannotBuild extends Error {}

function findCompiler(): string[] {
  const fromEnv = process.env.CC?.trim();
  const candidates = fromEnv ? [fromEnv.split(/\s+/)] : [['cc'], ['gcc'], ['clang']];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate[0], [...candidate.slice(1), '--version'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  throw new CannotBuild(`no C compiler found (tried ${candidates.map((c) => c.join(' ')).join(', ')}; set CC to choose one)`);
}

function findHeaders(): string {
  const candidates: string[] = [];
  const nodedir = process.env.npm_config_nodedir;
  if (nodedir) candidates.push(path.join(nodedir, 'include', 'node'));
  candidates.push(path.resolve(path.dirname(process.execPath), '..', 'include', 'node'));
  try {
    candidates.push(path.join(path.dirname(require.resolve('node-api-headers/package.json')), 'include'));
  } catch {
    // optional package, not installed
  }
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'node_api.h')));
  if (!found) throw new CannotBuild(`no node_api.h found (looked in ${candidates.join(', ')})`);
  return found;
}

function upToDate(): boolean {
  try {
    return fs.statSync(ADDON_FILE).mtimeMs >= fs.statSync(SOURCE).mtimeMs;
  } catch {
    return false;
  }
}

function build(): void {
  if (process.platform !== 'linux') throw new CannotBuild(`Linux only (this is ${process.platform})`);
  if (!fs.existsSync(SOURCE)) throw new Error(`${SOURCE} is missing`);
  const compiler = findCompiler();
  const headers = findHeaders();
  // Built under a temporary name and checked in a fresh Node before it replaces the old one.
  const temporary = ADDON_FILE.replace(/\.node$/, `.${process.pid}.tmp.node`);
  const args = [
    ...compiler.slice(1),
    '-std=gnu11', '-O2', '-Wall', '-Wextra', '-fPIC', '-shared', '-fvisibility=hidden',
    '-I', headers, '-o', temporary, SOURCE,
  ];
  const result = spawnSync(compiler[0], args, { encoding: 'utf8' });
  if (result.status !== 0) {
    fs.rmSync(temporary, { force: true });
    throw new Error(`${compiler.join(' ')} failed:\n${result.stderr || result.error?.message || `exit ${result.status}`}`);
  }
  const check = `const a = require(${JSON.stringify(temporary)}); if (typeof a.waitpidNoHang !== 'function') process.exit(3);`;
  const loads = spawnSync(process.execPath, ['-e', check], { encoding: 'utf8' });
  if (loads.status !== 0) {
    fs.rmSync(temporary, { force: true });
    throw new Error(`the built addon does not load: ${loads.stderr.trim() || `exit ${loads.status}`}`);
  }
  fs.renameSync(temporary, ADDON_FILE);
}

function main(argv: string[]): number {
  const unknown = argv.filter((arg) => arg !== '--optional' && arg !== '--force');
  if (unknown.length > 0) {
    console.error(`${PREFIX} unknown argument ${unknown[0]} (use --optional and/or --force)`);
    return 2;
  }
  if (!argv.includes('--force') && upToDate()) {
    console.log(`${PREFIX} ${ADDON_FILE} is up to date`);
    return 0;
  }
  try {
    build();
    console.log(`${PREFIX} built ${ADDON_FILE}`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof CannotBuild && argv.includes('--optional')) {
      console.warn(`${PREFIX} not built: ${message}; orphaned processes will not be reaped when the init is PID 1`);
      return 0;
    }
    console.error(`${PREFIX} build failed: ${message}`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
