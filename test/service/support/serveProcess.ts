import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/paths';

const CLI = path.join(REPO_ROOT, 'dist', 'src', 'host', 'cli', 'main.js');

export interface ServeOptions {
  image: string;
  dataDir: string;
  extraArgs?: string[];
}

/** `lambda-sandbox serve` as a child process, as users run it: its output is kept for assertions. */
export class ServeProcess {
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess, readonly url: string, readonly stdout: string[], readonly stderr: string[]) {
    this.exited = child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(options: ServeOptions): Promise<ServeProcess> {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--image', options.image, '--data-dir', options.dataDir,
      ...(options.extraArgs ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: string[] = [];
    const stderr: string[] = [];
    lines(child.stdout!, stdout);
    lines(child.stderr!, stderr);
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start within 60 s:\n${stderr.join('\n')}`)), 60_000);
      const check = () => {
        const found = stderr.map((line) => /Lambda API on (http:\/\/\S+)/.exec(line)?.[1]).find(Boolean);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      child.stderr!.on('data', () => setImmediate(check));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`serve exited with ${code}:\n${stderr.join('\n')}`));
      });
    });
    return new ServeProcess(child, url, stdout, stderr);
  }

  /** Environment log lines of one function (prefix `name[version] env |` removed into fields). */
  environmentLines(functionName: string): Array<{ version: string; environment: string; line: string }> {
    const prefix = `${functionName}[`;
    return this.stdout.filter((line) => line.startsWith(prefix)).map((line) => {
      const match = /^[^[]+\[([^\]]+)\] (\S+) \| (.*)$/.exec(line);
      return { version: match?.[1] ?? '', environment: match?.[2] ?? '', line: match?.[3] ?? line };
    });
  }

  /** Environments of a function that ran Init (INIT_START), by id. */
  initialisedEnvironments(functionName: string): Set<string> {
    return new Set(this.environmentLines(functionName).filter((l) => l.line.startsWith('INIT_START')).map((l) => l.environment));
  }

  /** SIGKILL, as a crash: nothing is cleaned up. */
  async crash(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** Appends each complete line of a stream to `into`. */
function lines(stream: NodeJS.ReadableStream, into: string[]): void {
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    into.push(...parts);
  });
}
