import * as assert from 'node:assert/strict';
import { Cleanup } from './helpers/cleanup';
import { startHub, telemetryBody } from './helpers/hubHarness';
import { HttpSink, type WireEvent } from './helpers/sinks';

const line = (i: number): string => `line ${i}\n`;
const bytesOf = (events: WireEvent[]): number => events.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0);
const REASON = 'Some logs were dropped because the downstream consumer is slower than the logs production rate';
/** Batches leave on maxItems or flush only, so their composition never depends on the machine's speed. */
const NO_TIMER = { maxItems: 1000, timeoutMs: 30000 };

describe('TelemetryHub losses', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('reports a batch it gave up on with platform.logsDropped once the subscriber answers again', async () => {
    const sink = cleanup.add(await HttpSink.start(), (s) => s.close());
    const { hub, events, logs } = startHub({ tuning: { maxAttempts: 2, retryBackoffMs: 5 } });
    cleanup.add(hub, (h) => h.close());
    hub.subscribeTelemetry('ext', telemetryBody(sink.port, { types: ['function'], buffering: NO_TIMER }));
    sink.answer = 'fail';
    for (let i = 0; i < 5; i++) events.emit('function', line(i));
    await hub.flush(10_000); // resolves once the batch is given up
    assert.equal(sink.requests.length, 2);
    assert.deepEqual(sink.requests[1].events, sink.requests[0].events, 'the retry sends the same batch');
    assert.ok(logs.some((l) => l.level === 'warn' && /failed 2 times \(the subscriber answered HTTP 500\): dropped 5 records/.test(l.message)), JSON.stringify(logs));

    sink.answer = 'ok';
    events.emit('function', line(5));
    events.emit('function', line(6));
    await hub.flush(10_000);
    assert.equal(sink.batches.length, 1);
    const [dropped, ...rest] = sink.batches[0];
    assert.equal(dropped.type, 'platform.logsDropped');
    assert.deepEqual(dropped.record, { droppedBytes: bytesOf(sink.requests[0].events), droppedRecords: 5, reason: REASON });
    assert.deepEqual(rest.map((e) => e.record), [line(5), line(6)]);
    assert.ok(logs.some((l) => l.level === 'info' && /receiving again/.test(l.message)));
  });

  it('does not retry a loss report on its own, and counts it once when it is lost too', async () => {
    const sink = cleanup.add(await HttpSink.start(), (s) => s.close());
    const { hub, events } = startHub({ tuning: { maxAttempts: 2, retryBackoffMs: 5 } });
    cleanup.add(hub, (h) => h.close());
    hub.subscribeTelemetry('ext', telemetryBody(sink.port, { types: ['function'], buffering: { timeoutMs: 25 } }));
    sink.answer = 'fail';
    for (let i = 0; i < 5; i++) events.emit('function', line(i));
    await hub.flush(10_000);
    assert.equal(sink.requests.length, 2);
    await hub.flush(10_000); // the loss report goes out (and fails twice) only because of this flush
    assert.equal(sink.requests.length, 4);
    assert.deepEqual(sink.requests.slice(2).map((r) => r.events.map((e) => [e.type, (e.record as { droppedRecords: number }).droppedRecords])), [
      [['platform.logsDropped', 5]], [['platform.logsDropped', 5]],
    ]);
    sink.answer = 'ok';
    events.emit('function', line(5));
    await sink.waitFor((s) => s.delivered.length === 2);
    assert.deepEqual(sink.batches[0].map((e) => e.type), ['platform.logsDropped', 'function']);
    assert.equal((sink.batches[0][0].record as { droppedRecords: number }).droppedRecords, 5);
  });

  it('drops what does not fit while a subscriber stalls, and says so where the gap is', async () => {
    const sink = cleanup.add(await HttpSink.start(), (s) => s.close());
    const { hub, events } = startHub({ tuning: { requestTimeoutMs: 60_000 } });
    cleanup.add(hub, (h) => h.close());
    hub.subscribeTelemetry('ext', telemetryBody(sink.port, { types: ['function'], buffering: NO_TIMER }));
    sink.answer = 'hold';
    for (let i = 0; i < 1000; i++) events.emit('function', line(i)); // maxItems: sent at once, and held
    await sink.waitFor((s) => s.requests.length === 1);
    for (let i = 1000; i < 2010; i++) events.emit('function', line(i)); // 1000 fit in the buffer, 10 do not
    sink.release();
    await hub.flush(10_000);
    events.emit('function', line(2010));
    await hub.flush(10_000);

    const batches = sink.batches;
    assert.equal(batches.length, 4);
    assert.deepEqual(batches[0].map((e) => e.record), Array.from({ length: 1000 }, (_, i) => line(i)));
    assert.deepEqual(batches[1].map((e) => e.record), Array.from({ length: 1000 }, (_, i) => line(1000 + i)));
    const lost = Array.from({ length: 10 }, (_, i) => ({ time: batches[1][0].time, type: 'function', record: line(2000 + i) }));
    assert.deepEqual(batches[2].map((e) => [e.type, e.record]), [['platform.logsDropped', { droppedBytes: bytesOf(lost), droppedRecords: 10, reason: REASON }]]);
    assert.deepEqual(batches[3].map((e) => e.record), [line(2010)]);
  });

  it('tells a late subscriber about init events the bounded backlog could not keep', async () => {
    const sink = cleanup.add(await HttpSink.start(), (s) => s.close());
    const { hub, events } = startHub({ backlogLimits: { maxEvents: 3 } });
    cleanup.add(hub, (h) => h.close());
    for (let i = 0; i < 5; i++) events.emit('function', line(i));
    hub.subscribeTelemetry('ext', telemetryBody(sink.port, { types: ['platform', 'function'] }));
    await hub.flush(10_000);
    const delivered = sink.delivered;
    assert.deepEqual(delivered.map((e) => e.type), ['function', 'function', 'function', 'platform.logsDropped', 'platform.telemetrySubscription']);
    assert.equal((delivered[3].record as { droppedRecords: number }).droppedRecords, 2);
  });
});
