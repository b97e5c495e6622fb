import * as assert from 'node:assert/strict';
import { Cleanup } from './helpers/cleanup';
import { emitInit, emitInitDone, emitInvoke, startHub, telemetryBody, TRACE } from './helpers/hubHarness';
import { HttpSink, type WireEvent } from './helpers/sinks';
import type { TelemetryHubOptions } from '../../../src/telemetry/subscriptions/hub';

const typesOf = (events: WireEvent[]): string[] => events.map((e) => e.type);

describe('TelemetryHub records', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  async function setup(options: Partial<TelemetryHubOptions> = {}) {
    const harness = startHub(options);
    cleanup.add(harness.hub, (h) => h.close());
    const sink = async (): Promise<HttpSink> => cleanup.add(await HttpSink.start(), (s) => s.close());
    return { ...harness, sink };
  }

  it('replays init events to a late subscriber and delivers a cold invoke in order, without platform.end', async () => {
    const { hub, events, sink } = await setup();
    const early = await sink();
    const late = await sink();
    emitInit(events);
    events.emit('function', 'loading\n');
    hub.subscribeTelemetry('early', telemetryBody(early.port));
    events.emit('extension', 'ext says hi\n', { name: 'early' });
    hub.subscribeTelemetry('late', telemetryBody(late.port));
    emitInitDone(events);
    hub.closeSubscriptions();
    emitInvoke(events, 'req-1');
    await hub.flush(10_000);

    const sequence = [
      'platform.initStart', 'function', 'platform.telemetrySubscription', 'extension', 'platform.telemetrySubscription',
      'platform.initRuntimeDone', 'platform.extension', 'platform.initReport',
      'platform.start', 'function', 'platform.runtimeDone', 'platform.report',
    ];
    assert.deepEqual(typesOf(early.delivered), sequence);
    assert.deepEqual(typesOf(late.delivered), sequence);
    const byType = (type: string) => late.delivered.find((e) => e.type === type)?.record;
    assert.deepEqual(late.delivered.filter((e) => e.type === 'platform.telemetrySubscription').map((e) => e.record), [
      { name: 'early', state: 'Subscribed', types: ['platform', 'function', 'extension'] },
      { name: 'late', state: 'Subscribed', types: ['platform', 'function', 'extension'] },
    ]);
    assert.equal(byType('extension'), 'ext says hi\n', 'an extension record is the line alone');
    assert.deepEqual(byType('platform.start'), { requestId: 'req-1', version: '$LATEST', tracing: TRACE });
    assert.deepEqual(byType('platform.runtimeDone'), {
      requestId: 'req-1', status: 'success', metrics: { durationMs: 2.5, producedBytes: 7 },
      spans: [{ name: 'responseLatency', start: '2024-05-20T16:29:45.008Z', durationMs: 1 }], tracing: TRACE,
    });
    assert.deepEqual(byType('platform.initStart'), {
      initializationType: 'on-demand', phase: 'init', runtimeVersion: 'nodejs:20.emulated', runtimeVersionArn: 'arn:aws:lambda:us-east-1::runtime:emulated',
      functionName: 'fn', functionVersion: '$LATEST', instanceId: 'instance-1', instanceMaxMemory: 128,
    });
    // Replayed events keep the time they happened at.
    const initStart = late.delivered[0];
    assert.ok(initStart.time <= late.delivered[4].time);
  });

  it('filters by subscribed types', async () => {
    const { hub, events, sink } = await setup();
    const platform = await sink();
    const fn = await sink();
    const ext = await sink();
    hub.subscribeTelemetry('p', telemetryBody(platform.port, { types: ['platform'] }));
    hub.subscribeTelemetry('f', telemetryBody(fn.port, { types: ['function'] }));
    hub.subscribeTelemetry('e', telemetryBody(ext.port, { types: ['extension'] }));
    events.emit('extension', '[INFO] ready\n', { name: 'e' });
    emitInvoke(events, 'req-1');
    await hub.flush(10_000);
    assert.deepEqual(typesOf(platform.delivered), [
      'platform.telemetrySubscription', 'platform.telemetrySubscription', 'platform.telemetrySubscription',
      'platform.start', 'platform.runtimeDone', 'platform.report',
    ]);
    assert.deepEqual(fn.delivered.map((e) => [e.type, e.record]), [['function', '2024-05-20T16:29:45.009Z\treq-1\tINFO\thello\n']]);
    assert.deepEqual(ext.delivered.map((e) => [e.type, e.record]), [['extension', '[INFO] ready\n']]);
  });

  it('gives Logs API subscribers the Logs API shapes and event set', async () => {
    const { hub, events, sink } = await setup();
    const v2020 = await sink();
    const v2021 = await sink();
    const telemetry = await sink();
    emitInit(events);
    hub.subscribeLogs('old', { types: ['platform', 'function'], destination: { protocol: 'HTTP', URI: `http://sandbox.localdomain:${v2020.port}/logs` } });
    hub.subscribeLogs('new', { schemaVersion: '2021-03-18', types: ['platform'], destination: { protocol: 'HTTP', URI: `http://sandbox.localdomain:${v2021.port}` } });
    hub.subscribeTelemetry('tel', telemetryBody(telemetry.port, { types: ['platform'] }));
    emitInitDone(events);
    emitInvoke(events, 'req-1');
    emitInvoke(events, 'req-2', 'error');
    await hub.flush(10_000);

    const report = { requestId: 'req-1', metrics: { durationMs: 3, billedDurationMs: 3, memorySizeMB: 128, maxMemoryUsedMB: 40, initDurationMs: 12.5 } };
    const record = (events: WireEvent[], type: string) => events.find((e) => e.type === type)?.record;
    assert.deepEqual(typesOf(v2020.delivered), [
      'platform.logsSubscription', 'platform.logsSubscription', 'platform.extension',
      'platform.start', 'function', 'platform.end', 'platform.report',
      'platform.start', 'function', 'platform.end', 'platform.report',
    ]);
    assert.deepEqual(record(v2020.delivered, 'platform.logsSubscription'), { name: 'old', state: 'Subscribed', types: ['platform', 'function'] });
    assert.deepEqual(record(v2020.delivered, 'platform.start'), { requestId: 'req-1' });
    assert.deepEqual(record(v2020.delivered, 'platform.end'), { requestId: 'req-1' });
    assert.deepEqual(record(v2020.delivered, 'platform.report'), report);
    assert.deepEqual(record(v2020.delivered, 'platform.extension'), { name: 'ext', state: 'Ready', events: ['INVOKE', 'SHUTDOWN'] });

    assert.deepEqual(typesOf(v2021.delivered), [
      'platform.logsSubscription', 'platform.logsSubscription', 'platform.extension',
      'platform.start', 'platform.runtimeDone', 'platform.end', 'platform.report',
      'platform.start', 'platform.runtimeDone', 'platform.end', 'platform.report',
    ]);
    assert.deepEqual(v2021.delivered.filter((e) => e.type === 'platform.runtimeDone').map((e) => e.record), [
      { requestId: 'req-1', status: 'success' },
      { requestId: 'req-2', status: 'failure' },
    ]);

    // Each API sees its own subscription records only, and the Telemetry API never sees platform.end.
    assert.deepEqual(typesOf(telemetry.delivered).filter((t) => !t.startsWith('platform.init')), [
      'platform.telemetrySubscription', 'platform.extension',
      'platform.start', 'platform.runtimeDone', 'platform.report',
      'platform.start', 'platform.runtimeDone', 'platform.report',
    ]);
  });

  describe('function and extension records', () => {
    const jsonLine = '{"timestamp":"2024-05-20T16:29:45.009Z","level":"INFO","requestId":"r","message":"hi"}\n';
    const lines = [jsonLine, 'plain text\n', '[1,2]\n', '{"broken": \n'];

    async function recordsFor(logFormat: 'Text' | 'JSON', subscribe: (hub: ReturnType<typeof startHub>['hub'], port: number) => void) {
      const { hub, events, sink } = await setup({ logFormat });
      const target = await sink();
      subscribe(hub, target.port);
      for (const text of lines) events.emit('function', text);
      events.emit('extension', jsonLine, { name: 'x' });
      await hub.flush(10_000);
      return target.delivered.map((e) => e.record);
    }

    it('are objects for JSON lines when the log format is JSON and the schema is 2022-12-13 or later', async () => {
      for (const schemaVersion of ['2022-12-13', '2025-01-29']) {
        const records = await recordsFor('JSON', (hub, port) => hub.subscribeTelemetry('t', telemetryBody(port, { schemaVersion, types: ['function', 'extension'] })));
        const object = { timestamp: '2024-05-20T16:29:45.009Z', level: 'INFO', requestId: 'r', message: 'hi' };
        assert.deepEqual(records, [object, 'plain text\n', '[1,2]\n', '{"broken": \n', object]);
      }
    });

    it('are the lines as emitted otherwise', async () => {
      const strings = [...lines, jsonLine];
      assert.deepEqual(await recordsFor('JSON', (hub, port) => hub.subscribeTelemetry('t', telemetryBody(port, { schemaVersion: '2022-07-01', types: ['function', 'extension'] }))), strings);
      assert.deepEqual(await recordsFor('Text', (hub, port) => hub.subscribeTelemetry('t', telemetryBody(port, { types: ['function', 'extension'] }))), strings);
      assert.deepEqual(await recordsFor('JSON', (hub, port) => hub.subscribeLogs('l', { types: ['function', 'extension'], destination: { protocol: 'HTTP', URI: `http://sandbox:${port}` } })), strings);
    });
  });
});
