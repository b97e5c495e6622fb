import * as client from 'prom-client';

/**
 * Lambda's per-function CloudWatch metrics (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html)
 * in Prometheus form, plus what a local service can add: cold starts and environments warm or busy.
 */
export class ServiceMetrics {
  readonly registry = new client.Registry();
  readonly invocations = new client.Counter({
    name: 'lambda_invocations_total', help: 'Invocations (Lambda\'s Invocations), throttled ones excluded',
    labelNames: ['function_name', 'executed_version'], registers: [this.registry],
  });
  readonly errors = new client.Counter({
    name: 'lambda_errors_total', help: 'Invocations that ended in a function error (Lambda\'s Errors)',
    labelNames: ['function_name', 'executed_version'], registers: [this.registry],
  });
  readonly throttles = new client.Counter({
    name: 'lambda_throttles_total', help: 'Invoke requests refused for concurrency (Lambda\'s Throttles)',
    labelNames: ['function_name'], registers: [this.registry],
  });
  readonly duration = new client.Histogram({
    name: 'lambda_duration_milliseconds', help: 'Time from the invoke reaching an environment to its response (Lambda\'s Duration)',
    labelNames: ['function_name', 'executed_version'], registers: [this.registry],
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 900000],
  });
  readonly concurrentExecutions = new client.Gauge({
    name: 'lambda_concurrent_executions', help: 'Invocations being served now (Lambda\'s ConcurrentExecutions)',
    labelNames: ['function_name'], registers: [this.registry],
  });
  readonly coldStarts = new client.Counter({
    name: 'lambda_cold_starts_total', help: 'Execution environments started (Init ran)',
    labelNames: ['function_name', 'executed_version', 'initialization_type'], registers: [this.registry],
  });
  readonly coldStartDuration = new client.Histogram({
    name: 'lambda_environment_start_milliseconds', help: 'Container create to Init done, per environment',
    labelNames: ['function_name'], registers: [this.registry], buckets: [100, 250, 500, 1000, 2000, 5000, 10000, 30000],
  });
  readonly environments = new client.Gauge({
    name: 'lambda_environments', help: 'Execution environments by state (warm = initialised and idle)',
    labelNames: ['function_name', 'state'], registers: [this.registry],
  });

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
