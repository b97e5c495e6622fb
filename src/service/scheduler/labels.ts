import { MANAGED_LABEL, ROLE_LABEL, SESSION_ID, SESSION_LABEL } from '../../host/labels';

/**
 * Which `serve` owns an environment: the id kept in its data dir (Store.serveId), so that the next start on the same
 * data dir — even in a new container, on the same volume — removes what a crash left, and no other serve's.
 */
export const SERVE_LABEL = 'dev.lambda-sandbox.serve';
export const FUNCTION_LABEL = 'dev.lambda-sandbox.function';
export const VERSION_LABEL = 'dev.lambda-sandbox.version';
export const ENVIRONMENT_LABEL = 'dev.lambda-sandbox.environment';

/** Labels of one environment; the host library's own labels too, so `lambda-sandbox list` and `cleanup` see it. */
export function environmentLabels(serveId: string, functionName: string, version: string, environmentId: string): Record<string, string> {
  return {
    [MANAGED_LABEL]: 'true', [ROLE_LABEL]: 'sandbox', [SESSION_LABEL]: SESSION_ID,
    [SERVE_LABEL]: serveId, [FUNCTION_LABEL]: functionName, [VERSION_LABEL]: version, [ENVIRONMENT_LABEL]: environmentId,
  };
}
