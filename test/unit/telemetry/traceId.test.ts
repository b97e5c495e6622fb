import * as assert from 'node:assert/strict';
import { newTraceId } from '../../../src/telemetry/traceId';

describe('telemetry: newTraceId', () => {
  it('makes X-Ray trace headers with the epoch seconds, 24 and 16 hex digits, Sampled=0', () => {
    const id = newTraceId(Date.UTC(2024, 0, 1) + 999);
    assert.match(id, /^Root=1-65920080-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });

  it('does not repeat across refills of its pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = newTraceId();
      const random = /Root=1-[0-9a-f]{8}-([0-9a-f]{24});Parent=([0-9a-f]{16})/.exec(id);
      assert.ok(random, id);
      seen.add(random[1]);
      seen.add(random[2]);
    }
    assert.equal(seen.size, 4000);
  });
});
