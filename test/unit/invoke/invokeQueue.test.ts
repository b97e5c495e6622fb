import * as assert from 'node:assert/strict';
import { InvokeQueue } from '../../../src/invoke/invokeQueue';

function job(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    finish: () => finish(),
    job: { run: async () => { log.push(`start ${name}`); await done; log.push(`end ${name}`); }, refuse: () => log.push(`refused ${name}`) },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('InvokeQueue', () => {
  it('runs one job at a time by default, queueing up to its capacity', async () => {
    const log: string[] = [];
    const q = new InvokeQueue(1);
    q.start();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => job(log, n));
    assert.equal(q.submit(a.job), true);
    assert.equal(q.submit(b.job), true);
    assert.equal(q.submit(c.job), false);
    assert.deepEqual(log, ['start a']);
    a.finish();
    await tick();
    assert.deepEqual(log, ['start a', 'end a', 'start b']);
    b.finish();
    await q.idle();
  });

  it('runs up to `concurrency` jobs at once, then queues, then refuses (Managed Instances)', async () => {
    const log: string[] = [];
    const q = new InvokeQueue(1, 3);
    q.start();
    const jobs = ['a', 'b', 'c', 'd', 'e'].map((n) => job(log, n));
    assert.deepEqual(jobs.map((j) => q.submit(j.job)), [true, true, true, true, false]);
    assert.deepEqual(log, ['start a', 'start b', 'start c']);
    assert.equal(q.depth, 1);
    jobs[1].finish();
    await tick();
    assert.deepEqual(log.slice(3), ['end b', 'start d']);
    for (const j of jobs) j.finish();
    await q.idle();
    assert.equal(q.busy, false);
  });

  it('holds jobs until started', () => {
    const log: string[] = [];
    const q = new InvokeQueue(0, 2);
    const a = job(log, 'a');
    assert.equal(q.submit(a.job), true);
    assert.deepEqual(log, []);
    q.start();
    assert.deepEqual(log, ['start a']);
  });
});
