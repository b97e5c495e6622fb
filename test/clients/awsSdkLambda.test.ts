import * as assert from 'node:assert/strict';
import type * as LambdaSdk from '@aws-sdk/client-lambda';
import { FUNCTION_NAME, startFunction } from './helpers/functionSandbox';

type Started = Awaited<ReturnType<typeof startFunction>>;

/** Loads the SDK at run time so a missing install fails this suite with a clear message instead of the whole run. */
function loadSdk(): typeof LambdaSdk {
  try {
    return require('@aws-sdk/client-lambda') as typeof LambdaSdk;
  } catch (error) {
    throw new Error(`@aws-sdk/client-lambda is not installed, so this client suite cannot run (npm ci installs it): ${(error as Error).message}`);
  }
}

const decode = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('utf8');

describe('client suite: @aws-sdk/client-lambda against the sandbox', function () {
  let sdk: typeof LambdaSdk;
  let buffered: Started;
  let streaming: Started;
  let failingStream: Started;
  let client: LambdaSdk.LambdaClient;

  before(async () => {
    sdk = loadSdk();
    [buffered, streaming, failingStream] = await Promise.all([
      startFunction('clients.handler'),
      startFunction('streaming.piped'),
      startFunction('streaming.failsMidStream'),
    ]);
    client = clientFor(buffered.endpoint);
  });
  after(async () => {
    await Promise.all([buffered, streaming, failingStream].map((started) => started?.stop()));
  });

  function clientFor(endpoint: string): LambdaSdk.LambdaClient {
    return new sdk.LambdaClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret' },
      maxAttempts: 1,
    });
  }

  it('Invoke RequestResponse returns the payload, status 200 and the executed version', async () => {
    const out = await client.send(new sdk.InvokeCommand({ FunctionName: FUNCTION_NAME, Payload: JSON.stringify({ n: 1 }) }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, '$LATEST');
    assert.equal(out.FunctionError, undefined);
    assert.deepEqual(JSON.parse(decode(out.Payload)), { echo: { n: 1 } });
  });

  it('Invoke Event is accepted with 202', async () => {
    const out = await client.send(new sdk.InvokeCommand({ FunctionName: FUNCTION_NAME, InvocationType: 'Event', Payload: '{}' }));
    assert.equal(out.StatusCode, 202);
  });

  it('Invoke DryRun answers 204', async () => {
    const out = await client.send(new sdk.InvokeCommand({ FunctionName: FUNCTION_NAME, InvocationType: 'DryRun', Payload: '{}' }));
    assert.equal(out.StatusCode, 204);
  });

  it('Invoke with LogType Tail returns the log tail', async () => {
    const out = await client.send(new sdk.InvokeCommand({ FunctionName: FUNCTION_NAME, LogType: 'Tail', Payload: '{"action":"log"}' }));
    const tail = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
    assert.match(tail, /START RequestId: \S+ Version: \$LATEST/);
    assert.match(tail, /\tINFO\thello from the function/);
    assert.match(tail, /REPORT RequestId: /);
  });

  it('Invoke passes ClientContext to context.clientContext', async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { tenant: 'acme' } })).toString('base64');
    const out = await client.send(new sdk.InvokeCommand({ FunctionName: FUNCTION_NAME, ClientContext: clientContext, Payload: '{"action":"context"}' }));
    const result = JSON.parse(decode(out.Payload)) as { clientContext: unknown; functionName: string };
    assert.deepEqual(result.clientContext, { custom: { tenant: 'acme' } });
    assert.equal(result.functionName, FUNCTION_NAME);
  });

  it('a function error surfaces as FunctionError with the error payload', async () => {
    const out = await client.send(new sdk.InvokeCommand({ FunctionName: FUNCTION_NAME, Payload: '{"action":"fail","message":"sdk sees this"}' }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, 'Unhandled');
    const error = JSON.parse(decode(out.Payload)) as { errorType: string; errorMessage: string };
    assert.deepEqual([error.errorType, error.errorMessage], ['CustomError', 'sdk sees this']);
  });

  it('a wrong function name is ResourceNotFoundException', async () => {
    await assert.rejects(
      client.send(new sdk.InvokeCommand({ FunctionName: 'no-such-function', Payload: '{}' })),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.name, 'ResourceNotFoundException');
        assert.ok(error instanceof sdk.ResourceNotFoundException);
        assert.equal(error.$metadata?.httpStatusCode, 404);
        assert.match(error.message, /no-such-function/);
        return true;
      },
    );
  });

  it('InvokeWithResponseStream receives the chunks and InvokeComplete', async () => {
    const out = await clientFor(streaming.endpoint).send(new sdk.InvokeWithResponseStreamCommand({ FunctionName: FUNCTION_NAME, Payload: '{}' }));
    assert.equal(out.StatusCode, 200);
    const chunks: string[] = [];
    let complete: LambdaSdk.InvokeWithResponseStreamCompleteEvent | undefined;
    for await (const event of out.EventStream!) {
      if (event.PayloadChunk) chunks.push(decode(event.PayloadChunk.Payload));
      if (event.InvokeComplete) complete = event.InvokeComplete;
    }
    assert.equal(chunks.join(''), 'abc');
    assert.ok(complete, 'an InvokeComplete event ends the stream');
    assert.equal(complete.ErrorCode, undefined);
  });

  it('InvokeWithResponseStream reports a mid-stream failure in InvokeComplete', async () => {
    const out = await clientFor(failingStream.endpoint).send(new sdk.InvokeWithResponseStreamCommand({ FunctionName: FUNCTION_NAME, Payload: '{}' }));
    const chunks: string[] = [];
    let complete: LambdaSdk.InvokeWithResponseStreamCompleteEvent | undefined;
    for await (const event of out.EventStream!) {
      if (event.PayloadChunk) chunks.push(decode(event.PayloadChunk.Payload));
      if (event.InvokeComplete) complete = event.InvokeComplete;
    }
    assert.equal(chunks.join(''), 'partial');
    assert.equal(complete?.ErrorCode, 'Error');
    assert.match(String(complete?.ErrorDetails), /broke mid-stream/);
  });
});
