import * as assert from 'node:assert/strict';
import { json, startSession, type Session } from './helpers/session';

describe('nodejs runtime: context object', () => {
  let session: Session | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  it('carries the invocation headers and the function environment', async () => {
    session = await startSession('index.context');
    const deadlineMs = Date.now() + 600_000;
    const posted = await session.api.invoke({}, {
      requestId: '8476a536-e9f4-11e8-9739-2dfe598c3fcd',
      deadlineMs,
      headers: {
        'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:test_function:live',
        'Lambda-Runtime-Trace-Id': 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1',
        'Lambda-Runtime-Client-Context': '{"custom":{"k":"v"},"env":{"platform":"test"}}',
        'Lambda-Runtime-Cognito-Identity': '{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}',
        'Lambda-Runtime-Aws-Tenant-Id': 'tenant-7',
      },
    });
    const context = json(posted.body) as Record<string, unknown>;
    const remaining = context.remaining as number;
    delete context.remaining;
    assert.deepEqual(context, {
      awsRequestId: '8476a536-e9f4-11e8-9739-2dfe598c3fcd',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test_function:live',
      functionName: 'test_function',
      functionVersion: '$LATEST',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/test_function',
      logStreamName: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
      clientContext: { custom: { k: 'v' }, env: { platform: 'test' } },
      identity: { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' },
      tenantId: 'tenant-7',
      callbackWaitsForEmptyEventLoop: true,
      traceId: 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1',
      executionEnv: null,
    });
    assert.ok(remaining > 0 && remaining <= 600_000, `getRemainingTimeInMillis() = ${remaining} counts down from the deadline`);
  });

  it('leaves clientContext and identity undefined when the headers are absent', async () => {
    session = await startSession('index.context');
    const context = json((await session.api.invoke({})).body) as Record<string, unknown>;
    assert.equal('clientContext' in context, false);
    assert.equal('identity' in context, false);
  });

  it('getRemainingTimeInMillis() goes negative past the deadline', async () => {
    session = await startSession('index.context');
    const context = json((await session.api.invoke({}, { deadlineMs: Date.now() - 1000 })).body) as Record<string, unknown>;
    assert.ok((context.remaining as number) <= -1000);
  });

  it('sets _X_AMZN_TRACE_ID per invocation and removes it when an invocation has none', async () => {
    session = await startSession('index.context');
    const first = json((await session.api.invoke({}, { headers: { 'Lambda-Runtime-Trace-Id': 'Root=1-a;Sampled=0' } })).body) as Record<string, unknown>;
    const second = json((await session.api.invoke({}, { headers: { 'Lambda-Runtime-Trace-Id': 'Root=1-b;Sampled=1' } })).body) as Record<string, unknown>;
    const third = json((await session.api.invoke({}, { headers: { 'Lambda-Runtime-Trace-Id': '' } })).body) as Record<string, unknown>;
    assert.deepEqual([first.traceId, second.traceId, third.traceId], ['Root=1-a;Sampled=0', 'Root=1-b;Sampled=1', null]);
  });

  it('fails the invocation when the client context is not JSON', async () => {
    session = await startSession('index.context');
    const posted = await session.api.invoke({}, { headers: { 'Lambda-Runtime-Client-Context': '{broken' } });
    assert.equal(posted.kind, 'error');
    const error = json(posted.body) as { errorType: string; errorMessage: string };
    assert.equal(error.errorType, 'Error');
    assert.match(error.errorMessage, /^Cannot parse ClientContext as json: SyntaxError: /);
  });
});
