/** What the service keeps about functions and layers (persisted as JSON under the data dir). */

export interface LoggingConfig {
  LogFormat: 'Text' | 'JSON';
  ApplicationLogLevel?: string;
  SystemLogLevel?: string;
  LogGroup: string;
}

/** One version's configuration: `$LATEST` (changes) or a published number (frozen). */
export interface VersionConfig {
  version: string;
  runtime: string;
  handler?: string;
  role: string;
  description: string;
  timeout: number;
  memorySize: number;
  ephemeralStorage: number;
  environment: Record<string, string>;
  /** Layer version ARNs, in order. */
  layers: string[];
  loggingConfig: LoggingConfig;
  architectures: string[];
  /** Hex sha256 of the zip: also the name of its blob in the store. */
  codeBlob: string;
  codeSize: number;
  /** What the zip unzips to, for the 250 MB quota of code plus layers. */
  unzippedBytes: number;
  lastModified: string;
  revisionId: string;
  state: 'Pending' | 'Active' | 'Failed' | 'Inactive';
  stateReason?: string;
  stateReasonCode?: string;
  lastUpdateStatus: 'InProgress' | 'Successful' | 'Failed';
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: string;
}

export interface AliasRecord {
  name: string;
  functionVersion: string;
  description: string;
  /** Version → share of the traffic (0..1) that goes to it instead of functionVersion. */
  additionalVersionWeights: Record<string, number>;
  revisionId: string;
}

export interface EventInvokeConfig {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
  lastModified: number;
}

export interface FunctionRecord {
  name: string;
  latest: VersionConfig;
  versions: Record<string, VersionConfig>;
  nextVersion: number;
  aliases: Record<string, AliasRecord>;
  reservedConcurrency?: number;
  /** Qualifier (version or alias) → requested provisioned environments. */
  provisioned: Record<string, { requested: number; lastModified: string }>;
  eventInvokeConfig?: EventInvokeConfig;
  tags: Record<string, string>;
}

export interface LayerVersionRecord {
  name: string;
  version: number;
  description: string;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
  licenseInfo?: string;
  codeBlob: string;
  codeSize: number;
  unzippedBytes: number;
  createdDate: string;
  /** DeleteLayerVersion: gone from the API, but functions that use it keep their copy, as in Lambda. */
  deleted?: boolean;
}

export interface LayerRecord {
  name: string;
  nextVersion: number;
  versions: Record<string, LayerVersionRecord>;
}

/** Lambda's timestamp format for LastModified: `2026-11-30T01:02:03.456+0000`. */
export function lambdaTimestamp(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}
