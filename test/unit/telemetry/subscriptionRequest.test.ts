import * as assert from 'node:assert/strict';
import { parseSubscriptionRequest, type SubscriptionApi } from '../../../src/telemetry/subscriptions/subscriptionRequest';
import { startHub } from './helpers/hubHarness';

const VALID = {
  schemaVersion: '2022-12-13',
  types: ['platform', 'function'],
  destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:8080/telemetry' },
};

function problem(api: SubscriptionApi, body: unknown): string {
  const result = parseSubscriptionRequest(api, body, [9001]);
  assert.equal(result.ok, false, `expected ${JSON.stringify(body)} to be rejected`);
  return result.ok ? '' : result.message;
}

function accepted(api: SubscriptionApi, body: unknown) {
  const result = parseSubscriptionRequest(api, body, [9001]);
  if (!result.ok) assert.fail(`expected acceptance, got: ${result.message}`);
  return result.request;
}

describe('telemetry subscription request validation', () => {
  it('fills the documented defaults', () => {
    const request = accepted('telemetry', VALID);
    assert.deepEqual(request, {
      api: 'telemetry',
      schemaVersion: '2022-12-13',
      types: ['platform', 'function'],
      buffering: { maxItems: 10000, maxBytes: 262144, timeoutMs: 1000 },
      destination: { protocol: 'HTTP', uri: 'http://sandbox.localdomain:8080/telemetry', hostname: 'sandbox.localdomain', port: 8080, path: '/telemetry' },
    });
  });

  it('accepts every schema version of each API and the Logs API default', () => {
    for (const version of ['2022-07-01', '2022-12-13', '2025-01-29']) assert.equal(accepted('telemetry', { ...VALID, schemaVersion: version }).schemaVersion, version);
    for (const version of ['2020-08-15', '2021-03-18']) assert.equal(accepted('logs', { ...VALID, schemaVersion: version }).schemaVersion, version);
    const { schemaVersion: _omitted, ...noVersion } = VALID;
    assert.equal(accepted('logs', noVersion).schemaVersion, '2020-08-15');
    assert.match(problem('telemetry', noVersion), /^schemaVersion is required/);
  });

  it('rejects schema versions of the other API and non-strings', () => {
    assert.match(problem('telemetry', { ...VALID, schemaVersion: '2020-08-15' }), /schemaVersion "2020-08-15" is not supported; use one of 2022-07-01, 2022-12-13, 2025-01-29/);
    assert.match(problem('logs', { ...VALID, schemaVersion: '2022-12-13' }), /schemaVersion "2022-12-13" is not supported; use one of 2020-08-15, 2021-03-18/);
    assert.match(problem('telemetry', { ...VALID, schemaVersion: 20221213 }), /schemaVersion must be a string/);
  });

  it('checks types', () => {
    const { types: _omitted, ...noTypes } = VALID;
    assert.match(problem('telemetry', noTypes), /types is required/);
    assert.match(problem('telemetry', { ...VALID, types: 'platform' }), /types must be an array/);
    assert.match(problem('telemetry', { ...VALID, types: [] }), /types must contain at least one of platform, function, extension/);
    assert.match(problem('telemetry', { ...VALID, types: ['platform', 'logs'] }), /types\[1\] "logs" is not one of platform, function, extension/);
    assert.deepEqual(accepted('telemetry', { ...VALID, types: ['function', 'platform', 'function'] }).types, ['function', 'platform']);
  });

  it('checks each buffering field against its bounds', () => {
    const cases: Array<[string, number, number]> = [['maxItems', 1000, 10000], ['maxBytes', 262144, 1048576], ['timeoutMs', 25, 30000]];
    for (const [field, min, max] of cases) {
      for (const ok of [min, max]) assert.equal(accepted('telemetry', { ...VALID, buffering: { [field]: ok } }).buffering[field as 'maxItems'], ok);
      assert.equal(problem('telemetry', { ...VALID, buffering: { [field]: min - 1 } }), `buffering.${field} must be between ${min} and ${max} (got ${min - 1})`);
      assert.equal(problem('telemetry', { ...VALID, buffering: { [field]: max + 1 } }), `buffering.${field} must be between ${min} and ${max} (got ${max + 1})`);
      assert.equal(problem('telemetry', { ...VALID, buffering: { [field]: 1500.5 } }), `buffering.${field} must be an integer between ${min} and ${max}`);
      assert.equal(problem('telemetry', { ...VALID, buffering: { [field]: '2000' } }), `buffering.${field} must be an integer between ${min} and ${max}`);
    }
    assert.match(problem('telemetry', { ...VALID, buffering: [] }), /^buffering must be an object/);
    assert.deepEqual(accepted('logs', { ...VALID, schemaVersion: '2021-03-18', buffering: { timeoutMs: 100 } }).buffering, { maxItems: 10000, maxBytes: 262144, timeoutMs: 100 });
  });

  it('checks HTTP destinations', () => {
    const uri = (URI: unknown) => ({ ...VALID, destination: { protocol: 'HTTP', URI } });
    assert.match(problem('telemetry', { ...VALID, destination: { protocol: 'HTTP' } }), /destination.URI is required for protocol HTTP/);
    assert.match(problem('telemetry', uri('')), /destination.URI must be a non-empty string/);
    assert.match(problem('telemetry', uri('not a uri')), /destination.URI "not a uri" is not a valid URI/);
    assert.match(problem('telemetry', uri('https://sandbox.localdomain:8080/')), /uses HTTPS, which is not supported/);
    assert.match(problem('telemetry', uri('ftp://sandbox.localdomain:8080/')), /must be an http:\/\/ URI/);
    assert.match(problem('telemetry', uri('http://localhost:8080/')), /destination.URI host must be sandbox.localdomain or sandbox \(got "localhost"\)/);
    assert.match(problem('telemetry', uri('http://sandbox:9001/')), /destination.URI port 9001 is reserved/);
    const sandbox = accepted('telemetry', uri('http://sandbox:4243')).destination;
    assert.deepEqual(sandbox, { protocol: 'HTTP', uri: 'http://sandbox:4243', hostname: 'sandbox', port: 4243, path: '/' });
    const noPort = accepted('telemetry', uri('http://SANDBOX.localdomain/logs?x=1')).destination;
    assert.deepEqual(noPort, { protocol: 'HTTP', uri: 'http://SANDBOX.localdomain/logs?x=1', hostname: 'sandbox.localdomain', port: 80, path: '/logs?x=1' });
  });

  it('checks TCP destinations', () => {
    const port = (value: unknown) => ({ ...VALID, destination: { protocol: 'TCP', port: value } });
    assert.match(problem('telemetry', { ...VALID, destination: { protocol: 'TCP' } }), /destination.port is required for protocol TCP/);
    for (const bad of [0, 65536, 80.5, '8080']) {
      assert.equal(problem('telemetry', port(bad)), `destination.port must be an integer between 1 and 65535 (got ${JSON.stringify(bad)})`);
    }
    assert.match(problem('logs', port(9001)), /destination.port 9001 is reserved/);
    assert.deepEqual(accepted('logs', { ...port(65535), schemaVersion: '2020-08-15' }).destination, { protocol: 'TCP', port: 65535 });
  });

  it('checks the destination object and protocol', () => {
    const { destination: _omitted, ...noDestination } = VALID;
    assert.match(problem('telemetry', noDestination), /^destination is required/);
    assert.match(problem('telemetry', { ...VALID, destination: 'http://sandbox:80' }), /^destination must be an object/);
    assert.match(problem('telemetry', { ...VALID, destination: { URI: 'http://sandbox:80' } }), /destination.protocol is required \(HTTP or TCP\)/);
    assert.match(problem('telemetry', { ...VALID, destination: { protocol: 'HTTPS', URI: 'https://sandbox' } }), /destination.protocol "HTTPS" is not supported; use HTTP or TCP/);
  });

  it('reports every problem at once, and bodies that are not objects', () => {
    assert.equal(
      problem('telemetry', { schemaVersion: 'x', types: [], destination: { protocol: 'TCP', port: 0 } }),
      'schemaVersion "x" is not supported; use one of 2022-07-01, 2022-12-13, 2025-01-29; ' +
        'types must contain at least one of platform, function, extension; destination.port must be an integer between 1 and 65535 (got 0)',
    );
    assert.equal(problem('telemetry', null), 'Request body must be a JSON object');
    assert.equal(problem('telemetry', [VALID]), 'Request body must be a JSON object');
    assert.equal(problem('logs', new SyntaxError('Unexpected end of JSON input')), 'Request body is not valid JSON: Unexpected end of JSON input');
  });

  it('honours extra reserved ports', () => {
    const result = parseSubscriptionRequest('telemetry', { ...VALID, destination: { protocol: 'TCP', port: 9555 } }, [9001, 9555]);
    assert.deepEqual(result, { ok: false, message: 'destination.port 9555 is reserved for the Lambda APIs' });
  });
});

