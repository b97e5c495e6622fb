import * as path from 'node:path';
import type Docker from 'dockerode';
import { defaultContextDir } from '../buildImage';
import { startSandboxContainer } from '../startContainer';
import { buildCommand } from './buildCommand';

/**
 * The tour: builds the image, starts it with the example function (examples/compose/function) and the example
 * extension layer (examples/compose/layer), invokes it cold and warm, stops it gracefully and shows its log.
 */
export async function demoCommand(docker: Docker, args: { image: string; baseImage?: string }): Promise<number> {
  const root = defaultContextDir();
  await buildCommand(docker, { tag: args.image, baseImage: args.baseImage, contextDir: root });
  const say = (text: string) => process.stdout.write(`\n== ${text}\n`);

  say('starting a sandbox: examples/compose/function (index.handler) + examples/compose/layer (an extension)');
  const sandbox = await startSandboxContainer({
    docker,
    image: args.image,
    functionDir: path.join(root, 'examples', 'compose', 'function'),
    layers: [path.join(root, 'examples', 'compose', 'layer')],
    handler: 'index.handler',
    environment: { AWS_LAMBDA_FUNCTION_NAME: 'example' },
  });
  let failed = false;
  try {
    process.stdout.write(`ready: ${sandbox.invokeUrl}\n`);
    for (const name of ['cold start', 'warm start']) {
      say(`invoke (${name}): curl -X POST ${sandbox.invokeUrl} -H 'X-Amz-Log-Type: Tail' -d '{"name":"${name}"}'`);
      const result = await sandbox.invoke({ name }, { tail: true });
      process.stdout.write(`HTTP ${result.statusCode}${result.functionError ? ` (function error: ${result.functionError})` : ''}\n`);
      process.stdout.write(`${result.body.toString('utf8')}\n`);
      process.stdout.write(`log tail:\n${(result.logTail ?? '').trimEnd()}\n`);
      if (result.statusCode !== 200 || result.functionError !== undefined) failed = true;
    }
  } finally {
    say('docker stop (SIGTERM: the extension gets SHUTDOWN), then the container\'s whole log:');
    const code = await sandbox.stop({ keep: true });
    process.stdout.write(`${(await sandbox.logs()).trimEnd()}\n`);
    await sandbox.remove();
    process.stdout.write(`\nexit code ${code}; container removed\n`);
    if (code !== 0) failed = true;
  }
  return failed ? 1 : 0;
}
