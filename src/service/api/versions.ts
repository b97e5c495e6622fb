import * as crypto from 'node:crypto';
import { qualifiedArn } from '../arn';
import { codeSha256 } from '../code';
import { findFunction, type ServiceContext } from '../context';
import type { AliasRecord, FunctionRecord } from '../model';
import { checkAliasName, validationError } from '../validation';
import { conflict, invalidParameter, notFound, preconditionFailed } from './errors';
import { functionConfiguration } from './functionView';
import { page, publish } from './functions';
import { parseJsonObject, readBody } from './http';
import type { Router } from './router';

const BODY_LIMIT = 256 * 1024;

/** PublishVersion, ListVersionsByFunction and the alias operations (https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html). */
export function versionRoutes(router: Router, context: ServiceContext): void {
  router.on('POST', '/2015-03-31/functions/{FunctionName}/versions', async ({ request, params }) => {
    const input = parseJsonObject(await readBody(request, BODY_LIMIT, 'PublishVersion'));
    const { record: found } = findFunction(context, params.FunctionName);
    return context.exclusive(found.name, async () => {
      const record = context.store.functions.get(found.name) ?? found;
      if (input.CodeSha256 !== undefined && input.CodeSha256 !== codeSha256(record.latest.codeBlob)) {
        throw invalidParameter(`CodeSHA256 (${String(input.CodeSha256)}) is different from current CodeSHA256 in $LATEST (${codeSha256(record.latest.codeBlob)}). Please try again`);
      }
      if (input.RevisionId !== undefined && input.RevisionId !== record.latest.revisionId) {
        throw preconditionFailed();
      }
      // Lambda publishes nothing new when $LATEST is unchanged since the last version.
      const last = record.versions[String(record.nextVersion - 1)];
      const unchanged = last !== undefined && last.codeBlob === record.latest.codeBlob && sameConfig(last, record.latest);
      const config = unchanged ? last : publish(record, typeof input.Description === 'string' ? input.Description : '');
      if (!unchanged) await context.store.saveFunction(record);
      return { status: 201, body: functionConfiguration(context.place, context.store, record, config, true) };
    });
  });

  router.on('GET', '/2015-03-31/functions/{FunctionName}/versions', async ({ params, query }) => {
    const { record } = findFunction(context, params.FunctionName);
    const configs = [record.latest, ...Object.values(record.versions).sort((a, b) => Number(a.version) - Number(b.version))];
    const views = configs.map((config) => functionConfiguration(context.place, context.store, record, config, true));
    return { status: 200, body: page(views, query, 'Versions') };
  });

  router.on('POST', '/2015-03-31/functions/{FunctionName}/aliases', async ({ request, params }) => {
    const input = parseJsonObject(await readBody(request, BODY_LIMIT, 'CreateAlias'));
    const { record: found } = findFunction(context, params.FunctionName);
    if (typeof input.Name !== 'string') throw validationError('name', input.Name, 'Member must not be null');
    const name = input.Name;
    checkAliasName(name);
    return context.exclusive(found.name, async () => {
      const record = context.store.functions.get(found.name) ?? found;
      if (record.aliases[name]) throw conflict(`Alias already exists: ${qualifiedArn(context.place, record.name, name)}`);
      const alias: AliasRecord = {
        name, functionVersion: checkVersion(record, input.FunctionVersion),
        description: typeof input.Description === 'string' ? input.Description : '',
        additionalVersionWeights: checkWeights(record, input.RoutingConfig), revisionId: crypto.randomUUID(),
      };
      record.aliases[name] = alias;
      await context.store.saveFunction(record);
      return { status: 201, body: aliasView(context, record, alias) };
    });
  });

  router.on('GET', '/2015-03-31/functions/{FunctionName}/aliases', async ({ params, query }) => {
    const { record } = findFunction(context, params.FunctionName);
    let aliases = Object.values(record.aliases).sort((a, b) => a.name.localeCompare(b.name));
    const version = query.get('FunctionVersion');
    if (version !== null) aliases = aliases.filter((a) => a.functionVersion === version);
    return { status: 200, body: page(aliases.map((a) => aliasView(context, record, a)), query, 'Aliases') };
  });

  router.on('GET', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', async ({ params }) => {
    const { record } = findFunction(context, params.FunctionName);
    return { status: 200, body: aliasView(context, record, findAlias(context, record, params.Name)) };
  });

  router.on('PUT', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', async ({ request, params }) => {
    const input = parseJsonObject(await readBody(request, BODY_LIMIT, 'UpdateAlias'));
    const { record: found } = findFunction(context, params.FunctionName);
    return context.exclusive(found.name, async () => {
      const record = context.store.functions.get(found.name) ?? found;
      const alias = findAlias(context, record, params.Name);
      if (input.RevisionId !== undefined && input.RevisionId !== alias.revisionId) {
        throw preconditionFailed();
      }
      if (input.FunctionVersion !== undefined) alias.functionVersion = checkVersion(record, input.FunctionVersion);
      if (typeof input.Description === 'string') alias.description = input.Description;
      if (input.RoutingConfig !== undefined) alias.additionalVersionWeights = checkWeights(record, input.RoutingConfig);
      alias.revisionId = crypto.randomUUID();
      await context.store.saveFunction(record);
      return { status: 200, body: aliasView(context, record, alias) };
    });
  });

  router.on('DELETE', '/2015-03-31/functions/{FunctionName}/aliases/{Name}', async ({ params }) => {
    const { record: found } = findFunction(context, params.FunctionName);
    return context.exclusive(found.name, async () => {
      const record = context.store.functions.get(found.name) ?? found;
      if (record.aliases[params.Name]) {
        delete record.aliases[params.Name];
        delete record.provisioned[params.Name];
        await context.store.saveFunction(record);
      }
      return { status: 204 };
    });
  });
}

