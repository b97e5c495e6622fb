import { parseDestination, type Destination } from './destination';
import { isJsonObject } from './jsonObject';

/** The two subscription APIs: Telemetry API (2022-07-01) and the legacy Logs API (2020-08-15), docs/lambda-behaviour.md#telemetry-api, #logs-api. */
export type SubscriptionApi = 'telemetry' | 'logs';
export type EventCategory = 'platform' | 'function' | 'extension';

export interface Buffering {
  maxItems: number;
  maxBytes: number;
  timeoutMs: number;
}

/** A validated subscription body with every default filled in. */
export interface SubscriptionRequest {
  api: SubscriptionApi;
  schemaVersion: string;
  /** As requested, duplicates removed, order kept (it is echoed in the subscription record). */
  types: EventCategory[];
  buffering: Buffering;
  destination: Destination;
}

export const SCHEMA_VERSIONS: Record<SubscriptionApi, readonly string[]> = {
  telemetry: ['2022-07-01', '2022-12-13', '2025-01-29'],
  logs: ['2020-08-15', '2021-03-18'],
};
const LOGS_DEFAULT_SCHEMA = '2020-08-15';
const CATEGORIES: readonly EventCategory[] = ['platform', 'function', 'extension'];

interface Bound {
  field: keyof Buffering;
  min: number;
  max: number;
  fallback: number;
}
export const BUFFERING_BOUNDS: readonly Bound[] = [
  { field: 'maxItems', min: 1_000, max: 10_000, fallback: 10_000 },
  { field: 'maxBytes', min: 262_144, max: 1_048_576, fallback: 262_144 },
  { field: 'timeoutMs', min: 25, max: 30_000, fallback: 1_000 },
];

export type ParseResult = { ok: true; request: SubscriptionRequest } | { ok: false; message: string };

/**
 * Validates a subscription body (already JSON-parsed; an Error stands for a body that did not parse). Every problem
 * found is reported, each naming its field, joined with "; ".
 */
export function parseSubscriptionRequest(api: SubscriptionApi, body: unknown, reservedPorts: readonly number[]): ParseResult {
  if (body instanceof Error) return { ok: false, message: `Request body is not valid JSON: ${body.message}` };
  if (!isJsonObject(body)) return { ok: false, message: 'Request body must be a JSON object' };
  const problems: string[] = [];
  const schemaVersion = parseSchemaVersion(api, body.schemaVersion, problems);
  const types = parseTypes(body.types, problems);
  const buffering = parseBuffering(body.buffering, problems);
  const destination = parseDestination(body.destination, reservedPorts, problems);
  if (problems.length > 0 || schemaVersion === undefined || types === undefined || buffering === undefined || destination === undefined) {
    return { ok: false, message: problems.join('; ') };
  }
  return { ok: true, request: { api, schemaVersion, types, buffering, destination } };
}

function parseSchemaVersion(api: SubscriptionApi, value: unknown, problems: string[]): string | undefined {
  const allowed = SCHEMA_VERSIONS[api];
  if (value === undefined && api === 'logs') return LOGS_DEFAULT_SCHEMA;
  if (value === undefined) {
    problems.push(`schemaVersion is required (one of ${allowed.join(', ')})`);
  } else if (typeof value !== 'string') {
    problems.push(`schemaVersion must be a string (one of ${allowed.join(', ')})`);
  } else if (!allowed.includes(value)) {
    problems.push(`schemaVersion ${JSON.stringify(value)} is not supported; use one of ${allowed.join(', ')}`);
  } else {
    return value;
  }
  return undefined;
}

function parseTypes(value: unknown, problems: string[]): EventCategory[] | undefined {
  const expected = `one of ${CATEGORIES.join(', ')}`;
  if (value === undefined) {
    problems.push(`types is required (an array of ${CATEGORIES.join(', ')})`);
    return undefined;
  }
  if (!Array.isArray(value)) {
    problems.push(`types must be an array of ${CATEGORIES.join(', ')}`);
    return undefined;
  }
  if (value.length === 0) {
    problems.push(`types must contain at least one of ${CATEGORIES.join(', ')}`);
    return undefined;
  }
  const types: EventCategory[] = [];
  let valid = true;
  value.forEach((item: unknown, index) => {
    const category = CATEGORIES.find((c) => c === item);
    if (category === undefined) {
      problems.push(`types[${index}] ${JSON.stringify(item) ?? String(item)} is not ${expected}`);
      valid = false;
    } else if (!types.includes(category)) {
      types.push(category);
    }
  });
  return valid ? types : undefined;
}

function parseBuffering(value: unknown, problems: string[]): Buffering | undefined {
  const buffering = Object.fromEntries(BUFFERING_BOUNDS.map((b) => [b.field, b.fallback])) as unknown as Buffering;
  if (value === undefined) return buffering;
  if (!isJsonObject(value)) {
    problems.push('buffering must be an object with optional maxItems, maxBytes and timeoutMs');
    return undefined;
  }
  let valid = true;
  for (const { field, min, max } of BUFFERING_BOUNDS) {
    const given = value[field];
    if (given === undefined) continue;
    if (typeof given !== 'number' || !Number.isInteger(given)) {
      problems.push(`buffering.${field} must be an integer between ${min} and ${max}`);
      valid = false;
    } else if (given < min || given > max) {
      problems.push(`buffering.${field} must be between ${min} and ${max} (got ${given})`);
      valid = false;
    } else {
      buffering[field] = given;
    }
  }
  return valid ? buffering : undefined;
}

/** Two requests that would behave the same (types compared as a set). */
export function sameSubscription(a: SubscriptionRequest, b: SubscriptionRequest): boolean {
  const canonical = (r: SubscriptionRequest): string => JSON.stringify({ ...r, types: [...r.types].sort() });
  return canonical(a) === canonical(b);
}
