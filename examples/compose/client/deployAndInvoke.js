// Example client of the compose file's `serve` stack: deploys a function to lambda-sandbox serve with the AWS SDK
// for JavaScript v3 (as a test would deploy to Lambda), then invokes it concurrently: the service runs one
// execution environment per concurrent invoke.
//
//   LAMBDA_ENDPOINT   the service (default http://127.0.0.1:9000)
//   CONCURRENCY       concurrent invokes (default 4)
'use strict';
const {
  LambdaClient, CreateFunctionCommand, UpdateFunctionCodeCommand, InvokeCommand,
  waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} = require('@aws-sdk/client-lambda');
const { ZipFile } = require('yazl');

const endpoint = process.env.LAMBDA_ENDPOINT || 'http://127.0.0.1:9000';
const concurrency = Number(process.env.CONCURRENCY || 4);
const FunctionName = 'compose-example';
const client = new LambdaClient({
  endpoint, region: process.env.AWS_REGION || 'us-east-1',
  // The service does not check signatures, but the SDK wants credentials to sign with.
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

const HANDLER = `exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { hello: event.name, environment: process.env.AWS_LAMBDA_LOG_STREAM_NAME };
};
`;

function zip() {
  const file = new ZipFile();
  file.addBuffer(Buffer.from(HANDLER), 'index.js', { mode: 0o100644 });
  file.end();
  const chunks = [];
  return new Promise((resolve, reject) => {
    file.outputStream.on('data', (chunk) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

(async () => {
  const ZipFile = await zip();
  try {
    await client.send(new CreateFunctionCommand({
      FunctionName, Runtime: 'nodejs24.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/example', Code: { ZipFile },
    }));
    console.log(`client: created ${FunctionName} at ${endpoint}`);
  } catch (error) {
    if (error.name !== 'ResourceConflictException') throw error;
    await client.send(new UpdateFunctionCodeCommand({ FunctionName, ZipFile }));
    await waitUntilFunctionUpdatedV2({ client, maxWaitTime: 60 }, { FunctionName });
    console.log(`client: updated ${FunctionName} at ${endpoint}`);
  }
  await waitUntilFunctionActiveV2({ client, maxWaitTime: 60 }, { FunctionName });
  const started = Date.now();
  const answers = await Promise.all(Array.from({ length: concurrency }, async (_, i) => {
    const out = await client.send(new InvokeCommand({ FunctionName, Payload: Buffer.from(JSON.stringify({ name: `call ${i}` })) }));
    if (out.FunctionError) throw new Error(`the function failed: ${Buffer.from(out.Payload).toString()}`);
    return JSON.parse(Buffer.from(out.Payload).toString());
  }));
  const environments = new Set(answers.map((a) => a.environment));
  console.log(`client: ${concurrency} concurrent invokes answered in ${Date.now() - started} ms by ${environments.size} environments`);
  console.log('client: done');
})().catch((error) => {
  console.error(`client: FAILED: ${error && error.message ? error.message : error}`);
  process.exit(1);
});
