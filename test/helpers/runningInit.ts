import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { INIT_MAIN } from './paths';
import { waitFor } from './wait';

export interface InitOptions {
  /** Files to copy into the task root: path in task root → source path (copied with its mode). */
  taskFiles?: Record<string, string>;
  /** The same for the opt directory (layers), e.g. { 'extensions/my-ext': source }. */
  optFiles?: Record<string, string>;
  env?: Record<string, string>;
  args?: string[];
  /** Flags for the Node.js that runs the init (not the runtime), e.g. a heap cap. */
  nodeFlags?: string[];
  /** Wait for /healthz 200 before returning (default true). */
  waitReady?: boolean;
}

export interface InvokeResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json(): unknown;
}

/** Ports this process handed out already: tests that start several sandboxes at once must not get one twice. */
const handedOut = new Set<number>();

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A loopback port that was free a moment ago (another process may still take it: see RunningInit.start). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await ephemeralPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export function request(port: number, method: string, urlPath: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<InvokeResult> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all, json: () => JSON.parse(all.toString()) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const INVOKE_PATH = '/2015-03-31/functions/function/invocations';

/** The init's environment for a run in temporary directories, on loopback ports (tests and benchmarks). */
export function initEnvironment(dirs: { root: string; task: string; opt: string; tmp: string }, invokePort: number, apiPort: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LAMBDA_TASK_ROOT: dirs.task,
    LAMBDA_SANDBOX_OPT_DIR: dirs.opt,
    LAMBDA_SANDBOX_TMP_DIR: dirs.tmp,
    LAMBDA_SANDBOX_RUNTIME_DIR: path.join(dirs.root, 'runtime'),
    LAMBDA_SANDBOX_INVOKE_HOST: '127.0.0.1',
    LAMBDA_SANDBOX_INVOKE_PORT: String(invokePort),
    LAMBDA_SANDBOX_API_ADDRESS: `127.0.0.1:${apiPort}`,
  };
}

/** A real init process with temporary directories and its own ports, plus what it printed. */
export class RunningInit {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly child: ChildProcess,
    readonly invokePort: number,
    readonly apiPort: number,
    readonly dirs: { root: string; task: string; opt: string; tmp: string },
  ) {
    child.stdout?.on('data', (c: Buffer) => (this.stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static async start(options: InitOptions = {}): Promise<RunningInit> {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'lambda-sandbox-test-'));
    const dirs = { root, task: path.join(root, 'task'), opt: path.join(root, 'opt'), tmp: path.join(root, 'tmp') };
    await Promise.all([dirs.task, dirs.opt, dirs.tmp].map((d) => fs.mkdir(d, { recursive: true })));
    // Like the image: everyone may read code and layers, only /tmp is writable by the function's user.
    await fs.chmod(root, 0o755);
    await fs.chmod(dirs.tmp, 0o1777);
    for (const [dir, files] of [[dirs.task, options.taskFiles], [dirs.opt, options.optFiles]] as const) {
      for (const [target, source] of Object.entries(files ?? {})) {
        await fs.mkdir(path.dirname(path.join(dir, target)), { recursive: true });
        await fs.copyFile(source, path.join(dir, target));
        await fs.chmod(path.join(dir, target), (await fs.stat(source)).mode);
      }
    }
    // A port found free can be taken by someone else before the init binds it: then try other ones.
    for (let attempt = 1; ; attempt++) {
      const sandbox = await RunningInit.launch(options, dirs);
      try {
        if (options.waitReady ?? true) await sandbox.waitReady();
        return sandbox;
      } catch (error) {
        if (attempt >= 3 || !/EADDRINUSE/.test(sandbox.stderr)) throw error;
      }
    }
  }

  private static async launch(options: InitOptions, dirs: RunningInit['dirs']): Promise<RunningInit> {
    const [invokePort, apiPort] = [await freePort(), await freePort()];
    const env = { ...initEnvironment(dirs, invokePort, apiPort), ...options.env };
    const child = spawn(process.execPath, [...(options.nodeFlags ?? []), INIT_MAIN, ...(options.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new RunningInit(child, invokePort, apiPort, dirs);
  }

  async waitReady(timeoutMs = 15_000): Promise<void> {
    let exited = false;
    void this.exited.then(() => (exited = true));
    const ready = async () => ((await request(this.invokePort, 'GET', '/healthz').catch(() => undefined))?.status === 200 ? true : undefined);
    await waitFor('the init to be ready', ready, { timeoutMs, pollMs: 25, giveUp: () => (exited ? 'it exited' : undefined) }).catch((error: Error) => {
      throw new Error(`sandbox not ready (${error.message})\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
    });
  }

  invoke(payload: unknown, headers: Record<string, string> = {}, urlPath = INVOKE_PATH): Promise<InvokeResult> {
    const body = Buffer.isBuffer(payload) ? payload : typeof payload === 'string' ? payload : JSON.stringify(payload);
    return request(this.invokePort, 'POST', urlPath, body, headers);
  }

  async health(): Promise<{ status: string; environment: string; busy: boolean; queued: number }> {
    return (await request(this.invokePort, 'GET', '/healthz')).json() as { status: string; environment: string; busy: boolean; queued: number };
  }

  /** Waits until no invocation runs or waits: every invoke phase, freeze included, is over. */
  async settled(): Promise<void> {
    await waitFor('the invoke phases to end', async () => {
      const health = await this.health();
      return health.busy || health.queued > 0 ? undefined : true;
    });
  }

  /** Waits until stdout contains `text` (the log stream is written asynchronously to the invoke reply). */
  async waitForOutput(pattern: RegExp | string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const found = (): boolean => (typeof pattern === 'string' ? this.stdout.includes(pattern) : pattern.test(this.stdout));
    while (!found()) {
      if (Date.now() > deadline) throw new Error(`output never matched ${pattern}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const result = await Promise.race([
      this.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`init did not exit after SIGTERM\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`)), 10_000)),
    ]).finally(() => this.child.kill('SIGKILL'));
    await fs.rm(this.dirs.root, { recursive: true, force: true });
    return result;
  }
}
