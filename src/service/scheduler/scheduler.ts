import type * as http from 'node:http';
import type { Place } from '../arn';
import { serviceError, shuttingDown, tooManyRequests } from '../api/errors';
import type { Engine, FileCopy } from '../engines/engine';
import type { ServiceMetrics } from '../metrics';
import type { VersionConfig } from '../model';
import type { ConcurrencyLimits } from './concurrency';
import { EnvironmentStartError, type Environment } from './environment';
import { environmentVariables } from './environmentSpec';
import { EnvironmentLostError, forwardInvoke, type ForwardRequest } from './forward';
import { environmentLabels } from './labels';
import { Pool } from './pool';

export interface SchedulerOptions {
  place: Place;
  image: string;
  serveId: string;
  keepAliveMs: number;
  readyTimeoutMs: number;
  stopGraceSeconds: number;
  /** The function zip and layer zips of a version, as files on this machine. */
  codeFiles: (config: VersionConfig) => FileCopy[];
  /** Each line an environment writes, for serve's output. */
  onLine: (functionName: string, version: string, environmentId: string, line: string) => void;
  log: (message: string) => void;
}

/** What an invoke did, for the caller's bookkeeping (metrics, async retries). */
export interface InvokeOutcome {
  functionError: boolean;
  cold: boolean;
}

/**
 * Runs invocations on environments: one pool per function version and configuration, each invoke on an idle
 * warm environment or a new one, within the function's concurrency; beyond it a synchronous invoke gets 429.
 */
export class Scheduler {
  private readonly pools = new Map<string, Pool>();
  /** Draining pools, kept until their last environment stopped so that a shutdown finds them. */
  private readonly retired = new Set<Pool>();
  private stopping = false;

  constructor(
    private readonly engine: Engine,
    readonly concurrency: ConcurrencyLimits,
    private readonly metrics: ServiceMetrics,
    private readonly options: SchedulerOptions,
  ) {}

  /**
   * One synchronous invocation: 429 when the function is at its concurrency; else the environment's response is
   * handed to `respond` (which streams it to the caller) and the environment goes back to its pool.
   */
  async invoke(functionName: string, config: VersionConfig, request: ForwardRequest,
    respond: (response: http.IncomingMessage) => Promise<void>): Promise<InvokeOutcome> {
    if (this.stopping) throw shuttingDown();
    const release = this.concurrency.tryAcquire(functionName);
    if (typeof release === 'string') {
      this.metrics.throttles.inc({ function_name: functionName });
      throw tooManyRequests(release);
    }
    try {
      return await this.runAcquired(functionName, config, request, respond);
    } finally {
      release();
      this.updateGauges(functionName);
    }
  }

  /** As `invoke`, but waits for capacity instead of throttling (asynchronous invocations). */
  async invokeWhenFree(functionName: string, config: VersionConfig, request: ForwardRequest,
    respond: (response: http.IncomingMessage) => Promise<void>): Promise<InvokeOutcome> {
    for (;;) {
      if (this.stopping) throw shuttingDown();
      const freed = this.concurrency.freed();
      const release = this.concurrency.tryAcquire(functionName);
      if (typeof release === 'string') {
        await freed;
        continue;
      }
      try {
        return await this.runAcquired(functionName, config, request, respond);
      } finally {
        release();
        this.updateGauges(functionName);
      }
    }
  }

