import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ExtensionFile {
  name: string;
  file: string;
  /** Why it cannot be started, when it cannot (Lambda's LaunchError reasons). */
  launchError?: 'PermissionDenied' | 'TooManyExtensions';
}

/**
 * The external extensions: every regular file in <opt>/extensions (directories ignored), in file-name order
 * (as RIE does; AWS's order is unverified). Beyond `limit` files, the rest cannot be launched. Synchronous, like
 * resolveRuntimeCommand: a directory listing and a few stat calls, on the path to the first spawn.
 */
export function findExtensionFiles(optDir: string, limit: number): ExtensionFile[] {
  const dir = path.join(optDir, 'extensions');
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const found: ExtensionFile[] = [];
  for (const name of names.sort()) {
    const file = path.join(dir, name);
    if (!isFile(file)) continue;
    found.push({ name, file, ...(isExecutable(file) ? {} : { launchError: 'PermissionDenied' as const }) });
  }
  return found.map((f, i) => (i >= limit && !f.launchError ? { ...f, launchError: 'TooManyExtensions' as const } : f));
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
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
