import { isJsonObject } from './jsonObject';

/**
 * Where a subscriber wants its telemetry. HTTP URIs must name the sandbox host (`sandbox.localdomain` or `sandbox`);
 * the init delivers to them on loopback itself, so no DNS is involved.
 */
export type Destination =
  | { protocol: 'HTTP'; uri: string; hostname: string; port: number; path: string }
  | { protocol: 'TCP'; port: number };

export const SANDBOX_HOSTS: readonly string[] = ['sandbox.localdomain', 'sandbox'];
const PROTOCOLS = ['HTTP', 'TCP'];

export function parseDestination(value: unknown, reservedPorts: readonly number[], problems: string[]): Destination | undefined {
  if (value === undefined) {
    problems.push('destination is required ({"protocol":"HTTP","URI":...} or {"protocol":"TCP","port":...})');
    return undefined;
  }
  if (!isJsonObject(value)) {
    problems.push('destination must be an object ({"protocol":"HTTP","URI":...} or {"protocol":"TCP","port":...})');
    return undefined;
  }
  const protocol = value.protocol;
  if (protocol === undefined) {
    problems.push('destination.protocol is required (HTTP or TCP)');
    return undefined;
  }
  if (typeof protocol !== 'string' || !PROTOCOLS.includes(protocol)) {
    problems.push(`destination.protocol ${JSON.stringify(protocol)} is not supported; use HTTP or TCP`);
    return undefined;
  }
  return protocol === 'HTTP' ? parseHttp(value.URI, reservedPorts, problems) : parseTcp(value.port, reservedPorts, problems);
}

function parseHttp(uri: unknown, reservedPorts: readonly number[], problems: string[]): Destination | undefined {
  if (uri === undefined) {
    problems.push('destination.URI is required for protocol HTTP (e.g. http://sandbox.localdomain:8080/telemetry)');
    return undefined;
  }
  if (typeof uri !== 'string' || uri === '') {
    problems.push('destination.URI must be a non-empty string (e.g. http://sandbox.localdomain:8080/telemetry)');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    problems.push(`destination.URI ${JSON.stringify(uri)} is not a valid URI`);
    return undefined;
  }
  if (url.protocol === 'https:') {
    problems.push(`destination.URI ${JSON.stringify(uri)} uses HTTPS, which is not supported; use http://`);
    return undefined;
  }
  if (url.protocol !== 'http:') {
    problems.push(`destination.URI ${JSON.stringify(uri)} must be an http:// URI`);
    return undefined;
  }
  if (!SANDBOX_HOSTS.includes(url.hostname)) {
    problems.push(`destination.URI host must be sandbox.localdomain or sandbox (got ${JSON.stringify(url.hostname)})`);
    return undefined;
  }
  const port = url.port === '' ? 80 : Number(url.port);
  if (reservedPorts.includes(port)) {
    problems.push(`destination.URI port ${port} is reserved for the Lambda APIs`);
    return undefined;
  }
  return { protocol: 'HTTP', uri, hostname: url.hostname, port, path: `${url.pathname}${url.search}` };
}

function parseTcp(port: unknown, reservedPorts: readonly number[], problems: string[]): Destination | undefined {
  if (port === undefined) {
    problems.push('destination.port is required for protocol TCP');
    return undefined;
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push(`destination.port must be an integer between 1 and 65535 (got ${JSON.stringify(port)})`);
    return undefined;
  }
  if (reservedPorts.includes(port)) {
    problems.push(`destination.port ${port} is reserved for the Lambda APIs`);
    return undefined;
  }
  return { protocol: 'TCP', port };
}

/** For the init's own log lines. */
export function describeDestination(destination: Destination): string {
  return destination.protocol === 'HTTP' ? `HTTP ${destination.uri}` : `TCP port ${destination.port}`;
}
