import { functionArn, parseFunctionName, qualifiedArn, type Place } from './arn';
import { functionNotFound, invalidParameter, notFound } from './api/errors';
import type { AsyncInvoker } from './asyncInvoker';
import type { FunctionRecord, VersionConfig } from './model';
import type { Scheduler } from './scheduler/scheduler';
import type { Store } from './store/store';
import { checkFunctionName, validationError } from './validation';

/** What the API handlers share. */
export interface ServiceContext {
  store: Store;
  scheduler: Scheduler;
  asyncInvoker: AsyncInvoker;
  place: Place;
  /** The service's own base URL as clients reach it (for Code.Location). */
  baseUrl: () => string;
  /** Serialises changes to one function (or layer), so that concurrent updates never interleave their writes. */
  exclusive: <T>(key: string, work: () => Promise<T>) => Promise<T>;
}

/** The function a `{FunctionName}` path parameter names, with the qualifier it carries, or 404. */
export function findFunction(context: ServiceContext, nameParam: string, queryQualifier?: string | null): { record: FunctionRecord; qualifier?: string } {
  const parsed = parseFunctionName(nameParam);
  if (!parsed) throw validationError('functionName', nameParam, 'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?');
  checkFunctionName(parsed.name);
  const qualifier = queryQualifier ?? undefined;
  if (parsed.qualifier !== undefined && qualifier !== undefined && parsed.qualifier !== qualifier) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  const record = context.store.functions.get(parsed.name);
  const effective = parsed.qualifier ?? qualifier;
  if (!record) {
    throw functionNotFound(effective !== undefined ? qualifiedArn(context.place, parsed.name, effective) : functionArn(context.place, parsed.name));
  }
  return { record, qualifier: effective };
}

/**
 * The version a qualifier selects: none or `$LATEST`, a published version, or an alias (whose routing config may
 * send a share of the invocations to a second version, https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html).
 */
export function resolveVersion(context: ServiceContext, record: FunctionRecord, qualifier: string | undefined,
  route = false): VersionConfig {
  if (qualifier === undefined || qualifier === '$LATEST') return record.latest;
  if (/^\d+$/.test(qualifier)) {
    const config = record.versions[qualifier];
    if (!config) throw functionNotFound(qualifiedArn(context.place, record.name, qualifier));
    return config;
  }
  const alias = record.aliases[qualifier];
  if (!alias) throw functionNotFound(qualifiedArn(context.place, record.name, qualifier));
  let version = alias.functionVersion;
  if (route) {
    let dice = Math.random();
    for (const [other, weight] of Object.entries(alias.additionalVersionWeights)) {
      if (dice < weight) {
        version = other;
        break;
      }
      dice -= weight;
    }
  }
  const config = version === '$LATEST' ? record.latest : record.versions[version];
  if (!config) throw notFound(`Function not found: ${qualifiedArn(context.place, record.name, version)}`);
  return config;
}