describe('TelemetryHub subscription responses', () => {
  it('answers validation errors with each API\'s error type', () => {
    const { hub } = startHub();
    try {
      assert.deepEqual(hub.subscribeTelemetry('ext', { ...VALID, types: [] }), {
        status: 400, body: { errorType: 'ValidationError', errorMessage: 'types must contain at least one of platform, function, extension' },
      });
      assert.deepEqual(hub.subscribeLogs('ext', { ...VALID, schemaVersion: undefined, types: ['nope'] }), {
        status: 400, body: { errorType: 'Logs.ValidationError', errorMessage: 'types[0] "nope" is not one of platform, function, extension' },
      });
    } finally {
      hub.close();
    }
  });

  it('closes subscriptions with the documented 403s', () => {
    const { hub } = startHub();
    hub.closeSubscriptions();
    try {
      assert.deepEqual(hub.subscribeTelemetry('ext', VALID), {
        status: 403, body: { errorMessage: 'Telemetry API subscription is closed already', errorType: 'Telemetry.SubscriptionClosed' },
      });
      assert.deepEqual(hub.subscribeLogs('ext', VALID), {
        status: 403, body: { errorMessage: 'Logs API subscription is closed already', errorType: 'Logs.SubscriptionClosed' },
      });
    } finally {
      hub.close();
    }
  });
});
