import { functionArn, qualifiedArn, type Place } from '../arn';
import { codeSha256 } from '../code';
import type { FunctionRecord, VersionConfig } from '../model';
import type { Store } from '../store/store';
import { parseLayerVersionArn } from '../arn';

/** FunctionConfiguration as Lambda returns it (https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html). */
export function functionConfiguration(place: Place, store: Store, record: FunctionRecord, config: VersionConfig,
  qualified = config.version !== '$LATEST'): Record<string, unknown> {
  return {
    FunctionName: record.name,
    FunctionArn: qualified ? qualifiedArn(place, record.name, config.version) : functionArn(place, record.name),
    Runtime: config.runtime,
    Role: config.role,
    ...(config.handler !== undefined ? { Handler: config.handler } : {}),
    CodeSize: config.codeSize,
    Description: config.description,
    Timeout: config.timeout,
    MemorySize: config.memorySize,
    LastModified: config.lastModified,
    CodeSha256: codeSha256(config.codeBlob),
    Version: config.version,
    ...(Object.keys(config.environment).length > 0 ? { Environment: { Variables: config.environment } } : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: config.revisionId,
    ...(config.layers.length > 0 ? { Layers: config.layers.map((arn) => ({ Arn: arn, CodeSize: layerSize(store, arn) })) } : {}),
    State: config.state,
    ...(config.stateReason !== undefined ? { StateReason: config.stateReason, StateReasonCode: config.stateReasonCode } : {}),
    LastUpdateStatus: config.lastUpdateStatus,
    ...(config.lastUpdateStatusReason !== undefined
      ? { LastUpdateStatusReason: config.lastUpdateStatusReason, LastUpdateStatusReasonCode: config.lastUpdateStatusReasonCode }
      : {}),
    PackageType: 'Zip',
    Architectures: config.architectures,
    EphemeralStorage: { Size: config.ephemeralStorage },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: config.loggingConfig,
  };
}

function layerSize(store: Store, arn: string): number {
  const parsed = parseLayerVersionArn(arn);
  return parsed ? store.layers.get(parsed.name)?.versions[String(parsed.version)]?.codeSize ?? 0 : 0;
}
