import type { Config } from '../../config';
import { errors } from '../awsErrors';

/**
 * Which function a path names: RIE's literal `function`, the configured name, a full or partial ARN, each
 * optionally qualified (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html). Returns the ARN the caller
 * used, or throws ResourceNotFoundException.
 */
export function resolveFunctionName(config: Config, name: string, qualifierParam: string | null): string {
  const unqualifiedArn = config.functionArn;
  let base = name;
  let qualifier: string | undefined;
  const arn = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::(.+))?$/.exec(name);
  const partial = /^(\d{12}):function:([^:]+)(?::(.+))?$/.exec(name);
  if (arn) {
    if (arn[1] !== config.region || arn[2] !== config.accountId) throw errors.functionNotFound(name);
    base = arn[3];
    qualifier = arn[4];
  } else if (partial) {
    if (partial[1] !== config.accountId) throw errors.functionNotFound(`arn:aws:lambda:${config.region}:${name}`);
    base = partial[2];
    qualifier = partial[3];
  } else if (name.includes(':')) {
    [base, qualifier] = [name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1)];
  }
  if (qualifierParam !== null && qualifierParam !== '') {
    if (qualifier !== undefined && qualifier !== qualifierParam) {
      throw errors.invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
    }
    qualifier = qualifierParam;
  }
  if (base !== config.functionName && base !== 'function') throw errors.functionNotFound(`${unqualifiedArn.replace(/[^:]+$/, base)}`);
  if (qualifier !== undefined && qualifier !== '$LATEST' && qualifier !== config.functionVersion) {
    throw errors.functionNotFound(`${unqualifiedArn}:${qualifier}`);
  }
  return qualifier === undefined ? unqualifiedArn : `${unqualifiedArn}:${qualifier}`;
}
