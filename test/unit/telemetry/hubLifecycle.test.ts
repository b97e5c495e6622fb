import * as assert from 'node:assert/strict';
import type { PlatformEvent } from '../../../src/telemetry/events';
import { Cleanup } from './helpers/cleanup';
import { emitInit, startHub, telemetryBody } from './helpers/hubHarness';
import { HttpSink, TcpSink } from './helpers/sinks';

const line = (i: number): string => `line ${i}\n`;
const logsBody = (port: number) => ({ types: ['platform', 'function'], destination: { protocol: 'HTTP', URI: `http://sandbox.localdomain:${port}/logs` } });

/** Handles of kinds the hub may open, counted. */
function openHandles(): Record<string, number> {
  const counts: Record<string, number> = { Timeout: 0, TCPSocketWrap: 0, TCPServerWrap: 0 };
  for (const kind of process.getActiveResourcesInfo()) if (kind in counts) counts[kind]++;
  return counts;
}

/** Closed sockets leave the handle list a loop turn or two later; give it a bounded number of turns. */
async function settleHandles(expected: Record<string, number>): Promise<Record<string, number>> {
  let now = openHandles();
  for (let turn = 0; turn < 100 && JSON.stringify(now) !== JSON.stringify(expected); turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    now = openHandles();
  }
  return now;
}

