import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DEFAULT_IMAGE_TAG } from './buildImage';
import { SandboxContainer } from './container';
import { connectDocker, imageExists } from './dockerEngine';
import { managedLabels } from './labels';
import { NotReadyError, waitUntilHealthy } from './readiness';
import { packDirectory, packFiles } from './tarDirectory';

/** Where the image looks for code copied in (see the image's entrypoint). */
export const CONTAINER_PATHS = {
  taskRoot: '/var/task',
  optDir: '/opt',
  sandboxDir: '/var/sandbox',
  functionZip: '/var/sandbox/function.zip',
  layersDir: '/var/sandbox/layers',
} as const;

export interface SandboxContainerOptions {
  /** Image to run. Default `lambda-sandbox:latest`. It must exist: nothing is pulled. */
  image?: string;
  /** A function zip on this machine, copied into the container and unpacked into /var/task by the init. */
  functionZip?: string;
  /** A directory with the function's code, copied into /var/task as it is. */
  functionDir?: string;
  /**
   * Layers on this machine, in order (later ones win): zips, unpacked into /opt by the init, or directories,
   * copied into /opt as they are before the container starts (so before any zip layer is unpacked).
   */
  layers?: string[];
  /** The handler (RIE style: the container's argument), e.g. `index.handler`. */
  handler?: string;
  /** The whole argument list for the init instead of `handler` (a runtime command RIE style). */
  command?: string[];
  /** Environment of the container: Lambda variables (AWS_LAMBDA_FUNCTION_TIMEOUT, ...) and the init's settings. */
  environment?: Record<string, string>;
  /** Host port for the invoke API; default: any free port. */
  hostPort?: number;
  /** Host interface the port is published on. Default 127.0.0.1. */
  publishAddress?: string;
  /** Host name to put in the URLs. Default: publishAddress, or the DOCKER_HOST host when publishing on 0.0.0.0. */
  urlHost?: string;
  /** Bind-mount /sys/fs/cgroup read-write so the init can freeze with cgroups (else it falls back to SIGSTOP). */
  cgroupFreezer?: boolean;
  /** Container name; default a generated one. */
  name?: string;
  /** How long to wait for /healthz to answer 200. Default 30 s. */
  readyTimeoutMs?: number;
  /** Grace period of `stop()` before Docker kills the container. Default 10 s. */
  stopTimeoutSeconds?: number;
  /** Extra Docker HostConfig (memory limit, tmpfs, ...), merged over the library's. */
  hostConfig?: Docker.HostConfig;
  docker?: Docker;
}

export class ContainerStartError extends Error {
  constructor(message: string, readonly exitCode?: number, readonly logs?: string) {
    super(message);
    this.name = 'ContainerStartError';
  }
}

/**
 * Creates a sandbox container, copies the function (zip or directory) and the layer zips in with `putArchive`
 * (so it works with a remote engine, where bind mounts of local paths do not), starts it, waits until /healthz
 * answers 200 and returns it. On any failure the container is removed before the error is thrown; when the
 * init exited (e.g. a zip over the 250 MB quota) the error carries its exit code and logs.
 */
export async function startSandboxContainer(options: SandboxContainerOptions = {}): Promise<SandboxContainer> {
  const docker = options.docker ?? connectDocker();
  const image = options.image ?? DEFAULT_IMAGE_TAG;
  const allLayers = options.layers ?? [];
  validateFiles(options, allLayers);
  const layerDirs = allLayers.filter((layer) => fs.statSync(layer).isDirectory());
  const layers = allLayers.filter((layer) => !layerDirs.includes(layer));
  if (!(await imageExists(docker, image))) {
    throw new ContainerStartError(`image ${image} does not exist in the Docker engine; build it first (lambda-sandbox build)`);
  }

  const env: Record<string, string> = { ...options.environment };
  if (options.functionZip !== undefined) env.LAMBDA_SANDBOX_FUNCTION_ZIP = CONTAINER_PATHS.functionZip;
  const layerNames = layers.map((layer, index) => `layers/${String(index + 1).padStart(2, '0')}-${safeName(layer)}`);
  if (layers.length > 0) env.LAMBDA_SANDBOX_LAYERS = layerNames.map((n) => `${CONTAINER_PATHS.sandboxDir}/${n}`).join(':');
  const containerPort = `${env.LAMBDA_SANDBOX_INVOKE_PORT ?? '8080'}/tcp`;
  const publishAddress = options.publishAddress ?? '127.0.0.1';
  const stopTimeoutSeconds = options.stopTimeoutSeconds ?? 10;

  const container = await docker.createContainer({
    name: options.name,
    Image: image,
    Cmd: options.command ?? (options.handler !== undefined ? [options.handler] : []),
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Labels: managedLabels('sandbox'),
    ExposedPorts: { [containerPort]: {} },
    StopTimeout: stopTimeoutSeconds,
    HostConfig: {
      PortBindings: { [containerPort]: [{ HostIp: publishAddress, HostPort: options.hostPort ? String(options.hostPort) : '' }] },
      Binds: options.cgroupFreezer ? ['/sys/fs/cgroup:/sys/fs/cgroup:rw'] : [],
      ...options.hostConfig,
    },
  });
  const watching = new AbortController(); // the wait for the container's exit, see below
  const cleanupOnFailure = async (error: unknown): Promise<never> => {
    watching.abort();
    await container.remove({ force: true, v: true }).catch(() => undefined);
    throw error;
  };

  let exited: Promise<number>;
  try {
    if (options.functionZip !== undefined || layers.length > 0) {
      const files = [
        ...(options.functionZip !== undefined ? [{ name: 'function.zip', source: options.functionZip, mode: 0o644 }] : []),
        ...layers.map((source, index) => ({ name: layerNames[index], source, mode: 0o644 })),
      ];
      await putPacked(container, packFiles(files), CONTAINER_PATHS.sandboxDir);
    }
    if (options.functionDir !== undefined) {
      await putPacked(container, packDirectory(options.functionDir), CONTAINER_PATHS.taskRoot);
    }
    for (const dir of layerDirs) await putPacked(container, packDirectory(dir), CONTAINER_PATHS.optDir);
    await container.start();
    // "not-running" asked after the start answers at once if the init has already exited, so no exit is missed.
    exited = (container.wait({ condition: 'not-running', abortSignal: watching.signal }) as Promise<{ StatusCode: number }>)
      .then((result) => result.StatusCode);
    exited.catch(() => undefined); // aborted by release(); nobody waits then
  } catch (error) {
    return cleanupOnFailure(error);
  }
  return finishStart(docker, container, exited, () => watching.abort(), options, containerPort, publishAddress, stopTimeoutSeconds)
    .catch(cleanupOnFailure);
}

