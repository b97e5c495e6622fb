import type * as http from 'node:http';
import { DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, DEFAULT_MAXIMUM_RETRY_ATTEMPTS } from '../asyncInvoker';
import { functionArn, qualifiedArn } from '../arn';
import { findFunction, resolveVersion, type ServiceContext } from '../context';
import { lambdaTimestamp, type FunctionRecord } from '../model';
import { checkRange, validationError } from '../validation';
import { invalidParameter, LambdaError, notFound } from './errors';
import { parseJsonObject, readBody } from './http';
import type { Router } from './router';

const BODY_LIMIT = 64 * 1024;

/**
 * Reserved and provisioned concurrency (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html) and the asynchronous invocation settings.
 */
export function concurrencyRoutes(router: Router, context: ServiceContext): void {
  router.on('PUT', '/2017-10-31/functions/{FunctionName}/concurrency', async ({ request, params }) => {
    const input = parseJsonObject(await readBody(request, BODY_LIMIT, 'PutFunctionConcurrency'));
    const { record: found } = findFunction(context, params.FunctionName);
    const value = input.ReservedConcurrentExecutions;
    checkRange('reservedConcurrentExecutions', value, 0, Number.MAX_SAFE_INTEGER);
    return context.exclusive(found.name, async () => {
      const record = context.store.functions.get(found.name) ?? found;
      const limits = context.scheduler.concurrency;
      if ((value as number) > limits.unreservedLimit(record.name)) {
        throw invalidParameter('Specified ReservedConcurrentExecutions for function decreases account\'s UnreservedConcurrentExecution ' +
          `below its minimum value of [0]. (The account limit is ${limits.accountLimit}: lambda-sandbox serve --max-concurrency.)`);
      }
      record.reservedConcurrency = value as number;
      limits.setReserved(record.name, record.reservedConcurrency);
      await context.store.saveFunction(record);
      return { status: 200, body: { ReservedConcurrentExecutions: record.reservedConcurrency } };
    });
  });

  router.on('GET', '/2019-09-30/functions/{FunctionName}/concurrency', async ({ params }) => {
    const { record } = findFunction(context, params.FunctionName);
    return { status: 200, body: record.reservedConcurrency !== undefined ? { ReservedConcurrentExecutions: record.reservedConcurrency } : {} };
  });

  router.on('DELETE', '/2017-10-31/functions/{FunctionName}/concurrency', async ({ params }) => {
    const { record: found } = findFunction(context, params.FunctionName);
    return context.exclusive(found.name, async () => {
      const record = context.store.functions.get(found.name) ?? found;
      delete record.reservedConcurrency;
      context.scheduler.concurrency.setReserved(record.name, undefined);
      await context.store.saveFunction(record);
      return { status: 204 };
    });
  });

  router.on('PUT', '/2019-09-30/functions/{FunctionName}/provisioned-concurrency', async ({ request, params, query }) => {
    const input = parseJsonObject(await readBody(request, BODY_LIMIT, 'PutProvisionedConcurrencyConfig'));
    const { record: found, qualifier } = findFunction(context, params.FunctionName, query.get('Qualifier'));
    const count = input.ProvisionedConcurrentExecutions;
    checkRange('provisionedConcurrentExecutions', count, 1, Number.MAX_SAFE_INTEGER);
    const key = provisionedQualifier(qualifier);
    return context.exclusive(found.name, async () => {
      const record = context.store.functions.get(found.name) ?? found;
      resolveVersion(context, record, key); // refuses a version or alias that does not exist
      if ((count as number) > context.scheduler.concurrency.accountLimit) {
        throw invalidParameter(`Requested Provisioned Concurrency should not be greater than the account limit of ${context.scheduler.concurrency.accountLimit}.`);
      }
      record.provisioned[key] = { requested: count as number, lastModified: lambdaTimestamp() };
      await context.store.saveFunction(record);
      startProvisioning(context, record, key);
      return { status: 202, body: provisionedView(context, record, key) };
    });
  });

  router.on('GET', '/2019-09-30/functions/{FunctionName}/provisioned-concurrency', async ({ params, query }) => {
    const { record, qualifier } = findFunction(context, params.FunctionName, query.get('Qualifier'));
    if (query.get('List') === 'ALL') {
      const configs = Object.keys(record.provisioned).map((key) => ({
        FunctionArn: qualifiedArn(context.place, record.name, key), ...provisionedView(context, record, key),
      }));
      return { status: 200, body: { ProvisionedConcurrencyConfigs: configs } };
    }
    const key = provisionedQualifier(qualifier);
    if (!record.provisioned[key]) {
      throw new LambdaError('ProvisionedConcurrencyConfigNotFoundException', 404, `No Provisioned Concurrency Config found for this function`);
    }
    return { status: 200, body: provisionedView(context, record, key) };
  });

  router.on('DELETE', '/2019-09-30/functions/{FunctionName}/provisioned-concurrency', async ({ params, query }) => {
    const { record: found, qualifier } = findFunction(context, params.FunctionName, query.get('Qualifier'));
    const key = provisionedQualifier(qualifier);
    return context.exclusive(found.name, async () => {
      const record = context.store.functions.get(found.name) ?? found;
      if (record.provisioned[key]) {
        delete record.provisioned[key];
        await context.store.saveFunction(record);
        await context.scheduler.provision(record.name, resolveVersion(context, record, key), 0);
      }
      return { status: 204 };
    });
  });

  router.on('PUT', '/2019-09-25/functions/{FunctionName}/event-invoke-config', (request) => putEventInvokeConfig(context, request.params.FunctionName, request.request, true));
  router.on('POST', '/2019-09-25/functions/{FunctionName}/event-invoke-config', (request) => putEventInvokeConfig(context, request.params.FunctionName, request.request, false));
  router.on('GET', '/2019-09-25/functions/{FunctionName}/event-invoke-config', async ({ params }) => {
    const { record } = findFunction(context, params.FunctionName);
    if (!record.eventInvokeConfig) throw notFound(`The function ${functionArn(context.place, record.name)} doesn't have an EventInvokeConfig`);
    return { status: 200, body: eventInvokeView(context, record) };
  });
  router.on('DELETE', '/2019-09-25/functions/{FunctionName}/event-invoke-config', async ({ params }) => {
    const { record: found } = findFunction(context, params.FunctionName);
    return context.exclusive(found.name, async () => {
      const record = context.store.functions.get(found.name) ?? found;
      delete record.eventInvokeConfig;
      await context.store.saveFunction(record);
      return { status: 204 };
    });
  });
}

