import * as fs from 'node:fs';
import { functionArn, qualifiedArn } from '../arn';
import { acceptZip } from '../code';
import { applyConfiguration } from '../configuration';
import { findFunction, resolveVersion, type ServiceContext } from '../context';
import { lambdaTimestamp, type FunctionRecord, type VersionConfig } from '../model';
import { checkFunctionName, checkRange, validationError } from '../validation';
import { conflict, invalidParameter, notFound, preconditionFailed } from './errors';
import { functionConfiguration } from './functionView';
import { parseJsonObject, readBody } from './http';
import type { Router } from './router';

/**
 * Lambda's limits on the request carrying a zip: 50 MB zipped is 69,905,067 bytes of base64; CreateFunction allows
 * the rest of its members on top (the numbers AWS answers with in RequestEntityTooLargeException).
 */
export const CREATE_BODY_LIMIT = 70_167_211;
export const UPDATE_CODE_BODY_LIMIT = 69_905_067;
const CONFIG_BODY_LIMIT = 6 * 1024 * 1024;

export function functionRoutes(router: Router, context: ServiceContext): void {
  const view = (record: FunctionRecord, config: VersionConfig) => functionConfiguration(context.place, context.store, record, config);

  router.on('POST', '/2015-03-31/functions', async ({ request }) => {
    const input = parseJsonObject(await readBody(request, CREATE_BODY_LIMIT, 'CreateFunction'));
    const name = input.FunctionName;
    if (typeof name !== 'string') throw validationError('functionName', name, 'Member must not be null');
    checkFunctionName(name);
    return context.exclusive(name, async () => {
      if (context.store.functions.has(name)) throw conflict(`Function already exist: ${name}`);
      if (input.PackageType !== undefined && input.PackageType !== 'Zip') {
        throw invalidParameter('lambda-sandbox serve runs Zip functions only (PackageType Image is not supported).');
      }
      const code = input.Code as Record<string, unknown> | undefined;
      if (code?.ZipFile === undefined && (code?.S3Bucket !== undefined || code?.ImageUri !== undefined)) {
        throw invalidParameter('lambda-sandbox serve takes the code as Code.ZipFile only (no S3, no images).');
      }
      const zip = await acceptZip(context.store, code?.ZipFile, 'Code.ZipFile');
      const latest = applyConfiguration(context.store, name, input, undefined, zip);
      latest.state = 'Pending';
      latest.stateReason = 'The function is being created.';
      latest.stateReasonCode = 'Creating';
      const record: FunctionRecord = {
        name, latest, versions: {}, nextVersion: 1, aliases: {}, provisioned: {},
        tags: (input.Tags as Record<string, string> | undefined) ?? {},
      };
      if (input.Publish === true) publish(record, '');
      await context.store.saveFunction(record);
      settleSoon(context, name);
      const shown = input.Publish === true ? record.versions[String(record.nextVersion - 1)] : latest;
      return { status: 201, body: view(record, shown) };
    });
  });

  router.on('GET', '/2015-03-31/functions', async ({ query }) => {
    const all = [...context.store.functions.values()].sort((a, b) => a.name.localeCompare(b.name));
    const entries = query.get('FunctionVersion') === 'ALL'
      ? all.flatMap((record) => [record.latest, ...Object.values(record.versions)].map((config) => view(record, config)))
      : all.map((record) => view(record, record.latest));
    return { status: 200, body: page(entries, query, 'Functions') };
  });

  router.on('GET', '/2015-03-31/functions/{FunctionName}', async ({ params, query }) => {
    const { record, qualifier } = findFunction(context, params.FunctionName, query.get('Qualifier'));
    const config = resolveVersion(context, record, qualifier);
    return {
      status: 200,
      body: {
        Configuration: view(record, config),
        Code: { RepositoryType: 'S3', Location: `${context.baseUrl()}/lambda-sandbox/code/${config.codeBlob}.zip` },
        ...(Object.keys(record.tags).length > 0 ? { Tags: record.tags } : {}),
        ...(record.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: record.reservedConcurrency } } : {}),
      },
    };
  });

  router.on('GET', '/2015-03-31/functions/{FunctionName}/configuration', async ({ params, query }) => {
    const { record, qualifier } = findFunction(context, params.FunctionName, query.get('Qualifier'));
    return { status: 200, body: view(record, resolveVersion(context, record, qualifier)) };
  });

  router.on('PUT', '/2015-03-31/functions/{FunctionName}/code', async ({ request, params }) => {
    const input = parseJsonObject(await readBody(request, UPDATE_CODE_BODY_LIMIT, 'UpdateFunctionCode'));
    const { record: found } = findFunction(context, params.FunctionName);
    return context.exclusive(found.name, async () => {
      const record = current(context, found.name);
      checkUpdatable(context, record, input.RevisionId);
      const zip = await acceptZip(context.store, input.ZipFile, 'ZipFile');
      const latest = applyConfiguration(context.store, record.name, {}, record.latest, zip);
      if (input.DryRun === true) return { status: 200, body: view(record, { ...latest, lastUpdateStatus: record.latest.lastUpdateStatus }) };
      return update(context, record, latest, input.Publish === true);
    });
  });

  router.on('PUT', '/2015-03-31/functions/{FunctionName}/configuration', async ({ request, params }) => {
    const input = parseJsonObject(await readBody(request, CONFIG_BODY_LIMIT, 'UpdateFunctionConfiguration'));
    const { record: found } = findFunction(context, params.FunctionName);
    return context.exclusive(found.name, async () => {
      const record = current(context, found.name);
      checkUpdatable(context, record, input.RevisionId);
      const base = record.latest;
      const latest = applyConfiguration(context.store, record.name, input, base,
        { blob: base.codeBlob, size: base.codeSize, unzippedBytes: base.unzippedBytes });
      return update(context, record, latest, false);
    });
  });

  router.on('DELETE', '/2015-03-31/functions/{FunctionName}', async ({ params, query }) => {
    const { record: found, qualifier } = findFunction(context, params.FunctionName, query.get('Qualifier'));
    return context.exclusive(found.name, async () => {
      const record = current(context, found.name);
      if (qualifier === undefined) {
        context.scheduler.retire(record.name, () => false);
        context.asyncInvoker.forget(record.name);
        await context.store.deleteFunction(record.name);
        return { status: 204 };
      }
      if (qualifier === '$LATEST') throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
      if (!/^\d+$/.test(qualifier)) throw invalidParameter('Deletion of aliases is not supported by DeleteFunction; use DeleteAlias.');
      if (!record.versions[qualifier]) throw notFound(`Function not found: ${qualifiedArn(context.place, record.name, qualifier)}`);
      const users = Object.values(record.aliases).filter((a) => a.functionVersion === qualifier || qualifier in a.additionalVersionWeights);
      if (users.length > 0) {
        throw conflict(`Unable to delete version because the following aliases reference it: [${users.map((a) => a.name).join(', ')}]`);
      }
      delete record.versions[qualifier];
      delete record.provisioned[qualifier];
      context.scheduler.retire(record.name, (version) => version !== qualifier);
      await context.store.saveFunction(record);
      return { status: 204 };
    });
  });

  router.on('GET', '/lambda-sandbox/code/{Blob}', async ({ params, response }) => {
    const blob = params.Blob.replace(/\.zip$/, '');
    if (!/^[0-9a-f]{64}$/.test(blob) || !fs.existsSync(context.store.blobPath(blob))) throw notFound('No such code package.');
    const stat = await fs.promises.stat(context.store.blobPath(blob));
    response.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(stat.size) });
    fs.createReadStream(context.store.blobPath(blob)).pipe(response);
    return undefined;
  });
}

