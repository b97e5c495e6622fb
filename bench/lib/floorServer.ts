import { spawn, type ChildProcess } from 'node:child_process';
import { NODE_BIN } from './nodeBinary';
import { ECHO_SERVER } from './paths';

/** The reference: a plain node:http echo server in its own process, like the init is. */
export class FloorServer {
  private constructor(readonly child: ChildProcess, readonly port: number, readonly exited: Promise<void>) {}

  static start(): Promise<FloorServer> {
    const child = spawn(NODE_BIN, [ECHO_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return new Promise((resolve, reject) => {
      let text = '';
      child.once('error', reject);
      void exited.then(() => reject(new Error('the floor echo server exited before listening')));
      child.stdout?.on('data', (c: Buffer) => {
        text += c.toString();
        const line = /^(\d+)\n/.exec(text);
        if (line) resolve(new FloorServer(child, Number(line[1]), exited));
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('the floor server did not start');
    return this.child.pid;
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.exited;
  }
}
