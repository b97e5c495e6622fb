import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { NotReadyError, waitUntilHealthy } from '../../host/readiness';
import type { Engine, EngineEnvironment, EnvironmentSpec, FileCopy } from '../engines/engine';

/** Where the image's entrypoint looks for the function zip and layer zips (README: "Paths in the container"). */
export const SANDBOX_DIR = '/var/sandbox';

export type EnvironmentState = 'idle' | 'busy' | 'stopping' | 'gone';

export class EnvironmentStartError extends Error {
  constructor(message: string, readonly logTail: string) {
    super(message);
    this.name = 'EnvironmentStartError';
  }
}

/** One execution environment: a started container of the image, initialised, answering invokes on `url`. */
export class Environment {
  state: EnvironmentState = 'idle';
  lastUsed = Date.now();
  /** Keeps connections to the environment's Invoke API open between invokes (one invoke at a time). */
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    readonly id: string,
    readonly handle: EngineEnvironment,
    readonly url: string,
    readonly exited: Promise<number>,
    readonly provisioned: boolean,
  ) {}
}

export interface LaunchRequest {
  spec: Omit<EnvironmentSpec, 'name' | 'labels'>;
  /** Builds the container name and labels from the environment id. */
  identify: (environmentId: string) => { name: string; labels: Record<string, string> };
  files: FileCopy[];
  readyTimeoutMs: number;
  provisioned: boolean;
  onLine: (environmentId: string, line: string) => void;
}

/**
 * Starts an environment: create the container, copy the code in (putArchive, so remote engines work too),
 * start it, follow its log, and wait until its init answers /healthz (Init done). On failure the container is
 * removed and the error carries the end of its log.
 */
export async function launchEnvironment(engine: Engine, request: LaunchRequest): Promise<Environment> {
  const environmentId = crypto.randomBytes(8).toString('hex');
  const { name, labels } = request.identify(environmentId);
  const handle = await engine.create({ ...request.spec, name, labels });
  const lines: string[] = [];
  try {
    await engine.copyIn(handle, request.files, SANDBOX_DIR);
    const started = await engine.start(handle);
    void engine.followLogs(handle, (line) => {
      lines.push(line);
      if (lines.length > 40) lines.shift();
      request.onLine(environmentId, line);
    }).catch(() => undefined);
    const gaveUp = started.exited.then(
      (code) => new EnvironmentStartError(`the environment exited with code ${code} during Init`, lines.join('\n')),
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    try {
      await waitUntilHealthy(`${started.url}/healthz`, request.readyTimeoutMs, gaveUp);
    } catch (error) {
      if (error instanceof NotReadyError) throw new EnvironmentStartError(`the environment did not finish Init: ${error.message}`, lines.join('\n'));
      throw error;
    }
    return new Environment(environmentId, handle, started.url, started.exited, request.provisioned);
  } catch (error) {
    await engine.remove(handle).catch(() => undefined);
    if (error instanceof EnvironmentStartError) {
      // Give Docker a moment to flush the last lines of an environment that exited.
      error.message += lines.length > 0 ? `:\n${lines.join('\n')}` : '';
    }
    throw error;
  }
}
