import * as assert from 'node:assert/strict';
import { maxConcurrencyFrom, runtimeModeFrom } from '../../../src/runtimes/nodejs/runtimeMode';
import { availableCpus, loopShares, workerCount } from '../../../src/runtimes/nodejs/workerCount';

describe('nodejs runtime: mode and worker count', () => {
  it('takes the callback model only below Node.js 24 and without AWS_LAMBDA_MAX_CONCURRENCY > 1', () => {
    assert.equal(runtimeModeFrom({}, '22.11.0').callbackModel, true);
    assert.equal(runtimeModeFrom({}, '24.0.0').callbackModel, false);
    assert.equal(runtimeModeFrom({}, '25.1.0').callbackModel, false);
    assert.equal(runtimeModeFrom({ AWS_LAMBDA_MAX_CONCURRENCY: '1' }, '22.11.0').callbackModel, true);
    assert.deepEqual(runtimeModeFrom({ AWS_LAMBDA_MAX_CONCURRENCY: '8' }, '22.11.0'), { nodeMajor: 22, maxConcurrency: 8, callbackModel: false });
  });

  it('reads AWS_LAMBDA_MAX_CONCURRENCY as a whole number above 1', () => {
    for (const [raw, expected] of [['64', 64], [' 2 ', 2], ['1', undefined], ['0', undefined], ['-3', undefined], ['2.5', undefined], ['x', undefined]] as const) {
      assert.equal(maxConcurrencyFrom({ AWS_LAMBDA_MAX_CONCURRENCY: raw }), expected, raw);
    }
    assert.equal(maxConcurrencyFrom({}), undefined);
  });

  it('reads the vCPUs from the cgroup cpu.max quota, rounding up', () => {
    assert.equal(availableCpus(() => '150000 100000\n'), 2);
    assert.equal(availableCpus(() => '400000 100000'), 4);
    const unlimited = availableCpus(() => 'max 100000');
    assert.ok(unlimited >= 1, 'no quota: the CPUs Node sees');
    assert.equal(availableCpus(() => {
      throw new Error('ENOENT');
    }), unlimited);
  });

  it('uses AWS_LAMBDA_NODEJS_WORKER_COUNT, else 8 per vCPU, never more than the loops', () => {
    assert.equal(workerCount({ AWS_LAMBDA_NODEJS_WORKER_COUNT: '3' }, 64, () => 2), 3);
    assert.equal(workerCount({}, 64, () => 2), 16);
    assert.equal(workerCount({}, 4, () => 2), 4);
    assert.equal(workerCount({ AWS_LAMBDA_NODEJS_WORKER_COUNT: '10' }, 4, () => 1), 4);
    assert.equal(workerCount({ AWS_LAMBDA_NODEJS_WORKER_COUNT: '0' }, 64, () => 1), 8, 'not a positive count: the default');
  });

  it('shares the loops out as evenly as possible', () => {
    assert.deepEqual(loopShares(10, 4), [3, 3, 2, 2]);
    assert.deepEqual(loopShares(4, 2), [2, 2]);
    assert.deepEqual(loopShares(3, 3), [1, 1, 1]);
    assert.equal(loopShares(64, 16).reduce((a, b) => a + b, 0), 64);
  });
});
