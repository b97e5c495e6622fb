import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import { demuxLogBuffer, pipeLogLines, type LogLineHandler, type LogStream } from './dockerLogs';
import { INVOKE_PATH, invokeFunction, type InvokeOptions, type InvokeResult } from './invoke';

/**
 * One running container of the lambda-sandbox image (one execution environment), as the host sees it. Everything it creates carries the library's labels; `close()` (or `stop()`)
 * removes the container, and it is safe to call more than once.
 */
export class SandboxContainer {
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

function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}
const isNotModified = (error: unknown) => statusCode(error) === 304;
const isNotFound = (error: unknown) => statusCode(error) === 404;
/** 409 "removal of container ... is already in progress". */
const isConflictInRemoval = (error: unknown) => statusCode(error) === 409;
