import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { demuxLogBuffer, pipeLogLines } from '../dockerLogs';
import { findRunningSandbox } from './findSandbox';

/** Prints a sandbox's log (stdout and stderr to ours); with `follow`, keeps printing until it stops. */
export async function logsCommand(docker: Docker, args: { sandbox?: string; follow: boolean }): Promise<number> {
  const found = await findRunningSandbox(docker, args.sandbox);
  const container = docker.getContainer(found.id);
  const write = (line: string, stream: 'stdout' | 'stderr') => (stream === 'stderr' ? process.stderr : process.stdout).write(`${line}\n`);
  if (!args.follow) {
    for (const { line, stream } of demuxLogBuffer(await container.logs({ stdout: true, stderr: true, follow: false }))) write(line, stream);
    return 0;
  }
  const stream = (await container.logs({ stdout: true, stderr: true, follow: true })) as unknown as Readable;
  process.once('SIGINT', () => stream.destroy());
  await pipeLogLines(stream, write);
  return 0;
}
