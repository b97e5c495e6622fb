import { layerArn, layerVersionArn, parseLayerVersionArn } from '../arn';
import { acceptZip, codeSha256 } from '../code';
import type { ServiceContext } from '../context';
import type { LayerRecord, LayerVersionRecord } from '../model';
import { checkLayerName, SUPPORTED_RUNTIMES, validationError } from '../validation';
import { CREATE_BODY_LIMIT, page } from './functions';
import { LambdaError, notFound } from './errors';
import { parseJsonObject, readBody } from './http';
import type { Router } from './router';

/** Layers (https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html): published from a zip, used by ARN. */
export function layerRoutes(router: Router, context: ServiceContext): void {
  const view = (layer: LayerVersionRecord) => ({
    LayerArn: layerArn(context.place, layer.name),
    LayerVersionArn: layerVersionArn(context.place, layer.name, layer.version),
    Version: layer.version,
    Description: layer.description,
    CreatedDate: layer.createdDate,
    CompatibleRuntimes: layer.compatibleRuntimes,
    CompatibleArchitectures: layer.compatibleArchitectures,
    ...(layer.licenseInfo !== undefined ? { LicenseInfo: layer.licenseInfo } : {}),
  });
  const withContent = (layer: LayerVersionRecord) => ({
    ...view(layer),
    Content: {
      Location: `${context.baseUrl()}/lambda-sandbox/code/${layer.codeBlob}.zip`,
      CodeSha256: codeSha256(layer.codeBlob),
      CodeSize: layer.codeSize,
    },
  });

  router.on('POST', '/2018-10-31/layers/{LayerName}/versions', async ({ request, params }) => {
    const input = parseJsonObject(await readBody(request, CREATE_BODY_LIMIT, 'PublishLayerVersion'));
    checkLayerName(params.LayerName);
    const runtimes = input.CompatibleRuntimes ?? [];
    if (!Array.isArray(runtimes) || runtimes.length > 15 || runtimes.some((r) => typeof r !== 'string')) {
      throw validationError('compatibleRuntimes', JSON.stringify(runtimes), 'Member must have length less than or equal to 15');
    }
    const zip = await acceptZip(context.store, (input.Content as { ZipFile?: unknown } | undefined)?.ZipFile, 'Content.ZipFile');
    return context.exclusive(`layer:${params.LayerName}`, async () => {
      const layer: LayerRecord = context.store.layers.get(params.LayerName) ?? { name: params.LayerName, nextVersion: 1, versions: {} };
      const record: LayerVersionRecord = {
        name: layer.name, version: layer.nextVersion,
        description: typeof input.Description === 'string' ? input.Description : '',
        compatibleRuntimes: (runtimes as string[]).filter((r) => SUPPORTED_RUNTIMES.includes(r) || r.length > 0),
        compatibleArchitectures: Array.isArray(input.CompatibleArchitectures) ? input.CompatibleArchitectures as string[] : [],
        ...(typeof input.LicenseInfo === 'string' ? { licenseInfo: input.LicenseInfo } : {}),
        codeBlob: zip.blob, codeSize: zip.size, unzippedBytes: zip.unzippedBytes, createdDate: new Date().toISOString().replace('Z', '+0000'),
      };
      layer.versions[String(record.version)] = record;
      layer.nextVersion += 1;
      await context.store.saveLayer(layer);
      return { status: 201, body: withContent(record) };
    });
  });

  router.on('GET', '/2018-10-31/layers/{LayerName}/versions/{VersionNumber}', async ({ params }) => {
    return { status: 200, body: withContent(findLayerVersion(context, params.LayerName, params.VersionNumber)) };
  });

  router.on('GET', '/2018-10-31/layers', async ({ query }) => {
    if (query.get('find') === 'LayerVersion') {
      const arn = query.get('Arn') ?? '';
      const parsed = parseLayerVersionArn(arn);
      if (!parsed) throw validationError('arn', arn, 'Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+');
      return { status: 200, body: withContent(findLayerVersion(context, parsed.name, String(parsed.version))) };
    }
    const layers = [...context.store.layers.values()]
      .map((layer) => ({ layer, latest: latestVersion(layer) }))
      .filter((entry): entry is { layer: LayerRecord; latest: LayerVersionRecord } => entry.latest !== undefined)
      .sort((a, b) => a.layer.name.localeCompare(b.layer.name))
      .map(({ layer, latest }) => ({ LayerName: layer.name, LayerArn: layerArn(context.place, layer.name), LatestMatchingVersion: view(latest) }));
    return { status: 200, body: page(layers, query, 'Layers') };
  });

  router.on('GET', '/2018-10-31/layers/{LayerName}/versions', async ({ params, query }) => {
    const layer = context.store.layers.get(params.LayerName);
    const versions = layer ? liveVersions(layer).sort((a, b) => b.version - a.version).map(view) : [];
    return { status: 200, body: page(versions, query, 'LayerVersions') };
  });

  router.on('DELETE', '/2018-10-31/layers/{LayerName}/versions/{VersionNumber}', async ({ params }) => {
    return context.exclusive(`layer:${params.LayerName}`, async () => {
      const layer = context.store.layers.get(params.LayerName);
      const version = layer?.versions[params.VersionNumber];
      if (layer && version && !version.deleted) {
        version.deleted = true;
        await context.store.saveLayer(layer);
      }
      return { status: 204 };
    });
  });
}

function latestVersion(layer: LayerRecord): LayerVersionRecord | undefined {
  return liveVersions(layer).sort((a, b) => b.version - a.version)[0];
}

function liveVersions(layer: LayerRecord): LayerVersionRecord[] {
  return Object.values(layer.versions).filter((version) => !version.deleted);
}

function findLayerVersion(context: ServiceContext, name: string, version: string): LayerVersionRecord {
  if (!/^\d+$/.test(version)) throw new LambdaError('ValidationException', 400, `1 validation error detected: Value '${version}' at 'versionNumber' failed to satisfy constraint: Member must be a number`);
  const found = context.store.layers.get(name)?.versions[version];
  if (!found || found.deleted) throw notFound('The resource you requested does not exist.');
  return found;
}