  private async runAcquired(functionName: string, config: VersionConfig, request: ForwardRequest,
    respond: (response: http.IncomingMessage) => Promise<void>): Promise<InvokeOutcome> {
    const pool = this.poolFor(functionName, config);
    this.updateGauges(functionName);
    let taken: { environment: Environment; cold: boolean };
    try {
      taken = await pool.take();
    } catch (error) {
      if (error instanceof EnvironmentStartError) {
        this.options.log(`${functionName}:${config.version}: ${error.message}`);
        throw serviceError(`The execution environment of ${functionName} failed to start: ${error.message.split('\n')[0]}`);
      }
      throw error;
    }
    const { environment, cold } = taken;
    this.updateGauges(functionName);
    const labels = { function_name: functionName, executed_version: config.version };
    const started = process.hrtime.bigint();
    let broken = false;
    try {
      const response = await forwardInvoke(environment, request);
      const functionError = response.headers['x-amz-function-error'] !== undefined;
      await respond(response);
      this.metrics.invocations.inc(labels);
      if (functionError) this.metrics.errors.inc(labels);
      this.metrics.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e6);
      return { functionError, cold };
    } catch (error) {
      broken = true;
      if (error instanceof EnvironmentLostError) {
        this.metrics.invocations.inc(labels);
        this.metrics.errors.inc(labels);
      }
      throw error;
    } finally {
      pool.give(environment, broken);
    }
  }

  /** Keeps `count` environments of this version initialised (provisioned concurrency); 0 ends it. */
  async provision(functionName: string, config: VersionConfig, count: number): Promise<void> {
    if (this.stopping) return;
    await this.poolFor(functionName, config).provision(count);
    this.updateGauges(functionName);
  }

  provisionedReady(functionName: string, config: VersionConfig): number {
    return this.pools.get(poolKey(functionName, config))?.provisionedReady ?? 0;
  }

  /**
   * Retires the function's pools that `keep` rejects (an update: old configuration; a delete: all). They take no
   * new invokes and stop once their invokes end.
   */
  retire(functionName: string, keep: (version: string, revisionId: string) => boolean): void {
    for (const [key, pool] of this.pools) {
      if (pool.functionName !== functionName) continue;
      const [, version, revision] = key.split('\u0000');
      if (keep(version, revision)) continue;
      this.pools.delete(key);
      this.retired.add(pool);
      void pool.drain().then(() => pool.whenEmpty()).then(() => {
        this.retired.delete(pool);
        this.updateGauges(functionName);
      });
    }
  }

  /** Environments per function: warm (idle) and busy. */
  environmentCounts(functionName: string): { warm: number; busy: number } {
    let warm = 0;
    let busy = 0;
    for (const pool of [...this.pools.values(), ...this.retired]) {
      if (pool.functionName !== functionName) continue;
      warm += pool.idleCount;
      busy += pool.busyCount;
    }
    return { warm, busy };
  }

  /**
   * Takes no more invokes, lets those in flight finish (for at most `graceMs`), then stops every environment
   * (extensions get SHUTDOWN) and removes it.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.stopping = true;
    const deadline = Date.now() + graceMs;
    while (this.concurrency.total > 0 && Date.now() < deadline) {
      await Promise.race([this.concurrency.freed(), new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())))]);
    }
    await Promise.all([...this.pools.values(), ...this.retired].map((pool) => pool.stopAll()));
  }

  private poolFor(functionName: string, config: VersionConfig): Pool {
    const key = poolKey(functionName, config);
    let pool = this.pools.get(key);
    if (pool) return pool;
    const { place, image, serveId, readyTimeoutMs, stopGraceSeconds } = this.options;
    pool = new Pool(key, functionName, config.version, this.engine, (provisioned) => ({
      spec: {
        image,
        env: environmentVariables(place, functionName, config, provisioned ? 'provisioned-concurrency' : 'on-demand'),
        memoryMb: config.memorySize,
        tmpMb: config.ephemeralStorage,
        stopGraceSeconds,
      },
      identify: (environmentId) => ({
        name: `lambda-${functionName}-${config.version === '$LATEST' ? 'latest' : config.version}-${environmentId}`,
        labels: environmentLabels(serveId, functionName, config.version, environmentId),
      }),
      files: this.options.codeFiles(config),
      readyTimeoutMs,
      provisioned,
      onLine: (environmentId, line) => this.options.onLine(functionName, config.version, environmentId, line),
    }), this.options.keepAliveMs, stopGraceSeconds, {
      started: (_pool, environment, ms) => {
        const type = environment.provisioned ? 'provisioned-concurrency' : 'on-demand';
        this.metrics.coldStarts.inc({ function_name: functionName, executed_version: config.version, initialization_type: type });
        this.metrics.coldStartDuration.observe({ function_name: functionName }, ms);
        this.updateGauges(functionName);
      },
      ended: () => this.updateGauges(functionName),
      log: this.options.log,
    });
    this.pools.set(key, pool);
    return pool;
  }

  private updateGauges(functionName: string): void {
    const { warm, busy } = this.environmentCounts(functionName);
    this.metrics.environments.set({ function_name: functionName, state: 'warm' }, warm);
    this.metrics.environments.set({ function_name: functionName, state: 'busy' }, busy);
    this.metrics.concurrentExecutions.set({ function_name: functionName }, this.concurrency.running(functionName));
  }
}

function poolKey(functionName: string, config: VersionConfig): string {
  return [functionName, config.version, config.revisionId].join('\u0000');
}
