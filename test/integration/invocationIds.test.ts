import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { FIXTURES } from '../helpers/paths';
import { RunningInit } from '../helpers/runningInit';

const MULTI_LOOP = path.join(FIXTURES, 'runtimes', 'multi-loop-mi', 'bootstrap');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Invocation ids (Lambda-Runtime-Invocation-Id)', function () {
  this.timeout(40_000);

  for (const concurrency of ['1', '3']) {
    describe(`with AWS_LAMBDA_MAX_CONCURRENCY=${concurrency}`, () => {
      let sandbox: RunningInit;
      before(async () => {
        sandbox = await RunningInit.start({ taskFiles: { bootstrap: MULTI_LOOP }, env: { AWS_LAMBDA_MAX_CONCURRENCY: concurrency } });
      });
      after(async () => {
        await sandbox.stop();
      });

      it('sends a unique invocation id with every event, distinct from the request id', async () => {
        const results = await Promise.all([1, 2, 3].map(() => sandbox.invoke({ action: 'echo' })));
        const seen = results.map((r) => {
          assert.equal(r.status, 200);
          const headers = (r.json() as { headers: Record<string, string> }).headers;
          assert.match(headers['lambda-runtime-invocation-id'], UUID);
          assert.notEqual(headers['lambda-runtime-invocation-id'], headers['lambda-runtime-aws-request-id']);
          return headers['lambda-runtime-invocation-id'];
        });
        assert.equal(new Set(seen).size, 3);
      });

      it('refuses a result echoing another invocation id with 400 InvalidInvocationID, and takes the right one', async () => {
        const r = await sandbox.invoke({ action: 'wrong-invocation-id' });
        assert.equal(r.status, 200);
        const body = r.json() as { requestId: string; wrong: { status: number; body: { errorType: string; errorMessage: string } } };
        assert.equal(body.requestId, r.headers['x-amzn-requestid'], 'the caller got the accepted answer');
        assert.equal(body.wrong.status, 400);
        assert.deepEqual(body.wrong.body, {
          errorType: 'InvalidInvocationID',
          errorMessage: `Invalid invocation ID for request ${body.requestId}: Lambda-Runtime-Invocation-Id does not match the invocation delivered`,
        });
      });
    });
  }
});
