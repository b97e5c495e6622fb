import Docker from 'dockerode';

/**
 * A dockerode client for the engine the environment names: DOCKER_HOST (unix://, tcp://, ssh://, with
 * DOCKER_TLS_VERIFY / DOCKER_CERT_PATH), else the local socket. Dockerode reads those variables itself.
 */
export function connectDocker(): Docker {
  return new Docker();
}

/** Whether a Docker engine answers a ping within the timeout. Never throws. */
export async function isDockerReachable(docker: Docker = connectDocker(), timeoutMs = 3000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  try {
    return await Promise.race([docker.ping().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether an image with this name or id exists in the engine (no registry is asked). */
export async function imageExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}
