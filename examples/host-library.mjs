// The host library from a Node.js program: build the image, start a container with a function and a layer
// copied in, invoke it, stop it. In this repository: `npm ci && npm run build && node examples/host-library.mjs`
// ('lambda-sandbox' resolves to the repository itself); elsewhere the same after `npm install <this repository>`.
import { fileURLToPath } from 'node:url';
import { buildImage, startSandboxContainer } from 'lambda-sandbox';

const here = (relative) => fileURLToPath(new URL(relative, import.meta.url));
const image = process.env.LAMBDA_SANDBOX_IMAGE ?? 'lambda-sandbox:latest';

await buildImage({ tag: image, onProgress: (line) => console.error(line) }); // never pulls; cached steps are quick
const container = await startSandboxContainer({
  image,
  functionDir: here('./compose/function'), // or functionZip: './function.zip'
  handler: 'index.handler', // for the built-in Node.js runtime; not needed when the code has a bootstrap
  layers: [here('./compose/layer')], // directories or zips ('./layer-a.zip'), applied in order
  environment: { AWS_LAMBDA_FUNCTION_TIMEOUT: '10' },
});
try {
  console.log(container.invokeUrl); // http://127.0.0.1:<free port>/2015-03-31/functions/function/invocations
  const result = await container.invoke({ name: 'library' }, { tail: true });
  console.log(result.statusCode, result.body.toString()); // 200 {"greeting":"Hello, library!",...}
  console.log(result.logTail); // START ... END, REPORT
  // new LambdaClient({ endpoint: container.endpoint, ... }) works too
} finally {
  await container.close(); // docker stop (extensions get SHUTDOWN), then remove
}
