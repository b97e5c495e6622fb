import type Docker from 'dockerode';
import { connectDocker } from './dockerEngine';
import { MANAGED_LABEL, ROLE_LABEL } from './labels';

/**
 * Removes the untagged build-stage images the classic builder leaves behind after building this repository's
 * Dockerfiles (they carry `dev.lambda-sandbox.role=build-stage`, which only those stages set). Untagged images of
 * the product stage are left alone: an image someone built FROM lambda-sandbox inherits its labels, so labels
 * cannot tell ours from theirs. Each image is removed by id (never an engine-wide prune), and one still in use
 * is skipped. `labels` narrows the selection further. Returns the ids removed.
 */
export async function removeBuildLeftovers(options: { docker?: Docker; labels?: string[] } = {}): Promise<string[]> {
  const docker = options.docker ?? connectDocker();
  const label = [`${MANAGED_LABEL}=true`, `${ROLE_LABEL}=build-stage`, ...(options.labels ?? [])];
  const images = await docker.listImages({ filters: { dangling: ['true'], label } });
  const removed: string[] = [];
  for (const image of images) {
    try {
      await docker.getImage(image.Id).remove({ noprune: false });
      removed.push(image.Id);
    } catch (error) {
      // 409: a container or another image still uses it; 404: gone meanwhile. Neither is ours to force.
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 409 && status !== 404) throw error;
    }
  }
  return removed;
}