function findAlias(context: ServiceContext, record: FunctionRecord, name: string): AliasRecord {
  const alias = record.aliases[name];
  if (!alias) throw notFound(`Alias not found: ${qualifiedArn(context.place, record.name, name)}`);
  return alias;
}

function checkVersion(record: FunctionRecord, version: unknown): string {
  if (typeof version !== 'string') throw validationError('functionVersion', version, 'Member must not be null');
  if (version !== '$LATEST' && !record.versions[version]) {
    throw notFound(`Function not found: ${record.name}:${version}`);
  }
  return version;
}

function checkWeights(record: FunctionRecord, routing: unknown): Record<string, number> {
  const weights = (routing as { AdditionalVersionWeights?: Record<string, unknown> } | undefined)?.AdditionalVersionWeights ?? {};
  const result: Record<string, number> = {};
  for (const [version, weight] of Object.entries(weights)) {
    if (typeof weight !== 'number' || weight < 0 || weight > 1) throw invalidParameter(`Invalid weight ${String(weight)} for version ${version}: a number from 0.0 to 1.0.`);
    if (!record.versions[version]) throw invalidParameter(`Version ${version} of function ${record.name} does not exist.`);
    result[version] = weight;
  }
  return result;
}

function aliasView(context: ServiceContext, record: FunctionRecord, alias: AliasRecord): Record<string, unknown> {
  return {
    AliasArn: qualifiedArn(context.place, record.name, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(Object.keys(alias.additionalVersionWeights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: alias.additionalVersionWeights } } : {}),
    RevisionId: alias.revisionId,
  };
}

function sameConfig(a: object, b: object): boolean {
  const strip = (config: object) => {
    const { version: _v, lastModified: _l, revisionId: _r, description: _d, state: _s, lastUpdateStatus: _u, ...rest } = config as Record<string, unknown>;
    return JSON.stringify(rest);
  };
  return strip(a) === strip(b);
}
