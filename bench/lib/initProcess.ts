import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, initEnvironment } from '../../test/helpers/runningInit';
import { initNodeFlags } from './initNodeFlags';
import { ECHO_RUNTIME, INIT_MAIN, KEEPALIVE_EXTENSION } from './paths';
import { waitFor200 } from './waitFor';

/** As LAMBDA_SANDBOX_FREEZE takes it; auto is the default. */
export type FreezeSetting = 'auto' | 'cgroup2' | 'cgroup1' | 'sigstop' | 'none';

export interface InitOptions {
  freeze: FreezeSetting;
  /** How many copies of the keep-alive extension go into <opt>/extensions. */
  extensions: number;
}

/** Read once: the same flags for every init of a run. */
export const INIT_FLAGS = initNodeFlags();

/** The last bytes of a child's output, for error messages; the rest is read and dropped so the pipe never blocks. */
class Tail {
  private text = '';
  push(chunk: Buffer): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-4000);
  }
  toString(): string {
    return this.text;
  }
}

/**
 * The init as a plain process on the host (as the integration tests run it): temporary task, opt and tmp
 * directories, the echo runtime as <task>/bootstrap, its own ports on 127.0.0.1. Its output is drained through pipes,
 * as docker would read it.
 */
export class InitProcess {
  readonly exited: Promise<void>;
  private readonly stdout = new Tail();
  private readonly stderr = new Tail();
  /** The start of the init's own log (stderr), where it names the freeze strategy it picked. */
  private stderrHead = '';
  private running = true;

  private constructor(readonly child: ChildProcess, readonly invokePort: number, private readonly root: string) {
    child.stdout?.on('data', (c: Buffer) => this.stdout.push(c));
    child.stderr?.on('data', (c: Buffer) => {
      this.stderr.push(c);
      if (this.stderrHead.length < 8000) this.stderrHead += c.toString('utf8');
    });
    this.exited = new Promise((resolve) => child.once('exit', () => {
      this.running = false;
      resolve();
    }));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('the init did not start');
    return this.child.pid;
  }

  /** Directories prepared before the clock starts, so a cold start measures the init and not our copying. */
  static async prepare(options: InitOptions): Promise<PreparedInit> {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'lambda-sandbox-bench-'));
    const dirs = { task: path.join(root, 'task'), opt: path.join(root, 'opt'), tmp: path.join(root, 'tmp') };
    await Promise.all(Object.values(dirs).map((d) => fs.mkdir(d, { recursive: true })));
    await fs.copyFile(ECHO_RUNTIME, path.join(dirs.task, 'bootstrap'));
    await fs.chmod(path.join(dirs.task, 'bootstrap'), 0o755);
    if (options.extensions > 0) await fs.mkdir(path.join(dirs.opt, 'extensions'));
    for (let i = 0; i < options.extensions; i++) {
      const file = path.join(dirs.opt, 'extensions', `keepalive-ext-${i + 1}`);
      await fs.copyFile(KEEPALIVE_EXTENSION, file);
      await fs.chmod(file, 0o755);
    }
    const [invokePort, apiPort] = [await freePort(), await freePort()];
    const env = { ...initEnvironment({ root, ...dirs }, invokePort, apiPort), LAMBDA_SANDBOX_FREEZE: options.freeze };
    return { root, env, invokePort };
  }

  static spawn(prepared: PreparedInit): InitProcess {
    const child = spawn(process.execPath, [...INIT_FLAGS, INIT_MAIN], { env: prepared.env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new InitProcess(child, prepared.invokePort, prepared.root);
  }

  static async start(options: InitOptions): Promise<InitProcess> {
    const init = InitProcess.spawn(await InitProcess.prepare(options));
    try {
      await init.waitReady(2);
    } catch (error) {
      await init.stop();
      throw error;
    }
    return init;
  }

  waitReady(pollMs: number, timeoutMs = 15_000): Promise<void> {
    return waitFor200(this.invokePort, '/healthz', {
      timeoutMs,
      pollMs,
      stillRunning: () => this.running,
      describe: () => this.output(),
    });
  }

  /** The strategy the init reports in its "freezer: <strategy>" log line, if it has logged it. */
  freezeStrategy(): string | undefined {
    return /freezer: (\w+)/.exec(this.stderrHead)?.[1];
  }

  output(): string {
    return `init stdout (tail):\n${this.stdout}\ninit stderr (tail):\n${this.stderr}`;
  }

  /** SIGTERM, then SIGKILL after 10 s; removes the temporary directories. */
  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(killer);
    await fs.rm(this.root, { recursive: true, force: true });
  }
}

export interface PreparedInit {
  root: string;
  env: Record<string, string>;
  invokePort: number;
}
