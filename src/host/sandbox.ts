import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DEFAULT_IMAGE_TAG } from './buildImage';
import { connectDocker, imageExists } from './dockerEngine';
import { demuxLogBuffer, pipeLogLines, type LogLineHandler, type LogStream } from './dockerLogs';
import { INVOKE_PATH, invokeFunction, type InvokeOptions, type InvokeResult } from './invoke';
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

export interface SandboxOptions {
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

export class SandboxStartError extends Error {
  constructor(message: string, readonly exitCode?: number, readonly logs?: string) {
    super(message);
    this.name = 'SandboxStartError';
  }
}

/**
 * A running lambda-sandbox container. Everything it creates carries the library's labels; `close()` (or `stop()`)
 * removes the container, and it is safe to call more than once.
 */
export class Sandbox {
  private removed = false;
  private exitCode: number | undefined;

  constructor(
    readonly docker: Docker,
    readonly container: Docker.Container,
    readonly name: string,
    /** e.g. http://127.0.0.1:49153 */
    readonly baseUrl: string,
    readonly hostPort: number,
    private readonly exited: Promise<number>,
    private readonly stopTimeoutSeconds: number,
    private readonly stopWatching: () => void,
  ) {
    void exited.then((code) => { this.exitCode = code; }, () => undefined);
  }

  get id(): string {
    return this.container.id;
  }

  /** The RIE-compatible invoke URL. */
  get invokeUrl(): string {
    return `${this.baseUrl}${INVOKE_PATH}`;
  }

  /** The AWS SDK endpoint (`new LambdaClient({ endpoint })`). */
  get endpoint(): string {
    return this.baseUrl;
  }

  invoke(payload: unknown = {}, options?: InvokeOptions): Promise<InvokeResult> {
    return invokeFunction(this.invokeUrl, payload, options);
  }

  /** Everything the container wrote so far, as lines with their stream. */
  async logLines(): Promise<Array<{ line: string; stream: LogStream }>> {
    const buffer = await this.container.logs({ stdout: true, stderr: true, follow: false });
    return demuxLogBuffer(buffer);
  }

  /** Everything the container wrote so far (stdout and stderr, in order), one string. */
  async logs(): Promise<string> {
    return (await this.logLines()).map(({ line }) => `${line}\n`).join('');
  }

  /**
   * Streams the container's log lines (from its start) to the handler as they are written. Returns `done`,
   * resolved when the container stops, and `stop()` to stop following.
   */
  async followLogs(onLine: LogLineHandler): Promise<{ done: Promise<void>; stop: () => void }> {
    const stream = (await this.container.logs({ stdout: true, stderr: true, follow: true })) as unknown as Readable;
    return { done: pipeLogLines(stream, onLine), stop: () => stream.destroy() };
  }

  /** Runs a command inside the container (as root, outside the sandbox's freezing) and collects its output. */
  async exec(command: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const exec = await this.container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = { stdout: '', stderr: '' };
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.on('data', (chunk: Buffer) => { out.stdout += chunk.toString(); });
    stderr.on('data', (chunk: Buffer) => { out.stderr += chunk.toString(); });
    this.docker.modem.demuxStream(stream, stdout, stderr);
    await new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
    const { ExitCode } = await exec.inspect();
    return { exitCode: ExitCode ?? -1, ...out };
  }

  /** Resolves with the container's exit code when it stops (by itself or by `stop()`). */
  waitForExit(): Promise<number> {
    return this.exited;
  }

  /**
   * `docker stop`: SIGTERM to the init (which shuts the sandbox down, extensions get SHUTDOWN), SIGKILL after
   * the grace period. Returns the exit code (0 for an orderly shutdown, 137 when it had to be killed).
   * The container is removed afterwards unless `keep` is set.
   */
  async stop(options: { keep?: boolean; timeoutSeconds?: number } = {}): Promise<number> {
    if (this.exitCode === undefined && !this.removed) {
      try {
        await this.container.stop({ t: options.timeoutSeconds ?? this.stopTimeoutSeconds });
      } catch (error) {
        if (!isNotModified(error) && !isNotFound(error)) throw error;
      }
    }
    const code = await this.exited;
    if (!options.keep) await this.remove();
    return code;
  }

