import type Docker from 'dockerode';
import { buildImage, type BuiltImage } from '../buildImage';

export interface BuildArgs {
  tag: string;
  baseImage?: string;
  contextDir?: string;
  noCache?: boolean;
}

/** Builds the image, showing the engine's build output on stderr as it arrives. */
export async function buildCommand(docker: Docker, args: BuildArgs): Promise<BuiltImage> {
  process.stderr.write(`lambda-sandbox: building ${args.tag}${args.baseImage ? ` on ${args.baseImage}` : ''}\n`);
  const started = Date.now();
  const built = await buildImage({
    docker,
    tag: args.tag,
    baseImage: args.baseImage,
    contextDir: args.contextDir,
    noCache: args.noCache,
    onProgress: (line) => process.stderr.write(`  build | ${line}\n`),
  });
  const megabytes = (built.context.bytes / 1e6).toFixed(1);
  process.stderr.write(`lambda-sandbox: built ${built.tag} (${built.imageId.slice(7, 19)}) in ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s; context ${built.context.files} files, ${megabytes} MB\n`);
  return built;
}
