import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../test/helpers/runningInit';
import { pathWithNode } from './nodeBinary';
import { ECHO_RUNTIME } from './paths';
import { waitFor200 } from './waitFor';

/** `RIE_BIN=<path>` to a locally built aws-lambda-rie: the bench then runs it with the same echo runtime. */
export const RIE_BIN = process.env.RIE_BIN || undefined;

const INVOKE_PATH = '/2015-03-31/functions/function/invocations';

/**
 * AWS's Runtime Interface Emulator serving the echo runtime (`aws-lambda-rie <bootstrap>`), listening on its own
 * port. RIE starts the runtime lazily, on the first invoke, so "ready" is the first answered invoke.
 */
export class RieProcess {
  private constructor(readonly child: ChildProcess, readonly port: number) {}

  static async start(): Promise<RieProcess> {
    if (RIE_BIN === undefined) throw new Error('RIE_BIN is not set');
    const port = await freePort();
    const child = spawn(RIE_BIN, ['--log-level', 'error', '--runtime-interface-emulator-address', `127.0.0.1:${port}`, ECHO_RUNTIME], {
      env: { PATH: pathWithNode(), AWS_LAMBDA_FUNCTION_TIMEOUT: '3' },
      stdio: ['ignore', 'ignore', 'ignore'],
      detached: true, // its own process group, so stop() ends the runtime RIE started too
    });
    const rie = new RieProcess(child, port);
    await waitFor200(port, INVOKE_PATH, {
      timeoutMs: 15_000, pollMs: 2, stillRunning: () => child.exitCode === null, describe: () => 'RIE exited', method: 'POST',
    });
    return rie;
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('RIE did not start');
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    process.kill(-this.pid, 'SIGKILL');
    await exited;
  }
}
