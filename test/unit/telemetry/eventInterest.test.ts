import * as assert from 'node:assert/strict';
import { EventStream, type PlatformEvent } from '../../../src/telemetry/events';

describe('telemetry: EventStream interests', () => {
  it('sends an event only when some subscriber wants its type, and then to every subscriber', () => {
    const events = new EventStream();
    const logs: PlatformEvent[] = [];
    const other: PlatformEvent[] = [];
    const stopLogs = events.subscribe((event) => logs.push(event), (type) => type === 'platform.start');
    let otherWantsAll = false;
    events.subscribe((event) => other.push(event), () => otherWantsAll);
    assert.equal(events.wants('platform.start'), true);
    assert.equal(events.wants('platform.runtimeDone'), false);
    events.emit('platform.start', { requestId: 'r1', version: '$LATEST' });
    events.emit('platform.end', { requestId: 'r1' });
    assert.deepEqual(logs.map((e) => e.type), ['platform.start']);
    assert.deepEqual(other.map((e) => e.type), ['platform.start']);
    otherWantsAll = true; // asked at each emit: e.g. a telemetry subscription made meanwhile
    events.emit('platform.end', { requestId: 'r1' });
    assert.deepEqual(other.map((e) => e.type), ['platform.start', 'platform.end']);
    stopLogs();
    otherWantsAll = false;
    assert.equal(events.wants('platform.start'), false);
  });

  it('gives a subscriber without interests every event', () => {
    const events = new EventStream();
    const seen: string[] = [];
    events.subscribe((event) => seen.push(event.type));
    events.emit('platform.end', { requestId: 'r1' });
    events.emit('function', 'line');
    assert.deepEqual(seen, ['platform.end', 'function']);
  });
});