  /** Removes the container at once (killing it if it still runs). Idempotent. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    try {
      await this.container.remove({ force: true, v: true });
    } catch (error) {
      if (!isNotFound(error) && !isConflictInRemoval(error)) throw error;
    }
  }

  /**
   * Lets this process go without touching the container: it keeps running (e.g. `lambda-sandbox run --detach`).
   * The object must not be used afterwards.
   */
  release(): void {
    this.stopWatching();
  }

  /** Stops gracefully and removes; never throws (for finally blocks and test hooks). */
  async close(): Promise<void> {
    try {
      await this.stop();
    } catch {
      await this.remove().catch(() => undefined);
    }
  }
}

/**
 * Creates a sandbox container, copies the function (zip or directory) and the layer zips in with `putArchive`
 * (so it works with a remote engine, where bind mounts of local paths do not), starts it, waits until /healthz
 * answers 200 and returns it. On any failure the container is removed before the error is thrown; when the
 * init exited (e.g. a zip over the 250 MB quota) the error carries its exit code and logs.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const docker = options.docker ?? connectDocker();
  const image = options.image ?? DEFAULT_IMAGE_TAG;
  const allLayers = options.layers ?? [];
  validateFiles(options, allLayers);
  const layerDirs = allLayers.filter((layer) => fs.statSync(layer).isDirectory());
  const layers = allLayers.filter((layer) => !layerDirs.includes(layer));
  if (!(await imageExists(docker, image))) {
    throw new SandboxStartError(`image ${image} does not exist in the Docker engine; build it first (lambda-sandbox build)`);
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
  options: SandboxOptions,
  containerPort: string, publishAddress: string, stopTimeoutSeconds: number): Promise<Sandbox> {
  const info = await container.inspect();
  const binding = info.NetworkSettings.Ports?.[containerPort]?.[0];
  if (!binding) throw new SandboxStartError(`Docker did not publish ${containerPort} of ${info.Name}`);
  const hostPort = Number(binding.HostPort);
  const urlHost = options.urlHost ?? (publishAddress === '0.0.0.0' ? dockerHostName() ?? '127.0.0.1' : publishAddress);
  const baseUrl = `http://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${hostPort}`;
  const sandbox = new Sandbox(docker, container, info.Name.replace(/^\//, ''), baseUrl, hostPort, exited, stopTimeoutSeconds,
    stopWatching);

  const gaveUp = exited.then(
    async (code) => {
      const logs = await sandbox.logs().catch(() => '');
      return new SandboxStartError(`the sandbox exited with code ${code} before it was ready:\n${logs}`, code, logs);
    },
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  try {
    await waitUntilHealthy(`${baseUrl}/healthz`, options.readyTimeoutMs ?? 30_000, gaveUp);
  } catch (error) {
    if (!(error instanceof NotReadyError)) throw error;
    const logs = await sandbox.logs().catch(() => '');
    throw new SandboxStartError(`the sandbox did not become ready: ${error.message}; its log so far:\n${logs}`, undefined, logs);
  }
  return sandbox;
}

function validateFiles(options: SandboxOptions, layers: string[]): void {
  if (options.functionZip !== undefined && options.functionDir !== undefined) {
    throw new SandboxStartError('give either functionZip or functionDir, not both');
  }
  const mustBe = (file: string, kind: 'file' | 'directory', what: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      throw new SandboxStartError(`${what} ${file} does not exist`);
    }
    if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) throw new SandboxStartError(`${what} ${file} is not a ${kind}`);
  };
  if (options.functionZip !== undefined) mustBe(options.functionZip, 'file', 'function zip');
  if (options.functionDir !== undefined) mustBe(options.functionDir, 'directory', 'function directory');
  for (const layer of layers) {
    if (!fs.existsSync(layer)) throw new SandboxStartError(`layer ${layer} does not exist`);
    const stat = fs.statSync(layer);
    if (!stat.isFile() && !stat.isDirectory()) throw new SandboxStartError(`layer ${layer} is neither a zip file nor a directory`);
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

function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}
const isNotModified = (error: unknown) => statusCode(error) === 304;
const isNotFound = (error: unknown) => statusCode(error) === 404;
/** 409 "removal of container ... is already in progress". */
const isConflictInRemoval = (error: unknown) => statusCode(error) === 409;