/** Provisioned concurrency is for a version or an alias, never $LATEST. */
function provisionedQualifier(qualifier: string | undefined): string {
  if (qualifier === undefined) throw validationError('qualifier', qualifier, 'Member must not be null');
  if (qualifier === '$LATEST') throw invalidParameter('Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
  return qualifier;
}

/** Starts (or stops) the environments in the background; GetProvisionedConcurrencyConfig shows the progress. */
export function startProvisioning(context: ServiceContext, record: FunctionRecord, key: string): void {
  const setting = record.provisioned[key];
  if (!setting) return;
  const config = resolveVersion(context, record, key);
  void context.scheduler.provision(record.name, config, setting.requested).catch((error: Error) => {
    process.stderr.write(`lambda-sandbox serve: provisioned concurrency for ${record.name}:${key}: ${error.message}\n`);
  });
}

function provisionedView(context: ServiceContext, record: FunctionRecord, key: string): Record<string, unknown> {
  const setting = record.provisioned[key];
  const config = resolveVersion(context, record, key);
  const ready = Math.min(context.scheduler.provisionedReady(record.name, config), setting.requested);
  return {
    RequestedProvisionedConcurrentExecutions: setting.requested,
    AvailableProvisionedConcurrentExecutions: ready,
    AllocatedProvisionedConcurrentExecutions: ready,
    Status: ready >= setting.requested ? 'READY' : 'IN_PROGRESS',
    LastModified: setting.lastModified,
  };
}

async function putEventInvokeConfig(context: ServiceContext, nameParam: string, request: http.IncomingMessage, replace: boolean) {
  const input = parseJsonObject(await readBody(request, BODY_LIMIT, 'PutFunctionEventInvokeConfig'));
  const { record: found } = findFunction(context, nameParam);
  if (input.MaximumRetryAttempts !== undefined) checkRange('maximumRetryAttempts', input.MaximumRetryAttempts, 0, 2);
  if (input.MaximumEventAgeInSeconds !== undefined) checkRange('maximumEventAgeInSeconds', input.MaximumEventAgeInSeconds, 60, 21600);
  return context.exclusive(found.name, async () => {
    const record = context.store.functions.get(found.name) ?? found;
    const base = replace ? undefined : record.eventInvokeConfig;
    record.eventInvokeConfig = {
      maximumRetryAttempts: (input.MaximumRetryAttempts as number | undefined) ?? base?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
      maximumEventAgeInSeconds: (input.MaximumEventAgeInSeconds as number | undefined) ?? base?.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
      lastModified: Date.now() / 1000,
    };
    await context.store.saveFunction(record);
    return { status: 200, body: eventInvokeView(context, record) };
  });
}

function eventInvokeView(context: ServiceContext, record: FunctionRecord): Record<string, unknown> {
  const config = record.eventInvokeConfig;
  return {
    FunctionArn: qualifiedArn(context.place, record.name, '$LATEST'),
    MaximumRetryAttempts: config?.maximumRetryAttempts,
    MaximumEventAgeInSeconds: config?.maximumEventAgeInSeconds,
    LastModified: config?.lastModified,
    DestinationConfig: { OnSuccess: {}, OnFailure: {} },
  };
}
