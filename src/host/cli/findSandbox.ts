import type Docker from 'dockerode';
import { listSandboxes, type ManagedContainer } from '../cleanup';
import { UsageError } from './usageError';

/**
 * The running sandbox a command is about: the one named (container name or id prefix), else the only running
 * one. Several running and none named is a usage error that lists them.
 */
export async function findRunningSandbox(docker: Docker, nameOrId?: string): Promise<ManagedContainer> {
  const running = (await listSandboxes({ docker })).filter((c) => c.state === 'running');
  if (nameOrId !== undefined) {
    const found = running.find((c) => c.name === nameOrId || c.id.startsWith(nameOrId));
    if (!found) throw new UsageError(`no running lambda-sandbox container called ${nameOrId}${describe(running)}`);
    return found;
  }
  if (running.length === 1) return running[0];
  if (running.length === 0) throw new UsageError('no lambda-sandbox container is running (start one with `lambda-sandbox run`)');
  throw new UsageError(`several sandboxes are running; name one${describe(running)}`);
}

function describe(running: ManagedContainer[]): string {
  if (running.length === 0) return '';
  return `; running: ${running.map((c) => `${c.name} (port ${c.hostPort ?? '-'})`).join(', ')}`;
}
