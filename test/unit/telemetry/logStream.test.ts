import * as assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { EventStream } from '../../../src/telemetry/events';
import { LogStream } from '../../../src/telemetry/logStream';

describe('telemetry: LogStream batching', () => {
  it('writes the lines of one event-loop turn in one write, same bytes, same order', async () => {
    const events = new EventStream();
    const writes: string[] = [];
    const stream = new LogStream(events, 'Text', (text) => writes.push(text));
    try {
      events.emit('platform.start', { requestId: 'r1', version: '$LATEST' });
      events.emit('function', 'hello');
      events.emit('function', 'world\n');
      assert.deepEqual(writes, [], 'nothing is written before the end of the turn');
      await nextTurn();
      assert.deepEqual(writes, ['START RequestId: r1 Version: $LATEST\nhello\nworld\n']);
      events.emit('platform.end', { requestId: 'r1' });
      await nextTurn();
      assert.deepEqual(writes.slice(1), ['END RequestId: r1\n']);
    } finally {
      stream.close();
    }
  });

  it('writes what is pending when closed, and keeps the Tail text', () => {
    const events = new EventStream();
    const writes: string[] = [];
    const stream = new LogStream(events, 'Text', (text) => writes.push(text));
    stream.wantTail('r2');
    events.emit('platform.start', { requestId: 'r2', version: '$LATEST' });
    events.emit('function', 'line');
    stream.close();
    assert.deepEqual(writes, ['START RequestId: r2 Version: $LATEST\nline\n']);
  });
});
