import type { ServiceContext } from '../context';
import type { Router } from './router';

/** GetAccountSettings (https://docs.aws.amazon.com/lambda/latest/api/API_GetAccountSettings.html) with this service's limits. */
export function accountRoutes(router: Router, context: ServiceContext): void {
  router.on('GET', '/2016-08-19/account-settings', async () => {
    const limits = context.scheduler.concurrency;
    return {
      status: 200,
      body: {
        AccountLimit: {
          TotalCodeSize: 80_530_636_800,
          CodeSizeUnzipped: 262_144_000,
          CodeSizeZipped: 52_428_800,
          ConcurrentExecutions: limits.accountLimit,
          UnreservedConcurrentExecutions: limits.unreservedLimit(),
        },
        AccountUsage: { TotalCodeSize: totalCodeSize(context), FunctionCount: context.store.functions.size },
      },
    };
  });
}

function totalCodeSize(context: ServiceContext): number {
  let total = 0;
  for (const record of context.store.functions.values()) {
    for (const config of [record.latest, ...Object.values(record.versions)]) total += config.codeSize;
  }
  return total;
}
