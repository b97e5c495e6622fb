import type Docker from 'dockerode';
import { connectDocker } from './dockerEngine';
import { MANAGED_LABEL, ROLE_LABEL, SESSION_LABEL } from './labels';

export interface ManagedContainer {
  id: string;
  name: string;
  state: string;
  session: string;
  /** Host port of the invoke API, when published. */
  hostPort?: number;
  hostIp?: string;
}

/** The sandbox containers the library created (running or not), optionally only those of one session. */
export async function listSandboxes(options: { session?: string; docker?: Docker } = {}): Promise<ManagedContainer[]> {
  const docker = options.docker ?? connectDocker();
  const label = [`${MANAGED_LABEL}=true`, `${ROLE_LABEL}=sandbox`];
  if (options.session !== undefined) label.push(`${SESSION_LABEL}=${options.session}`);
  const containers = await docker.listContainers({ all: true, filters: { label } });
  return containers.map((c) => {
    const port = c.Ports.find((p) => p.PrivatePort === 8080 && p.PublicPort !== undefined) ?? c.Ports.find((p) => p.PublicPort);
    return {
      id: c.Id,
      name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
      state: c.State,
      session: c.Labels[SESSION_LABEL] ?? '',
      hostPort: port?.PublicPort,
      hostIp: port?.IP,
    };
  });
}

/**
 * Force-removes the library's sandbox containers: all of them, or only those labelled with one session. Nothing
 * else is touched — no image, no volume, no other container. Returns how many containers were removed.
 */
export async function removeManagedContainers(options: { session?: string; docker?: Docker } = {}): Promise<number> {
  const docker = options.docker ?? connectDocker();
  const containers = await listSandboxes({ ...options, docker });
  await Promise.all(containers.map((c) => docker.getContainer(c.id).remove({ force: true, v: true }).catch(() => undefined)));
  return containers.length;
}
