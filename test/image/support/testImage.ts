import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildImage, chooseBaseImage, dockerfileBaseImage } from '../../../src/host/buildImage';
import { connectDocker } from '../../../src/host/dockerEngine';
import { REPO_ROOT } from '../../helpers/paths';

/**
 * The tag the image tests build and share (one build per test run; the engine's cache makes rebuilds quick).
 * LAMBDA_SANDBOX_TEST_IMAGE picks another, e.g. when several checkouts test against one engine at the same time.
 */
export const TEST_IMAGE = process.env.LAMBDA_SANDBOX_TEST_IMAGE || 'lambda-sandbox:test';

/**
 * The base image to build on, without a registry: LAMBDA_SANDBOX_TEST_BASE_IMAGE, else what the host library
 * chooses (the Dockerfile's default when present locally, else local/node-base, which CI's Docker set-up makes).
 */
export async function localBaseImage(): Promise<string | undefined> {
  const dockerfile = fs.readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
  return chooseBaseImage(connectDocker(), process.env.LAMBDA_SANDBOX_TEST_BASE_IMAGE || undefined, dockerfileBaseImage(dockerfile));
}

let built: Promise<string> | undefined;

/** Builds the image from the repository through the host library, once per test run; resolves to its tag. */
export function testImage(): Promise<string> {
  built ??= (async () => {
    const base = await localBaseImage();
    const output: string[] = [];
    const started = Date.now();
    try {
      await buildImage({ contextDir: REPO_ROOT, tag: TEST_IMAGE, baseImage: base, onProgress: (line) => output.push(line) });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- build output ---\n${output.slice(-40).join('\n')}`);
    }
    process.stdout.write(`      (built ${TEST_IMAGE} on ${base ?? 'the Dockerfile default'} in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    return TEST_IMAGE;
  })();
  return built;
}

/** The tag of the compose stack's example client image, built by the tests through the host library. */
export const TEST_CLIENT_IMAGE = 'lambda-sandbox-example-client:test';

let builtClient: Promise<string> | undefined;

/** Builds examples/compose/client/Dockerfile (with the repository as context) once per test run. */
export function testClientImage(): Promise<string> {
  builtClient ??= (async () => {
    const output: string[] = [];
    try {
      await buildImage({
        contextDir: REPO_ROOT,
        dockerfile: 'examples/compose/client/Dockerfile',
        tag: TEST_CLIENT_IMAGE,
        baseImage: await localBaseImage(),
        onProgress: (line) => output.push(line),
      });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- build output ---\n${output.slice(-40).join('\n')}`);
    }
    return TEST_CLIENT_IMAGE;
  })();
  return builtClient;
}
