import * as fs from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { packBuildContext } from './buildContext';
import { connectDocker, imageExists } from './dockerEngine';
import { managedLabels } from './labels';

export const DEFAULT_IMAGE_TAG = 'lambda-sandbox:latest';
/** The base image scripts/make-base-image.sh makes from the machine's own Node.js, for building without a registry. */
export const LOCAL_BASE_IMAGE = 'local/node-base';

export interface BuildImageOptions {
  /** The repository (build context) holding the Dockerfile. Default: the repository this file belongs to. */
  contextDir?: string;
  /** Tag of the built image. Default `lambda-sandbox:latest`. */
  tag?: string;
  /**
   * `BASE_IMAGE` build argument. It must already be present: nothing is pulled. Default: the Dockerfile's default
   * when present, else `local/node-base` (scripts/make-base-image.sh) when present.
   */
  baseImage?: string;
  /** The Dockerfile, relative to the context. Default `Dockerfile`. */
  dockerfile?: string;
  /** Build only up to this stage. */
  target?: string;
  /** Called with each line of build output (steps, command output), as it arrives. */
  onProgress?: (line: string) => void;
  noCache?: boolean;
  docker?: Docker;
}

export interface BuiltImage {
  tag: string;
  imageId: string;
  /** Size and file count of the build context that was sent. */
  context: { files: number; bytes: number };
}

export class ImageBuildError extends Error {
  constructor(message: string, readonly output: string[] = []) {
    super(message);
    this.name = 'ImageBuildError';
  }
}

/** compiled: <root>/<outDir>/src/host/buildImage.js; source: <root>/src/host/buildImage.ts */
export function defaultContextDir(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'Dockerfile')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new ImageBuildError(`no Dockerfile found above ${__dirname}; pass contextDir`);
}

/** The default of `ARG BASE_IMAGE=...` in the Dockerfile, if it declares one. */
export function dockerfileBaseImage(dockerfileText: string): string | undefined {
  return /^\s*ARG\s+BASE_IMAGE=(\S+)/m.exec(dockerfileText)?.[1];
}

/**
 * Builds the lambda-sandbox image from the repository: the context is packed in memory (tar-stream, honouring
 * .dockerignore) and sent to the engine, which may be remote. Never pulls: the base image must be present.
 */
export async function buildImage(options: BuildImageOptions = {}): Promise<BuiltImage> {
  const docker = options.docker ?? connectDocker();
  const contextDir = path.resolve(options.contextDir ?? defaultContextDir());
  const dockerfileName = options.dockerfile ?? 'Dockerfile';
  const dockerfile = path.join(contextDir, dockerfileName);
  if (!fs.existsSync(dockerfile)) throw new ImageBuildError(`${dockerfile} does not exist`);
  const tag = options.tag ?? DEFAULT_IMAGE_TAG;
  const baseImage = await chooseBaseImage(docker, options.baseImage, dockerfileBaseImage(fs.readFileSync(dockerfile, 'utf8')));
  if (baseImage !== options.baseImage) options.onProgress?.(`lambda-sandbox: building on ${baseImage} (present locally)`);

  const context = await packBuildContext(contextDir, dockerfileName.split(path.sep).join('/'));
  const response = await docker.buildImage(context.stream, {
    t: tag,
    dockerfile: dockerfileName.split(path.sep).join('/'),
    buildargs: baseImage !== undefined ? { BASE_IMAGE: baseImage } : {},
    labels: managedLabels('image'),
    target: options.target,
    nocache: options.noCache ?? false,
    pull: false,
    rm: true,
    forcerm: true,
  } as Docker.ImageBuildOptions);
  const [sent, result] = await Promise.all([context.done, readBuildOutput(response, options.onProgress)]);
  if (result.error !== undefined) {
    throw new ImageBuildError(`image build failed: ${result.error}`, result.lines);
  }
  const imageId = result.imageId ?? (await docker.getImage(tag).inspect()).Id;
  return { tag, imageId, context: sent };
}

/**
 * The base image a build will use, checked to be present (nothing is pulled): the one requested, else the
 * Dockerfile's default, else local/node-base. Throws ImageBuildError with what to do when none is present.
 */
export async function chooseBaseImage(docker: Docker, requested: string | undefined, dockerfileDefault: string | undefined): Promise<string | undefined> {
  if (requested !== undefined) {
    if (await imageExists(docker, requested)) return requested;
    throw new ImageBuildError(`base image ${requested} is not present in the Docker engine, and lambda-sandbox never pulls. ` +
      `Pull or load it first (docker pull ${requested}), or make one from this machine's Node.js with scripts/make-base-image.sh.`);
  }
  if (dockerfileDefault === undefined || (await imageExists(docker, dockerfileDefault))) return dockerfileDefault;
  if (await imageExists(docker, LOCAL_BASE_IMAGE)) return LOCAL_BASE_IMAGE;
  throw new ImageBuildError(`the Dockerfile's base image ${dockerfileDefault} is not present in the Docker engine, and ` +
    'lambda-sandbox never pulls. Pull or load it first (docker pull ' + dockerfileDefault + '), pass another base image ' +
    `that is present, or make ${LOCAL_BASE_IMAGE} from this machine's Node.js with scripts/make-base-image.sh.`);
}

interface BuildOutput {
  lines: string[];
  imageId?: string;
  error?: string;
}

/** The engine answers a build with JSON messages, one per line: {stream}, {aux:{ID}}, {error, errorDetail}. */
function readBuildOutput(response: NodeJS.ReadableStream, onProgress?: (line: string) => void): Promise<BuildOutput> {
  const output: BuildOutput = { lines: [] };
  let pending = '';
  let text = '';
  const emitText = (chunk: string) => {
    text += chunk;
    const parts = text.split('\n');
    text = parts.pop() ?? '';
    for (const line of parts) {
      output.lines.push(line);
      onProgress?.(line);
    }
  };
  const handle = (raw: string) => {
    if (raw.trim() === '') return;
    let message: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } };
    try {
      message = JSON.parse(raw);
    } catch {
      emitText(`${raw}\n`);
      return;
    }
    if (message.stream !== undefined) emitText(message.stream);
    if (message.status !== undefined) emitText(`${message.status}\n`);
    if (message.aux?.ID !== undefined) output.imageId = message.aux.ID;
    if (message.error !== undefined || message.errorDetail !== undefined) {
      output.error = message.errorDetail?.message ?? message.error;
    }
  };
  return new Promise((resolve, reject) => {
    response.on('data', (chunk: Buffer | string) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      parts.forEach(handle);
    });
    response.on('end', () => {
      handle(pending);
      if (text !== '') emitText('\n');
      resolve(output);
    });
    response.on('error', reject);
  });
}
