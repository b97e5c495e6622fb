import type { Engine } from '../engines/engine';
import { Environment, launchEnvironment, type LaunchRequest } from './environment';

export interface PoolEvents {
  /** An environment was started for an invoke (a cold start) or for provisioned concurrency. */
  started(pool: Pool, environment: Environment, coldStartMs: number): void;
  /** An environment was stopped or died. */
  ended(pool: Pool, environment: Environment): void;
  log(message: string): void;
}

/**
 * The environments of one function version with one configuration. Warm environments are reused most recently
 * used first, so the fewest stay warm and the rest reach their keep-alive and stop, as Lambda reuses them
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html). A draining pool takes no new
 * invokes: its idle environments stop now, busy ones when their invoke ends.
 */
export class Pool {
  readonly environments = new Set<Environment>();
  /** Most recently used last. */
  private readonly idle: Environment[] = [];
  private readonly keepAliveTimers = new Map<Environment, NodeJS.Timeout>();
  private starting = 0;
  private provisionedTarget = 0;
  private emptyWaiters: Array<() => void> = [];
  /** Environments being started; a shutdown waits for them so that none is left behind. */
  private readonly launches = new Set<Promise<unknown>>();
  /** Shut down: an environment that finishes starting now is stopped at once. */
  private closed = false;
  draining = false;

  constructor(
    readonly key: string,
    readonly functionName: string,
    readonly version: string,
    private readonly engine: Engine,
    private readonly launch: (provisioned: boolean) => LaunchRequest,
    private readonly keepAliveMs: number,
    private readonly stopGraceSeconds: number,
    private readonly events: PoolEvents,
  ) {}

  get busyCount(): number {
    return [...this.environments].filter((e) => e.state === 'busy').length;
  }

  get idleCount(): number {
    return this.idle.length;
  }

  get provisionedReady(): number {
    return [...this.environments].filter((e) => e.provisioned && e.state !== 'gone' && e.state !== 'stopping').length;
  }

  /** An idle warm environment (most recently used), else a new one; `cold` tells which. */
  async take(): Promise<{ environment: Environment; cold: boolean }> {
    const warm = this.idle.pop();
    if (warm) {
      clearTimeout(this.keepAliveTimers.get(warm));
      this.keepAliveTimers.delete(warm);
      warm.state = 'busy';
      return { environment: warm, cold: false };
    }
    const environment = await this.startOne(false);
    environment.state = 'busy';
    return { environment, cold: true };
  }

  /** Back from an invoke: idle again (keep-alive armed), or stopped when draining or broken. */
  give(environment: Environment, broken = false): void {
    if (environment.state !== 'busy') return;
    environment.lastUsed = Date.now();
    if (this.draining || broken) {
      void this.stopOne(environment);
      return;
    }
    environment.state = 'idle';
    this.idle.push(environment);
    this.armKeepAlive(environment);
  }

  /** Keeps `count` initialised environments (provisioned concurrency); starts the missing ones in parallel. */
  async provision(count: number): Promise<void> {
    this.provisionedTarget = count;
    const excess = this.provisionedReady - count;
    const idleProvisioned = this.idle.filter((e) => e.provisioned);
    for (const environment of idleProvisioned.slice(0, Math.max(0, excess))) void this.stopOne(environment);
    await this.refill();
  }

  /** Stops taking invokes; idle environments stop now, busy ones after their invoke. */
  async drain(): Promise<void> {
    this.draining = true;
    this.provisionedTarget = 0;
    await Promise.all(this.idle.splice(0).map((environment) => this.stopOne(environment)));
  }

  /** Stops every environment, busy or not, and those still starting. */
  async stopAll(): Promise<void> {
    this.closed = true;
    await this.drain();
    await Promise.allSettled([...this.launches]);
    await Promise.all([...this.environments].map((environment) => this.stopOne(environment)));
  }

  get empty(): boolean {
    return this.environments.size === 0 && this.starting === 0;
  }

  /** Resolves once the pool has no environment left (a draining pool, after its last invoke). */
  whenEmpty(): Promise<void> {
    if (this.empty) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  private async refill(): Promise<void> {
    const missing = this.provisionedTarget - this.provisionedReady - this.starting;
    const starts: Array<Promise<unknown>> = [];
    for (let i = 0; i < missing; i++) {
      starts.push(this.startOne(true).then((environment) => {
        environment.state = 'idle';
        this.idle.push(environment);
      }));
    }
    await Promise.all(starts);
  }

  private async startOne(provisioned: boolean): Promise<Environment> {
    this.starting += 1;
    const started = Date.now();
    let environment: Environment;
    const launch = launchEnvironment(this.engine, this.launch(provisioned));
    this.launches.add(launch);
    try {
      environment = await launch;
    } finally {
      this.starting -= 1;
      this.launches.delete(launch);
    }
    this.environments.add(environment);
    if (this.closed) {
      await this.stopOne(environment);
      throw new Error('lambda-sandbox serve is shutting down');
    }
    this.events.started(this, environment, Date.now() - started);
    void environment.exited.then(() => this.onExit(environment), () => this.onExit(environment));
    return environment;
  }

  private armKeepAlive(environment: Environment): void {
    if (environment.provisioned && !this.draining) return; // provisioned environments stay initialised
    const timer = setTimeout(() => {
      const index = this.idle.indexOf(environment);
      if (index !== -1) this.idle.splice(index, 1);
      void this.stopOne(environment);
    }, this.keepAliveMs);
    timer.unref();
    this.keepAliveTimers.set(environment, timer);
  }

  private async stopOne(environment: Environment): Promise<void> {
    if (environment.state === 'gone' || environment.state === 'stopping') {
      await environment.exited.catch(() => undefined);
      return;
    }
    environment.state = 'stopping';
    const index = this.idle.indexOf(environment);
    if (index !== -1) this.idle.splice(index, 1);
    clearTimeout(this.keepAliveTimers.get(environment));
    try {
      await this.engine.stop(environment.handle, this.stopGraceSeconds);
    } catch (error) {
      this.events.log(`stopping ${environment.handle.name}: ${(error as Error).message}`);
    }
    await this.engine.remove(environment.handle).catch(() => undefined);
    this.forget(environment);
  }

  /** The container stopped by itself (crashed, killed): forget it; provisioned concurrency starts a replacement. */
  private onExit(environment: Environment): void {
    if (environment.state === 'stopping' || environment.state === 'gone') return;
    this.events.log(`environment ${environment.handle.name} exited unexpectedly; it is replaced on demand`);
    environment.state = 'gone';
    void this.engine.remove(environment.handle).catch(() => undefined);
    this.forget(environment);
    if (!this.draining) void this.refill().catch((error: Error) => this.events.log(`replacing ${environment.handle.name}: ${error.message}`));
  }

  private forget(environment: Environment): void {
    const index = this.idle.indexOf(environment);
    if (index !== -1) this.idle.splice(index, 1);
    clearTimeout(this.keepAliveTimers.get(environment));
    this.keepAliveTimers.delete(environment);
    environment.agent.destroy();
    if (this.environments.delete(environment)) {
      environment.state = 'gone';
      this.events.ended(this, environment);
    }
    if (this.empty) for (const resolve of this.emptyWaiters.splice(0)) resolve();
  }
}
