// Example client: invokes the function in the lambda-sandbox container through the AWS SDK for JavaScript v3,
// exactly as it would invoke a deployed function, only with `endpoint` pointing at the sandbox.
//
//   LAMBDA_ENDPOINT   the sandbox's invoke API (default http://127.0.0.1:8080)
//   FUNCTION_NAME     the sandbox's AWS_LAMBDA_FUNCTION_NAME (default "function", the RIE-style name)
'use strict';
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');

const endpoint = process.env.LAMBDA_ENDPOINT || 'http://127.0.0.1:8080';
const functionName = process.env.FUNCTION_NAME || 'function';

const client = new LambdaClient({
  endpoint,
  region: process.env.AWS_REGION || 'us-east-1',
  // The sandbox does not check signatures, but the SDK wants credentials to sign with.
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
});

async function invoke(name) {
  const out = await client.send(new InvokeCommand({
    FunctionName: functionName,
    Payload: Buffer.from(JSON.stringify({ name })),
    LogType: 'Tail',
  }));
  const payload = Buffer.from(out.Payload ?? []).toString('utf8');
  console.log(`client: invoke via @aws-sdk/client-lambda -> status ${out.StatusCode}, payload ${payload}`);
  if (out.LogResult) {
    for (const line of Buffer.from(out.LogResult, 'base64').toString('utf8').trimEnd().split('\n')) {
      console.log(`client:   log | ${line}`);
    }
  }
  if (out.FunctionError) throw new Error(`the function failed (${out.FunctionError}): ${payload}`);
  return JSON.parse(payload);
}

(async () => {
  console.log(`client: invoking ${functionName} at ${endpoint}`);
  await invoke('cold start');
  await invoke('warm start');
  console.log('client: done');
})().catch((error) => {
  console.error(`client: FAILED: ${error && error.message ? error.message : error}`);
  process.exit(1);
});
