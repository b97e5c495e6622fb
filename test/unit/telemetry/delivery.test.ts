import * as assert from 'node:assert/strict';
import { Cleanup } from './helpers/cleanup';
import { startHub, telemetryBody, type Harness } from './helpers/hubHarness';
import { HttpSink, TcpSink } from './helpers/sinks';

const line = (i: number): string => `line ${i}\n`;

describe('TelemetryHub delivery', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  async function setup(): Promise<{ sink: HttpSink } & Harness> {
    const sink = cleanup.add(await HttpSink.start(), (s) => s.close());
    const harness = startHub();
    cleanup.add(harness.hub, (h) => h.close());
    return { sink, ...harness };
  }

  it('POSTs a JSON array of {time,type,record} to the subscribed path on one kept-alive connection', async () => {
    const { sink, hub, events } = await setup();
    assert.deepEqual(hub.subscribeTelemetry('ext', telemetryBody(sink.port, { types: ['function'] })), { status: 200, body: 'OK' });
    events.emit('function', line(1));
    await sink.waitFor((s) => s.delivered.length === 1);
    events.emit('function', line(2));
    await sink.waitFor((s) => s.delivered.length === 2);

    const [first, second] = sink.requests;
    assert.equal(first.method, 'POST');
    assert.equal(first.url, '/telemetry');
    assert.equal(first.headers['content-type'], 'application/json');
    assert.equal(first.headers.host, `sandbox.localdomain:${sink.port}`);
    assert.equal(second.remotePort, first.remotePort, 'the second batch reuses the connection');
    const [event] = first.events;
    assert.deepEqual(Object.keys(event), ['time', 'type', 'record']);
    assert.match(event.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual({ type: event.type, record: event.record }, { type: 'function', record: 'line 1\n' });
  });

  it('writes one JSON event per line to a TCP destination on a kept connection', async () => {
    const sink = cleanup.add(await TcpSink.start(), (s) => s.close());
    const { hub, events } = startHub();
    cleanup.add(hub, (h) => h.close());
    const body = telemetryBody(0, { types: ['function'], destination: { protocol: 'TCP', port: sink.port } });
    assert.equal(hub.subscribeTelemetry('ext', body).status, 200);
    events.emit('function', line(1));
    events.emit('function', line(2));
    await sink.waitFor((s) => s.lines.length === 2);
    events.emit('function', line(3));
    await sink.waitFor((s) => s.lines.length === 3);
    assert.deepEqual(sink.events.map((e) => [e.type, e.record]), [['function', 'line 1\n'], ['function', 'line 2\n'], ['function', 'line 3\n']]);
    assert.equal(sink.connections, 1);
  });

  it('sends a batch as soon as maxItems is reached', async () => {
    const { sink, hub, events } = await setup();
    hub.subscribeTelemetry('ext', telemetryBody(sink.port, { types: ['function'], buffering: { maxItems: 1000, timeoutMs: 30000 } }));
    for (let i = 0; i < 1500; i++) events.emit('function', line(i));
    await sink.waitFor((s) => s.batches.length === 1);
    assert.equal(sink.batches[0].length, 1000);
    await hub.flush(10_000);
    assert.deepEqual(sink.batches.map((b) => b.length), [1000, 500]);
    assert.deepEqual(sink.delivered.map((e) => e.record), Array.from({ length: 1500 }, (_, i) => line(i)));
  });

  it('sends what it has timeoutMs after the first event of a batch', async () => {
    const { sink, hub, events } = await setup();
    hub.subscribeTelemetry('ext', telemetryBody(sink.port, { types: ['function'], buffering: { timeoutMs: 100 } }));
    for (let i = 0; i < 3; i++) events.emit('function', line(i));
    await sink.waitFor((s) => s.delivered.length === 3);
    events.emit('function', line(3));
    events.emit('function', line(4));
    await sink.waitFor((s) => s.delivered.length === 5);
    assert.deepEqual(sink.batches.map((b) => b.map((e) => e.record)), [[line(0), line(1), line(2)], [line(3), line(4)]]);
  });

  it('sends a batch once maxBytes is reached, the event that reaches it included', async () => {
    const { sink, hub, events } = await setup();
    hub.subscribeTelemetry('ext', telemetryBody(sink.port, { types: ['function'], buffering: { maxBytes: 262144, timeoutMs: 30000 } }));
    const big = (i: number): string => `${String(i).padStart(4, '0')} ${'x'.repeat(10_000)}\n`;
    for (let i = 0; i < 30; i++) events.emit('function', big(i));
    await sink.waitFor((s) => s.batches.length === 1);
    const sizes = sink.batches[0].map((e) => Buffer.byteLength(JSON.stringify(e)));
    const total = sizes.reduce((a, b) => a + b, 0);
    assert.ok(total >= 262144, `first batch holds ${total} bytes`);
    assert.ok(total - sizes[sizes.length - 1] < 262144, 'the batch went out with the first event that reached maxBytes');
    await hub.flush(10_000);
    assert.deepEqual(sink.delivered.map((e) => e.record), Array.from({ length: 30 }, (_, i) => big(i)));
    assert.equal(sink.batches.length, 2);
  });

  it('flush sends buffered events without waiting for timeoutMs and resolves once they are delivered', async () => {
    const { sink, hub, events } = await setup();
    const tcp = cleanup.add(await TcpSink.start(), (s) => s.close());
    hub.subscribeTelemetry('http', telemetryBody(sink.port, { types: ['function'], buffering: { timeoutMs: 30000 } }));
    hub.subscribeTelemetry('tcp', telemetryBody(0, { types: ['function'], buffering: { timeoutMs: 30000 }, destination: { protocol: 'TCP', port: tcp.port } }));
    for (let i = 0; i < 3; i++) events.emit('function', line(i));
    await hub.flush(10_000);
    assert.deepEqual(sink.batches.map((b) => b.length), [3]);
    await tcp.waitFor((s) => s.lines.length === 3);
    await hub.flush(10_000); // nothing left: resolves at once
  });

  it('delivers to a path-less URI and a URI naming host "sandbox"', async () => {
    const { sink, hub, events } = await setup();
    hub.subscribeTelemetry('a', telemetryBody(sink.port, { types: ['function'], destination: { protocol: 'HTTP', URI: `http://sandbox:${sink.port}` } }));
    events.emit('function', line(0));
    await sink.waitFor((s) => s.delivered.length === 1);
    assert.equal(sink.requests[0].url, '/');
    assert.equal(sink.requests[0].headers.host, `sandbox:${sink.port}`);
  });
});