/** The record as it is now (it may have changed while waiting for the lock). */
function current(context: ServiceContext, name: string): FunctionRecord {
  const record = context.store.functions.get(name);
  if (!record) throw notFound(`Function not found: ${functionArn(context.place, name)}`);
  return record;
}

function checkUpdatable(context: ServiceContext, record: FunctionRecord, revisionId: unknown): void {
  if (revisionId !== undefined && revisionId !== record.latest.revisionId) {
    throw preconditionFailed();
  }
  if (record.latest.lastUpdateStatus === 'InProgress') {
    throw conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${functionArn(context.place, record.name)}`);
  }
}

/** A new $LATEST: new invokes go to new environments, the old ones drain. */
async function update(context: ServiceContext, record: FunctionRecord, latest: VersionConfig, andPublish: boolean) {
  latest.lastUpdateStatus = 'InProgress';
  latest.lastUpdateStatusReason = 'The function is being created.';
  latest.lastUpdateStatusReasonCode = 'Creating';
  record.latest = latest;
  if (andPublish) publish(record, '');
  await context.store.saveFunction(record);
  context.scheduler.retire(record.name, (version, revision) => version !== '$LATEST' || revision === latest.revisionId);
  settleSoon(context, record.name);
  return { status: 200, body: functionConfiguration(context.place, context.store, record, andPublish ? record.versions[String(record.nextVersion - 1)] : latest) };
}

/** Publishes $LATEST as the next version number (PublishVersion, or Publish on create/update). */
export function publish(record: FunctionRecord, description: string): VersionConfig {
  const version = String(record.nextVersion);
  record.nextVersion += 1;
  const config: VersionConfig = {
    ...structuredClone(record.latest),
    version, description: description || record.latest.description, lastModified: lambdaTimestamp(),
  };
  record.versions[version] = config;
  return config;
}

/**
 * Pending → Active and InProgress → Successful, as Lambda reports a create or update once the function is ready
 * (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html). Here the code was checked before the answer,
 * so the function is ready as soon as the answer has gone out.
 */
export function settleSoon(context: ServiceContext, name: string): void {
  setImmediate(() => {
    void context.exclusive(name, async () => {
      const record = context.store.functions.get(name);
      if (!record) return;
      if (!settle(record)) return;
      await context.store.saveFunction(record);
    });
  });
}

/** Marks the function's versions ready; true when something changed. */
export function settle(record: FunctionRecord): boolean {
  let changed = false;
  for (const config of [record.latest, ...Object.values(record.versions)]) {
    if (config.state === 'Pending') {
      config.state = 'Active';
      delete config.stateReason;
      delete config.stateReasonCode;
      changed = true;
    }
    if (config.lastUpdateStatus === 'InProgress') {
      config.lastUpdateStatus = 'Successful';
      delete config.lastUpdateStatusReason;
      delete config.lastUpdateStatusReasonCode;
      changed = true;
    }
  }
  return changed;
}

/** One page of a list with Lambda's Marker / MaxItems (https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html). */
export function page<T>(entries: T[], query: URLSearchParams, key: string): Record<string, unknown> {
  const maxItems = query.get('MaxItems') !== null ? Number(query.get('MaxItems')) : 50;
  checkRange('maxItems', maxItems, 1, 10000);
  const marker = query.get('Marker');
  let start = 0;
  if (marker !== null) {
    start = Number(Buffer.from(marker, 'base64url').toString());
    if (!Number.isInteger(start) || start < 0) throw invalidParameter(`Invalid marker: ${marker}`);
  }
  const items = entries.slice(start, start + maxItems);
  const next = start + maxItems < entries.length ? Buffer.from(String(start + maxItems)).toString('base64url') : undefined;
  return { [key]: items, ...(next !== undefined ? { NextMarker: next } : {}) };
}
