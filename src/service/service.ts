import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Place } from './arn';
import { AsyncInvoker } from './asyncInvoker';
import { startProvisioning } from './api/concurrency';
import { settle } from './api/functions';
import type { ServiceContext } from './context';
import type { Engine, FileCopy } from './engines/engine';
import { ServiceMetrics } from './metrics';
import type { VersionConfig } from './model';
import { parseLayerVersionArn } from './arn';
import { ConcurrencyLimits } from './scheduler/concurrency';
import { SERVE_LABEL } from './scheduler/labels';
import { Scheduler } from './scheduler/scheduler';
import { createApiServer } from './server';
import { Store } from './store/store';

export interface ServiceOptions {
  engine: Engine;
  image: string;
  dataDir: string;
  host: string;
  port: number;
  place: Place;
  maxConcurrency: number;
  keepAliveMs: number;
  /** Delays before the first and second retry of a failed Event invocation. */
  asyncRetryDelaysMs: readonly number[];
  /** How long in-flight invokes may take to finish on shutdown. */
  shutdownGraceMs: number;
  readyTimeoutMs: number;
  /** An environment's log line, for printing. */
  onEnvironmentLine: (functionName: string, version: string, environmentId: string, line: string) => void;
  log: (message: string) => void;
}

/** `lambda-sandbox serve`: the store, the scheduler over the engine, and the API server, started and stopped together. */
export class LambdaService {
  private constructor(
    readonly server: http.Server,
    readonly context: ServiceContext,
    readonly metrics: ServiceMetrics,
    private readonly options: ServiceOptions,
  ) {}

  get url(): string {
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  }

  static async start(options: ServiceOptions): Promise<LambdaService> {
    const store = await Store.open(options.dataDir);
    const serveId = store.serveId;
    const leftovers = await options.engine.list({ [SERVE_LABEL]: serveId });
    if (leftovers.length > 0) {
      options.log(`removing ${leftovers.length} environment(s) an earlier run of serve left behind`);
      await Promise.all(leftovers.map((environment) => options.engine.remove(environment)));
    }
    const metrics = new ServiceMetrics();
    const concurrency = new ConcurrencyLimits(options.maxConcurrency);
    const scheduler = new Scheduler(options.engine, concurrency, metrics, {
      place: options.place, image: options.image, serveId, keepAliveMs: options.keepAliveMs,
      readyTimeoutMs: options.readyTimeoutMs, stopGraceSeconds: 5,
      codeFiles: (config) => codeFiles(store, config),
      onLine: options.onEnvironmentLine, log: options.log,
    });
    const locks = new Map<string, Promise<unknown>>();
    let service: LambdaService | undefined;
    const context: ServiceContext = {
      store, scheduler, place: options.place,
      asyncInvoker: new AsyncInvoker(scheduler, options.asyncRetryDelaysMs, options.log),
      baseUrl: () => service?.url ?? '',
      exclusive: (key, work) => {
        const run = (locks.get(key) ?? Promise.resolve()).then(work, work);
        const tail = run.catch(() => undefined);
        locks.set(key, tail);
        void tail.then(() => { if (locks.get(key) === tail) locks.delete(key); });
        return run;
      },
    };
    for (const record of store.functions.values()) {
      if (record.reservedConcurrency !== undefined) concurrency.setReserved(record.name, record.reservedConcurrency);
      if (settle(record)) await store.saveFunction(record);
    }
    const server = createApiServer(context, metrics, options.log);
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    service = new LambdaService(server, context, metrics, options);
    for (const record of store.functions.values()) {
      for (const key of Object.keys(record.provisioned)) startProvisioning(context, record, key);
    }
    return service;
  }

  /** SIGTERM: no new invokes, in-flight ones finish (bounded), every environment stopped and removed. */
  async stop(): Promise<void> {
    this.server.close();
    this.server.closeIdleConnections();
    this.context.asyncInvoker.shutdown();
    await this.context.scheduler.shutdown(this.options.shutdownGraceMs);
    this.server.closeAllConnections();
  }
}

/** The version's zip and its layers' zips, named so that the image applies the layers in order. */
function codeFiles(store: Store, config: VersionConfig): FileCopy[] {
  const files: FileCopy[] = [{ name: 'function.zip', source: store.blobPath(config.codeBlob) }];
  config.layers.forEach((arn, index) => {
    const parsed = parseLayerVersionArn(arn);
    const layer = parsed ? store.layers.get(parsed.name)?.versions[String(parsed.version)] : undefined;
    if (!parsed || !layer) throw new Error(`layer ${arn} is gone from the store`);
    files.push({ name: `layers/${String(index + 1).padStart(2, '0')}-${parsed.name}-${parsed.version}.zip`, source: store.blobPath(layer.codeBlob) });
  });
  return files;
}
