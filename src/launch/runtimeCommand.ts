import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Config } from '../config';

export interface RuntimeCommand {
  command: string;
  args: string[];
  /** Where the command came from, for the init's own log. */
  source: string;
  /** Set when the runtime is our built-in Node.js runtime (it gets AWS_EXECUTION_ENV like a managed runtime). */
  managedRuntime?: string;
}

/** Why no runtime can be started; becomes a Runtime.InvalidEntrypoint init error. */
export class EntrypointError extends Error {
  readonly errorType = 'Runtime.InvalidEntrypoint';
}

/** How Lambda (Go's os/exec) words why a command could not be started. */
export function execFailureWords(code: string | undefined, fallback: string): string {
  return code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : fallback;
}

/** The built-in Node.js runtime shipped with the init (issue 5). */
export const BUILTIN_NODEJS_BOOTSTRAP = path.resolve(__dirname, '../runtimes/nodejs/bootstrap.js');

function executable(file: string): 'yes' | 'missing' | 'not-executable' {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return 'not-executable';
    fs.accessSync(file, fs.constants.X_OK);
    return 'yes';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'not-executable';
  }
}

/**
 * Spec 6.4: the command line (RIE style), else `bootstrap` in the task root, in /opt, in the runtime dir, else the
 * built-in Node.js runtime when a handler is set. `AWS_LAMBDA_EXEC_WRAPPER` is put in front of whatever was found.
 * Synchronous: a few stat calls on local files, and at a cold start the first asynchronous file operation would
 * wait for libuv's thread pool to start (about 10 ms before the runtime can be spawned).
 */
export function resolveRuntimeCommand(config: Config, nodejsBootstrap: string = BUILTIN_NODEJS_BOOTSTRAP): RuntimeCommand {
  const found = findCommand(config, nodejsBootstrap);
  if (config.execWrapper === undefined) return found;
  const wrapper = executable(config.execWrapper);
  if (wrapper !== 'yes') {
    throw new EntrypointError(`AWS_LAMBDA_EXEC_WRAPPER ${config.execWrapper}: ${execFailureWords(wrapper === 'missing' ? 'ENOENT' : 'EACCES', '')}`);
  }
  return { ...found, command: config.execWrapper, args: [found.command, ...found.args], source: `${found.source} via ${config.execWrapper}` };
}

function findCommand(config: Config, nodejsBootstrap: string): RuntimeCommand {
  if (config.command.length > 0) {
    const [command, ...args] = config.command;
    return { command, args, source: 'command line' };
  }
  const candidates = [config.taskRoot, config.optDir, config.runtimeDir].map((dir) => path.join(dir, 'bootstrap'));
  for (const candidate of candidates) {
    const state = executable(candidate);
    if (state === 'yes') return { command: candidate, args: [], source: candidate };
    if (state === 'not-executable') throw new EntrypointError(`fork/exec ${candidate}: ${execFailureWords('EACCES', '')}`);
  }
  if (config.handler !== undefined && executable(nodejsBootstrap) !== 'missing') {
    return {
      command: process.execPath,
      args: [nodejsBootstrap],
      source: 'built-in Node.js runtime',
      managedRuntime: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
    };
  }
  throw new EntrypointError(
    `Couldn't find valid bootstrap(s): [${candidates.join(' ')}]` +
      (config.handler === undefined ? ' and no handler is set for the built-in Node.js runtime' : ''),
  );
}
