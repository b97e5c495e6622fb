import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { FIXTURES } from '../helpers/paths';
import { waitFor } from '../helpers/wait';
import { FakeRuntimeApi } from './nodejs/helpers/fakeRuntimeApi';

const BOOTSTRAP = path.join(FIXTURES, 'runtimes', 'multi-loop', 'bootstrap');

interface Report {
  requestId: string;
  invocationId: string | null;
  loop: number;
  inFlightAtStart: number;
  headers?: Record<string, string>;
}

/** The multi-loop fixture runtime (test/fixtures/runtimes/multi-loop/README.md) does what the lead's tests rely on. */
describe('fixture: multi-loop custom runtime', () => {
  let api: FakeRuntimeApi;
  let child: ChildProcess | undefined;
  let stdout = '';
  beforeEach(async () => {
    api = new FakeRuntimeApi();
    const address = await api.start();
    stdout = '';
    child = spawn(BOOTSTRAP, [], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AWS_LAMBDA_RUNTIME_API: address, AWS_LAMBDA_MAX_CONCURRENCY: '3' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    await api.stop();
  });

  it('waits in AWS_LAMBDA_MAX_CONCURRENCY /next calls at once and runs that many invocations side by side', async () => {
    await api.waitForWaiting(3);
    const posted = await Promise.all([0, 1, 2].map(() => api.invoke({ action: 'sleep', ms: 300 })));
    const reports = posted.map((p) => JSON.parse(p.body.toString()) as Report);
    assert.deepEqual(reports.map((r) => r.inFlightAtStart).sort(), [0, 1, 2]);
    assert.deepEqual(reports.map((r) => r.loop).sort(), [0, 1, 2]);
  });

  it('echoes the invocation id, or leaves it out, or sends a wrong one, as the event says', async () => {
    const headers = (id: string) => ({ headers: { 'Lambda-Runtime-Invocation-Id': id } });
    const echoed = await api.invoke({ action: 'headers' }, headers('inv-1'));
    assert.equal(echoed.headers['lambda-runtime-invocation-id'], 'inv-1');
    assert.equal((JSON.parse(echoed.body.toString()) as Report).headers?.['lambda-runtime-invocation-id'], 'inv-1');
    const omitted = await api.invoke({ invocationId: 'omit' }, headers('inv-2'));
    assert.equal('lambda-runtime-invocation-id' in omitted.headers, false);
    const wrong = await api.invoke({ action: 'error', type: 'T', invocationId: 'wrong' }, headers('inv-3'));
    assert.equal(wrong.kind, 'error');
    assert.equal(wrong.headers['lambda-runtime-invocation-id'], 'not-this-invocation');
    // Printed after the POST's answer, so possibly after the test saw the POST.
    await waitFor('the answer line', async () => (/multi-loop: loop \d \S+ \/error answered 202/.test(stdout) ? true : undefined));
  });

  it('never answers "never", and the loop takes the next invocation', async () => {
    await api.waitForWaiting(3);
    void api.invoke({ action: 'never' });
    await api.waitForWaiting(3);
    void api.invoke({ action: 'never', hold: true });
    const next = JSON.parse((await api.invoke({ action: 'sleep', ms: 1 })).body.toString()) as Report;
    assert.equal(next.inFlightAtStart, 1, 'the held invocation still runs');
    assert.equal(api.waitingCount <= 2, true, 'one loop is held for good');
  });
});