async function finishStart(docker: Docker, container: Docker.Container, exited: Promise<number>, stopWatching: () => void,
  options: SandboxContainerOptions,
  containerPort: string, publishAddress: string, stopTimeoutSeconds: number): Promise<SandboxContainer> {
  const info = await container.inspect();
  const binding = info.NetworkSettings.Ports?.[containerPort]?.[0];
  if (!binding) throw new ContainerStartError(`Docker did not publish ${containerPort} of ${info.Name}`);
  const hostPort = Number(binding.HostPort);
  const urlHost = options.urlHost ?? (publishAddress === '0.0.0.0' ? dockerHostName() ?? '127.0.0.1' : publishAddress);
  const baseUrl = `http://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${hostPort}`;
  const sandbox = new SandboxContainer(docker, container, info.Name.replace(/^\//, ''), baseUrl, hostPort, exited, stopTimeoutSeconds,
    stopWatching);

  const gaveUp = exited.then(
    async (code) => {
      const logs = await sandbox.logs().catch(() => '');
      return new ContainerStartError(`the sandbox exited with code ${code} before it was ready:\n${logs}`, code, logs);
    },
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  try {
    await waitUntilHealthy(`${baseUrl}/healthz`, options.readyTimeoutMs ?? 30_000, gaveUp);
  } catch (error) {
    if (!(error instanceof NotReadyError)) throw error;
    const logs = await sandbox.logs().catch(() => '');
    throw new ContainerStartError(`the sandbox did not become ready: ${error.message}; its log so far:\n${logs}`, undefined, logs);
  }
  return sandbox;
}

function validateFiles(options: SandboxContainerOptions, layers: string[]): void {
  if (options.functionZip !== undefined && options.functionDir !== undefined) {
    throw new ContainerStartError('give either functionZip or functionDir, not both');
  }
  const mustBe = (file: string, kind: 'file' | 'directory', what: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      throw new ContainerStartError(`${what} ${file} does not exist`);
    }
    if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) throw new ContainerStartError(`${what} ${file} is not a ${kind}`);
  };
  if (options.functionZip !== undefined) mustBe(options.functionZip, 'file', 'function zip');
  if (options.functionDir !== undefined) mustBe(options.functionDir, 'directory', 'function directory');
  for (const layer of layers) {
    if (!fs.existsSync(layer)) throw new ContainerStartError(`layer ${layer} does not exist`);
    const stat = fs.statSync(layer);
    if (!stat.isFile() && !stat.isDirectory()) throw new ContainerStartError(`layer ${layer} is neither a zip file nor a directory`);
  }
}

async function putPacked(container: Docker.Container, packed: { stream: Readable; done: Promise<unknown> },
  destination: string): Promise<void> {
  await Promise.all([container.putArchive(packed.stream, { path: destination }), packed.done]);
}

/** A file name that is safe in a colon-separated list and a shell: other characters become "_". */
function safeName(file: string): string {
  return path.basename(file).replace(/[^A-Za-z0-9._-]/g, '_');
}

/** The host part of DOCKER_HOST for tcp:// and ssh:// engines. */
function dockerHostName(): string | undefined {
  const value = process.env.DOCKER_HOST;
  if (!value || !/^(tcp|ssh|http|https):\/\//.test(value)) return undefined;
  try {
    return new URL(value.replace(/^tcp:/, 'http:')).hostname || undefined;
  } catch {
    return undefined;
  }
}

