/**
 * Where execution environments run. The scheduler only speaks this interface, so another engine (Kubernetes,
 * Swarm) can take Docker's place without the scheduler knowing.
 */
export interface EnvironmentSpec {
  image: string;
  /** A name for people: shows in `docker ps` and log prefixes. */
  name: string;
  /** Labels naming the service, function, version and environment, for listing and clean-up. */
  labels: Record<string, string>;
  env: Record<string, string>;
  memoryMb: number;
  /** Size of the /tmp tmpfs. */
  tmpMb: number;
  /** Grace between SIGTERM and SIGKILL on stop. */
  stopGraceSeconds: number;
}

/** A file to copy into the environment before it starts. */
export interface FileCopy {
  /** Path inside `destination`. */
  name: string;
  /** File on the service's machine. */
  source: string;
}

export interface EngineEnvironment {
  id: string;
  name: string;
}

export interface StartedEnvironment {
  /** Base URL of its Invoke API (port 8080 inside), as this process reaches it. */
  url: string;
  /** Resolves with the exit code when the environment stops, for whatever reason. */
  exited: Promise<number>;
}

export interface ListedEnvironment {
  id: string;
  name: string;
  running: boolean;
  labels: Record<string, string>;
}

export interface Engine {
  /** A human name for messages ("docker at unix:///var/run/docker.sock"). */
  readonly description: string;
  create(spec: EnvironmentSpec): Promise<EngineEnvironment>;
  copyIn(environment: EngineEnvironment, files: FileCopy[], destination: string): Promise<void>;
  start(environment: EngineEnvironment): Promise<StartedEnvironment>;
  /** Follows the environment's output, line by line, until it stops. */
  followLogs(environment: EngineEnvironment, onLine: (line: string) => void): Promise<void>;
  /** Graceful stop: SIGTERM (extensions get SHUTDOWN), SIGKILL after the grace. */
  stop(environment: EngineEnvironment, graceSeconds: number): Promise<void>;
  remove(environment: EngineEnvironment): Promise<void>;
  /** Environments carrying all these labels (running or not). */
  list(labels: Record<string, string>): Promise<ListedEnvironment[]>;
}
