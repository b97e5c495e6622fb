import { spawn, type ChildProcess } from 'node:child_process';
import { NODE_BIN, pathWithNode } from './nodeBinary';
import { ECHO_RUNTIME, RELAY_SERVER } from './paths';

/**
 * The architecture floor: bench/fixtures/relay-server.js (a bare Runtime API in plain node:http) with the same echo
 * runtime behind it as the init gets. Same processes and message pattern as the init, none of its logic.
 */
export class RelayServer {
  private constructor(readonly relay: ChildProcess, readonly runtime: ChildProcess, readonly port: number) {}

  static async start(): Promise<RelayServer> {
    const relay = spawn(NODE_BIN, [RELAY_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [invokePort, apiPort] = await new Promise<number[]>((resolve, reject) => {
      let text = '';
      relay.once('error', reject);
      relay.once('exit', () => reject(new Error('the relay server exited before listening')));
      relay.stdout?.on('data', (c: Buffer) => {
        text += c.toString();
        const line = /^(\d+) (\d+)\n/.exec(text);
        if (line) resolve([Number(line[1]), Number(line[2])]);
      });
    });
    const runtime = spawn(ECHO_RUNTIME, [], {
      env: { PATH: pathWithNode(), AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${apiPort}` },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return new RelayServer(relay, runtime, invokePort);
  }

  /** Both processes still running. */
  get running(): boolean {
    return [this.relay, this.runtime].every((c) => c.exitCode === null && c.signalCode === null);
  }

  get pid(): number {
    if (this.relay.pid === undefined) throw new Error('the relay server did not start');
    return this.relay.pid;
  }

  async stop(): Promise<void> {
    for (const child of [this.runtime, this.relay]) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
}
