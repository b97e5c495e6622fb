import * as crypto from 'node:crypto';

/**
 * Labels put on everything the host library creates (images, containers), so that leftovers can always be
 * found and removed, whoever created them and whenever they were left behind.
 */
export const MANAGED_LABEL = 'dev.lambda-sandbox.managed';
/** Identifies one process using the library; `removeManagedContainers({ session })` cleans up after it. */
export const SESSION_LABEL = 'dev.lambda-sandbox.session';
/** What the object is: "image", "build-stage" (set by the Dockerfile) or "sandbox". */
export const ROLE_LABEL = 'dev.lambda-sandbox.role';

/** This process's session id (random, fixed for the life of the process). */
export const SESSION_ID = crypto.randomBytes(6).toString('hex');

/** Labels for a container (with this process's session) or an image (without, so rebuilds stay cacheable). */
export function managedLabels(role: 'image' | 'sandbox'): Record<string, string> {
  const labels: Record<string, string> = { [MANAGED_LABEL]: 'true', [ROLE_LABEL]: role };
  if (role === 'sandbox') labels[SESSION_LABEL] = SESSION_ID;
  return labels;
}
