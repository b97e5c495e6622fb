import * as fs from 'node:fs';
import * as path from 'node:path';
import { DockerIgnore } from './dockerignore';
import { packDirectory, type PackedDirectory } from './tarDirectory';

/**
 * Packs a build context directory into a tar stream in memory, as `docker build` would send it: `.dockerignore`
 * honoured (the Dockerfile and .dockerignore are always sent), owner root, modes and symlinks kept.
 */
export async function packBuildContext(contextDir: string, dockerfile = 'Dockerfile'): Promise<PackedDirectory> {
  const ignoreFile = path.join(contextDir, '.dockerignore');
  const ignoreText = fs.existsSync(ignoreFile) ? await fs.promises.readFile(ignoreFile, 'utf8') : '';
  const ignore = DockerIgnore.parse(ignoreText).alwaysIncluding([dockerfile, '.dockerignore']);
  return packDirectory(contextDir, ignore);
}
