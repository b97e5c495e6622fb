import * as assert from 'node:assert/strict';
import { parseFunctionName, parseLayerVersionArn } from '../../src/service/arn';
import { ConcurrencyLimits } from '../../src/service/scheduler/concurrency';

describe('serve: concurrency limits', () => {
  it('caps a function at its reserved concurrency and the others at what the account leaves', () => {
    const limits = new ConcurrencyLimits(3);
    limits.setReserved('reserved', 1);
    const first = limits.tryAcquire('reserved');
    assert.equal(typeof first, 'function');
    assert.equal(limits.tryAcquire('reserved'), 'ReservedFunctionConcurrentInvocationLimitExceeded');
    const others = [limits.tryAcquire('a'), limits.tryAcquire('b')];
    assert.ok(others.every((release) => typeof release === 'function'));
    assert.equal(limits.tryAcquire('c'), 'ConcurrentInvocationLimitExceeded');
    (others[0] as () => void)();
    (others[0] as () => void)(); // a second release counts once
    assert.equal(typeof limits.tryAcquire('c'), 'function');
    assert.equal(limits.tryAcquire('d'), 'ConcurrentInvocationLimitExceeded');
    (first as () => void)();
    assert.equal(limits.running('reserved'), 0);
  });

  it('keeps its counts right when the reservation changes while invokes run', () => {
    const limits = new ConcurrencyLimits(2);
    const release = limits.tryAcquire('f') as () => void;
    limits.setReserved('f', 1);
    release();
    assert.equal(limits.total, 0);
    assert.equal(typeof limits.tryAcquire('g'), 'function');
    assert.equal(limits.tryAcquire('g'), 'ConcurrentInvocationLimitExceeded', 'one of two is reserved for f');
  });

  it('wakes waiters when capacity frees up', async () => {
    const limits = new ConcurrencyLimits(1);
    const release = limits.tryAcquire('f') as () => void;
    const freed = limits.freed();
    release();
    await freed;
  });
});

describe('serve: function names and layer ARNs', () => {
  it('reads every form of FunctionName the API takes', () => {
    assert.deepEqual(parseFunctionName('my-fn'), { name: 'my-fn' });
    assert.deepEqual(parseFunctionName('my-fn:live'), { name: 'my-fn', qualifier: 'live' });
    assert.deepEqual(parseFunctionName('123456789012:function:my-fn:3'), { name: 'my-fn', qualifier: '3' });
    assert.deepEqual(parseFunctionName('arn:aws:lambda:us-east-1:123456789012:function:my-fn'), { name: 'my-fn' });
    assert.deepEqual(parseFunctionName('arn:aws:lambda:us-east-1:123456789012:function:my-fn:$LATEST'), { name: 'my-fn', qualifier: '$LATEST' });
    assert.equal(parseFunctionName('arn:aws:s3:::bucket'), undefined);
    assert.equal(parseFunctionName('a:b:c:d'), undefined);
  });

  it('reads layer version ARNs', () => {
    assert.deepEqual(parseLayerVersionArn('arn:aws:lambda:us-east-1:123456789012:layer:my-layer:7'), { name: 'my-layer', version: 7 });
    assert.equal(parseLayerVersionArn('arn:aws:lambda:us-east-1:123456789012:layer:my-layer'), undefined);
  });
});
