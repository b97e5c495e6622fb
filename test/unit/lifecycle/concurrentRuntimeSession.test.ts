import * as assert from 'node:assert/strict';
import { Invocation, type ReplyPort } from '../../../src/invoke/invocation';
import { ConcurrentRuntimeSession } from '../../../src/lifecycle/concurrentRuntimeSession';
import { InvalidInvocationIdError, InvocationGoneError, TooManyWorkersError } from '../../../src/lifecycle/invocationRefusals';
import type { NextWaiter } from '../../../src/lifecycle/ports';
import { InvalidRequestIdError } from '../../../src/lifecycle/runtimeSession';
import { TransitionError } from '../../../src/lifecycle/stateMachine';
import type { ManagedProcess } from '../../../src/process/process';

const noReply: ReplyPort = { streamStart() {}, streamChunk() {}, complete() {} };

function invocation(requestId: string): Invocation {
  return new Invocation({ requestId, payload: Buffer.from('{}'), contentType: 'application/json', invokedFunctionArn: 'arn', traceId: '' }, noReply);
}

function worker(): NextWaiter & { got: Invocation[] } {
  const got: Invocation[] = [];
  return { got, alive: true, deliver: (i) => got.push(i) };
}

// The session only keeps the process for the sandbox to signal; these tests never touch it.
const noProcess = undefined as unknown as ManagedProcess;

describe('ConcurrentRuntimeSession (Managed Instances)', () => {
  it('hands invocations to waiting workers, queues them when none is free, and is ready at the first /next', async () => {
    const session = new ConcurrentRuntimeSession(noProcess, 2);
    const [w1, w2] = [worker(), worker()];
    session.next(w1);
    assert.equal(session.ready.settled, true);
    session.next(w2);
    assert.throws(() => session.next(worker()), TooManyWorkersError);
    const [a, b, c] = ['a', 'b', 'c'].map(invocation);
    void session.deliver(a);
    void session.deliver(b);
    const cDone = session.deliver(c);
    assert.deepEqual([w1.got, w2.got], [[a], [b]]);
    session.beginResult('a', 'response');
    session.endResult('a');
    const w3 = worker();
    session.next(w3);
    assert.deepEqual(w3.got, [c], 'the queued invocation goes to the next /next');
    session.beginResult('c', 'error', c.invocationId);
    session.endResult('c');
    assert.equal(typeof (await cDone), 'number');
  });

  it('refuses results: unknown id 400, other invocation id 400, second result 403, after the timeout 410', () => {
    const session = new ConcurrentRuntimeSession(noProcess, 3);
    for (let i = 0; i < 3; i++) session.next(worker());
    const [a, b] = ['a', 'b'].map(invocation);
    void session.deliver(a);
    void session.deliver(b);
    assert.throws(() => session.beginResult('zzz', 'response'), InvalidRequestIdError);
    assert.throws(() => session.beginResult('a', 'response', b.invocationId), InvalidInvocationIdError);
    session.beginResult('a', 'response', a.invocationId);
    session.endResult('a');
    assert.throws(() => session.beginResult('a', 'response'), TransitionError);
    session.end('b');
    assert.throws(() => session.beginResult('b', 'response', b.invocationId), InvocationGoneError);
  });

  it('drops a timed-out invocation still waiting for a worker', () => {
    const session = new ConcurrentRuntimeSession(noProcess, 1);
    const a = invocation('a');
    void session.deliver(a);
    session.end('a');
    const w = worker();
    session.next(w);
    assert.deepEqual(w.got, []);
  });
});
