import * as assert from 'node:assert/strict';
import { withBuffersReused } from '../../../src/archive/heldBuffers';

describe('unpack: freed buffers reused while unpacking', () => {
  it('gives back what the work returns', async () => {
    assert.equal(await withBuffersReused(async () => 42), 42);
  });

  it('passes the work\'s failure on unchanged, and can run again after it', async () => {
    const failure = new Error('the zip is corrupt');
    await assert.rejects(withBuffersReused(async () => { throw failure; }), (error) => error === failure);
    assert.equal(await withBuffersReused(async () => 'again'), 'again');
  });
});
