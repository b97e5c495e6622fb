import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { FIXTURES, INIT_MAIN } from '../../../helpers/paths';

/** The compiled built-in runtime, next to the compiled init. */
export const NODEJS_BOOTSTRAP = path.resolve(path.dirname(INIT_MAIN), 'runtimes/nodejs/bootstrap.js');
export const FUNCTIONS = path.join(FIXTURES, 'nodejs', 'functions');

export interface RuntimeProcess {
  child: ChildProcess;
  /** Complete stdout lines so far. */
  lines(): string[];
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout line (now or later) that matches. */
  waitForLine(match: (line: string) => boolean): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the runtime as the init would (Lambda's environment variables, cwd = task root), against `runtimeApi`, on the Node.js
 * binary `node` (this process's by default; see node24.ts for a Node.js 24 one).
 */
export function startRuntime(
  runtimeApi: string,
  handler: string | undefined,
  env: Record<string, string> = {},
  taskRoot = FUNCTIONS,
  node = process.execPath,
): RuntimeProcess {
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_LAMBDA_FUNCTION_NAME: 'test_function',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/test_function',
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    TZ: ':UTC',
    ...env,
  };
  if (handler !== undefined) childEnv._HANDLER = handler;
  const child = spawn(node, [NODEJS_BOOTSTRAP], { cwd: taskRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdoutLines: string[] = [];
  const watchers: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let partial = '';
  let errText = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    const parts = (partial + text).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      stdoutLines.push(line);
      for (const watcher of watchers.filter((w) => w.match(line))) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (errText += text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': by then all of stdout and stderr has been read.
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines: () => [...stdoutLines],
    stderr: () => errText,
    exited,
    waitForLine: (match) => {
      const found = stdoutLines.find(match);
      return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => watchers.push({ match, resolve }));
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
