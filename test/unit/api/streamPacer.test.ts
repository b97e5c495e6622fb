import * as assert from 'node:assert/strict';
import { StreamPacer } from '../../../src/api/runtime/streamPacer';

describe('StreamPacer', () => {
  it('lets the uncapped bytes through at once, then paces the rest at the cap', () => {
    let now = 1_000;
    const pacer = new StreamPacer(6, 2, () => now);
    assert.equal(pacer.add(4), 0);
    assert.equal(pacer.add(2), 0);
    // Two bytes past the uncapped six at 2 bytes/s: due one second after the cap began.
    assert.equal(pacer.add(2), 1_000);
    now += 1_000;
    assert.equal(pacer.add(1), 500);
    now += 2_000;
    assert.equal(pacer.add(1), 0, 'a slow writer is never held back');
  });
});
