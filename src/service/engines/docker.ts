import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { pipeLogLines } from '../../host/dockerLogs';
import { packFiles } from '../../host/tarDirectory';
import type { Engine, EngineEnvironment, EnvironmentSpec, FileCopy, ListedEnvironment, StartedEnvironment } from './engine';

const INVOKE_PORT = '8080/tcp';

export interface DockerEngineOptions {
  /**
   * How this process reaches an environment's port 8080: `published` on a random port of 127.0.0.1 (serve on the
   * Docker host), or `container` at the container's address on `network` (serve itself in a container, where
   * the host's loopback is out of reach).
   */
  reach: { kind: 'published' } | { kind: 'container'; network: string };
}

/** Execution environments as containers of the lambda-sandbox image, through dockerode (local or remote engine). */
export class DockerEngine implements Engine {
  readonly description: string;

  constructor(private readonly docker: Docker, private readonly options: DockerEngineOptions = { reach: { kind: 'published' } }) {
    this.description = `Docker at ${process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'}`;
  }

  async create(spec: EnvironmentSpec): Promise<EngineEnvironment> {
    const reach = this.options.reach;
    const container = await this.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      Cmd: [],
      Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
      Labels: spec.labels,
      ExposedPorts: { [INVOKE_PORT]: {} },
      StopTimeout: spec.stopGraceSeconds,
      // serve watches its environments itself; the image's periodic health check would only cost CPU.
      Healthcheck: { Test: ['NONE'] },
      HostConfig: {
        ...(reach.kind === 'published'
          ? { PortBindings: { [INVOKE_PORT]: [{ HostIp: '127.0.0.1', HostPort: '' }] } }
          : { NetworkMode: reach.network }),
        Memory: spec.memoryMb * 1024 * 1024,
        // Lambda gives no swap: the memory size is the limit.
        MemorySwap: spec.memoryMb * 1024 * 1024,
        Tmpfs: { '/tmp': `rw,exec,size=${spec.tmpMb}m,mode=1777` },
      },
    });
    return { id: container.id, name: spec.name };
  }

  async copyIn(environment: EngineEnvironment, files: FileCopy[], destination: string): Promise<void> {
    if (files.length === 0) return;
    const packed = packFiles(files.map((file) => ({ ...file, mode: 0o644 })));
    await Promise.all([this.container(environment).putArchive(packed.stream, { path: destination }), packed.done]);
  }

  async start(environment: EngineEnvironment): Promise<StartedEnvironment> {
    const container = this.container(environment);
    await container.start();
    // "not-running" asked after the start answers at once if the container already exited, so no exit is missed.
    const exited = (container.wait({ condition: 'not-running' }) as Promise<{ StatusCode: number }>).then((r) => r.StatusCode);
    exited.catch(() => undefined);
    const info = await container.inspect();
    if (this.options.reach.kind === 'container') {
      const address = info.NetworkSettings.Networks?.[this.options.reach.network]?.IPAddress || Object.values(info.NetworkSettings.Networks ?? {})[0]?.IPAddress;
      if (!address) throw new Error(`container ${environment.name} has no address on network ${this.options.reach.network}`);
      return { url: `http://${address}:8080`, exited };
    }
    const binding = info.NetworkSettings.Ports?.[INVOKE_PORT]?.[0];
    if (!binding) throw new Error(`Docker did not publish ${INVOKE_PORT} of ${environment.name}`);
    return { url: `http://127.0.0.1:${binding.HostPort}`, exited };
  }

  async followLogs(environment: EngineEnvironment, onLine: (line: string) => void): Promise<void> {
    const stream = (await this.container(environment).logs({ stdout: true, stderr: true, follow: true })) as unknown as Readable;
    await pipeLogLines(stream, (line) => onLine(line));
  }

  async stop(environment: EngineEnvironment, graceSeconds: number): Promise<void> {
    try {
      await this.container(environment).stop({ t: graceSeconds });
    } catch (error) {
      if (!ignorable(error)) throw error;
    }
  }

  async remove(environment: EngineEnvironment): Promise<void> {
    try {
      await this.container(environment).remove({ force: true, v: true });
    } catch (error) {
      if (!ignorable(error)) throw error;
    }
  }

  async list(labels: Record<string, string>): Promise<ListedEnvironment[]> {
    const containers = await this.docker.listContainers({
      all: true, filters: { label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) },
    });
    return containers.map((c) => ({ id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ''), running: c.State === 'running', labels: c.Labels }));
  }

  private container(environment: EngineEnvironment): Docker.Container {
    return this.docker.getContainer(environment.id);
  }
}

/** 304 already stopped, 404 gone, 409 removal already in progress. */
function ignorable(error: unknown): boolean {
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  return status === 304 || status === 404 || status === 409;
}
