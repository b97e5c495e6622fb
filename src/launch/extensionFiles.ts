import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface ExtensionFile {
  name: string;
  file: string;
  /** Why it cannot be started, when it cannot (Lambda's LaunchError reasons). */
  launchError?: 'PermissionDenied' | 'TooManyExtensions';
}

/**
 * The external extensions: every regular file in <opt>/extensions (directories ignored), in file-name order
 * (as RIE does; AWS's order is unverified). Beyond `limit` files, the rest cannot be launched.
 */
export async function findExtensionFiles(optDir: string, limit: number): Promise<ExtensionFile[]> {
  const dir = path.join(optDir, 'extensions');
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const found: ExtensionFile[] = [];
  for (const name of names.sort()) {
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) continue;
    const executable = await fs.access(file, constants.X_OK).then(() => true, () => false);
    found.push({ name, file, ...(executable ? {} : { launchError: 'PermissionDenied' as const }) });
  }
  return found.map((f, i) => (i >= limit && !f.launchError ? { ...f, launchError: 'TooManyExtensions' as const } : f));
}

/** Variables Lambda does not give external extensions (docs/lambda-behaviour.md#extensions-api). */
const NOT_FOR_EXTENSIONS = [
  'AWS_EXECUTION_ENV', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_XRAY_CONTEXT_MISSING',
  'AWS_XRAY_DAEMON_ADDRESS', 'LAMBDA_RUNTIME_DIR', 'LAMBDA_TASK_ROOT', '_AWS_XRAY_DAEMON_ADDRESS', '_AWS_XRAY_DAEMON_PORT', '_HANDLER',
];

export function extensionEnvironment(runtimeEnv: Record<string, string>): Record<string, string> {
  const env = { ...runtimeEnv };
  for (const name of NOT_FOR_EXTENSIONS) delete env[name];
  return env;
}
