import type { Config } from '../../config';
import type { ExtensionsPort } from '../../lifecycle/ports';
import type { Router } from '../router';
import { ManagedInstancesSubscriptions } from '../../telemetry/subscriptions/managedInstancesSubscriptions';
import { extensionErrorRoute } from './errorRoutes';
import { eventNextRoute } from './eventNextRoute';
import { registerRoute } from './registerRoute';
import { subscriptionRoute, type SubscriptionHandler } from './subscriptionRoutes';

/** The Extensions API and the subscription endpoints of the Telemetry and Logs APIs. */
export function extensionRoutes(extensions: ExtensionsPort, config: Config, hub: SubscriptionHandler | undefined, router: Router): Router {
  const subscriptions = hub && config.maxConcurrency > 1 ? new ManagedInstancesSubscriptions(hub) : hub;
  return router
    .on('POST', /^\/2020-01-01\/extension\/register$/, registerRoute(extensions, config))
    .on('GET', /^\/2020-01-01\/extension\/event\/next$/, eventNextRoute(extensions))
    .on('POST', /^\/2020-01-01\/extension\/init\/error$/, extensionErrorRoute(extensions, 'init'))
    .on('POST', /^\/2020-01-01\/extension\/exit\/error$/, extensionErrorRoute(extensions, 'exit'))
    .on('PUT', /^\/2022-07-01\/telemetry\/?$/, subscriptionRoute(extensions, subscriptions, 'telemetry'))
    .on('PUT', /^\/2020-08-15\/logs\/?$/, subscriptionRoute(extensions, subscriptions, 'logs'));
}