describe('TelemetryHub lifecycle', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('rejects subscribing through both APIs from one extension', async () => {
    const { hub } = startHub();
    cleanup.add(hub, (h) => h.close());
    assert.equal(hub.subscribeTelemetry('a', telemetryBody(4000)).status, 200);
    assert.deepEqual(hub.subscribeLogs('a', logsBody(4000)), {
      status: 400,
      body: {
        errorType: 'Logs.ValidationError',
        errorMessage: 'Extension a is already subscribed through the Telemetry API; an extension can subscribe through the Telemetry API or the Logs API, not both',
      },
    });
    assert.equal(hub.subscribeLogs('b', logsBody(4001)).status, 200);
    const both = hub.subscribeTelemetry('b', telemetryBody(4001));
    assert.equal(both.status, 400);
    assert.deepEqual(both.body, {
      errorType: 'ValidationError',
      errorMessage: 'Extension b is already subscribed through the Logs API; an extension can subscribe through the Telemetry API or the Logs API, not both',
    });
  });

  it('treats a repeated identical subscription as one, and a different one as a replacement', async () => {
    const first = cleanup.add(await HttpSink.start(), (s) => s.close());
    const second = cleanup.add(await HttpSink.start(), (s) => s.close());
    const { hub, events } = startHub();
    cleanup.add(hub, (h) => h.close());
    const seen: PlatformEvent[] = [];
    events.subscribe((event) => seen.push(event));
    emitInit(events);
    assert.deepEqual(hub.subscribeLogs('ext', logsBody(first.port)), { status: 200, body: 'OK' });
    assert.deepEqual(hub.subscribeLogs('ext', { ...logsBody(first.port), types: ['function', 'platform', 'function'] }), { status: 200, body: 'OK' });
    assert.equal(seen.filter((e) => e.type === 'platform.logsSubscription').length, 1);
    events.emit('function', line(1));
    await hub.flush(10_000);
    assert.deepEqual(first.delivered.map((e) => e.type), ['platform.logsSubscription', 'function']);

    assert.equal(hub.subscribeLogs('ext', logsBody(second.port)).status, 200);
    events.emit('function', line(2));
    await hub.flush(10_000);
    assert.deepEqual(first.delivered.map((e) => e.type), ['platform.logsSubscription', 'function'], 'the replaced destination gets nothing more');
    assert.deepEqual(second.delivered.map((e) => e.type), ['platform.logsSubscription', 'function', 'platform.logsSubscription', 'function']);
    assert.equal(seen.filter((e) => e.type === 'platform.logsSubscription').length, 2);
  });

  it('emits the subscription record into the event stream', () => {
    const { hub, events } = startHub();
    cleanup.add(hub, (h) => h.close());
    const seen: PlatformEvent[] = [];
    events.subscribe((event) => seen.push(event));
    hub.subscribeTelemetry('ext', telemetryBody(4000, { types: ['platform', 'function'] }));
    assert.deepEqual(seen.map((e) => [e.type, e.record]), [['platform.telemetrySubscription', { name: 'ext', state: 'Subscribed', types: ['platform', 'function'] }]]);
  });

  it('holds a paused extension\'s deliveries until it is resumed', async () => {
    const frozen = cleanup.add(await HttpSink.start(), (s) => s.close());
    const running = cleanup.add(await HttpSink.start(), (s) => s.close());
    const { hub, events } = startHub();
    cleanup.add(hub, (h) => h.close());
    hub.subscribeTelemetry('frozen', telemetryBody(frozen.port, { types: ['function'] }));
    hub.subscribeTelemetry('running', telemetryBody(running.port, { types: ['function'] }));
    hub.pause('frozen');
    for (let i = 0; i < 3; i++) events.emit('function', line(i));
    await hub.flush(10_000);
    assert.equal(running.delivered.length, 3);
    assert.equal(frozen.requests.length, 0, 'nothing is sent to a frozen extension');
    hub.resume('frozen');
    await frozen.waitFor((s) => s.delivered.length === 3);
    assert.deepEqual(frozen.batches.map((b) => b.length), [3]);
  });

  it('sends what it held while frozen as soon as the extension is thawed, not a buffering timeout later', async () => {
    const sink = cleanup.add(await HttpSink.start(), (s) => s.close());
    const { hub, events } = startHub();
    cleanup.add(hub, (h) => h.close());
    // A thaw shorter than the buffering timeout (a quick invoke) must still get the held records out.
    hub.subscribeTelemetry('ext', telemetryBody(sink.port, { types: ['function'], buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 30_000 } }));
    hub.pause('ext');
    for (let i = 0; i < 3; i++) events.emit('function', line(i));
    hub.resume('ext');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('still held 5 s after the thaw')), 5_000);
    });
    await Promise.race([sink.waitFor((s) => s.delivered.length === 3), late]).finally(() => clearTimeout(timer));
    assert.deepEqual(sink.batches.map((b) => b.length), [3]);
  });

  it('does not count frozen time against a request that is in flight', async () => {
    const sink = cleanup.add(await HttpSink.start(), (s) => s.close());
    const { hub, events } = startHub({ tuning: { requestTimeoutMs: 50, maxAttempts: 1 } });
    cleanup.add(hub, (h) => h.close());
    hub.subscribeTelemetry('ext', telemetryBody(sink.port, { types: ['function'] }));
    sink.answer = 'hold';
    events.emit('function', line(0));
    await sink.waitFor((s) => s.requests.length === 1);
    hub.pause('ext');
    await new Promise((resolve) => setTimeout(resolve, 200)); // well past the request timeout, while frozen
    sink.release();
    hub.resume('ext');
    events.emit('function', line(1));
    await sink.waitFor((s) => s.requests.length === 2);
    assert.deepEqual(sink.requests.map((r) => r.events.map((e) => e.record)), [[line(0)], [line(1)]], 'no drop, no logsDropped');
  });

  it('bounds flush by its timeout when a subscriber does not answer', async () => {
    const sink = cleanup.add(await HttpSink.start(), (s) => s.close());
    const { hub, events, logs } = startHub();
    cleanup.add(hub, (h) => h.close());
    hub.subscribeTelemetry('ext', telemetryBody(sink.port, { types: ['function'], buffering: { timeoutMs: 30000 } }));
    sink.answer = 'hold';
    events.emit('function', line(0));
    await hub.flush(100);
    assert.equal(sink.requests.length, 1);
    assert.ok(logs.some((l) => l.level === 'warn' && /Telemetry flush stopped after 100 ms with 1 subscriber/.test(l.message)), JSON.stringify(logs));
  });

  it('reset drops subscriptions and opens them again with a fresh backlog', async () => {
    const before = cleanup.add(await HttpSink.start(), (s) => s.close());
    const after = cleanup.add(await HttpSink.start(), (s) => s.close());
    const { hub, events } = startHub();
    cleanup.add(hub, (h) => h.close());
    emitInit(events);
    hub.subscribeTelemetry('ext', telemetryBody(before.port, { types: ['platform'] }));
    hub.closeSubscriptions();
    await hub.flush(10_000);
    hub.reset();
    events.emit('platform.initStart', {
      initializationType: 'on-demand', phase: 'invoke', runtimeVersion: 'v', runtimeVersionArn: 'arn', functionName: 'fn',
      functionVersion: '$LATEST', instanceId: 'i', instanceMaxMemory: 128,
    });
    assert.equal(hub.subscribeTelemetry('ext', telemetryBody(after.port, { types: ['platform'] })).status, 200);
    await hub.flush(10_000);
    assert.deepEqual(before.delivered.map((e) => e.type), ['platform.initStart', 'platform.telemetrySubscription']);
    assert.deepEqual(after.delivered.map((e) => [e.type, (e.record as { phase?: string }).phase]), [
      ['platform.initStart', 'invoke'], ['platform.telemetrySubscription', undefined],
    ]);
  });

  it('close stops timers and sockets so nothing is left open', async () => {
    await new Promise((resolve) => setImmediate(resolve)); // mocha arms its own test timer just after the test starts
    const baseline = openHandles();
    const http = await HttpSink.start();
    const tcp = await TcpSink.start();
    const { hub, events } = startHub();
    hub.subscribeTelemetry('http', telemetryBody(http.port, { types: ['function'], buffering: { timeoutMs: 30000 } }));
    hub.subscribeTelemetry('tcp', telemetryBody(0, { types: ['function'], buffering: { timeoutMs: 30000 }, destination: { protocol: 'TCP', port: tcp.port } }));
    events.emit('function', line(0));
    await hub.flush(10_000);
    await tcp.waitFor((s) => s.lines.length === 1);
    events.emit('function', line(1)); // leaves a batch timer pending and kept-alive connections open
    assert.ok(openHandles().Timeout > baseline.Timeout);
    hub.close();
    events.emit('function', line(2)); // ignored after close
    // The hub's connections close, so the servers' ends close too; only the two listening servers remain.
    const serversOnly = { ...baseline, TCPServerWrap: baseline.TCPServerWrap + 2 };
    assert.deepEqual(await settleHandles(serversOnly), serversOnly);
    await http.close();
    await tcp.close();
    assert.deepEqual(await settleHandles(baseline), baseline);
    assert.equal(http.delivered.length, 1);
  });
});
