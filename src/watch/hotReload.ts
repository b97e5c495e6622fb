import type { Config } from '../config';
import type { Logger } from '../logger';
import { watchCode, type CodeWatcher } from './codeWatcher';

/** What hot reload needs of the environment: a fresh sandbox for the new code (docs/hot-reload.md). */
export interface Reloadable {
  reload(files: string[]): Promise<void>;
}

/** LAMBDA_SANDBOX_WATCH=1: a change under the task root or the opt directory reinitialises the environment. */
export function startHotReload(config: Config, environment: Reloadable, log: Logger): CodeWatcher {
  return watchCode({
    dirs: [config.taskRoot, config.optDir],
    onChange: (files) => {
      environment.reload(files).catch((error: Error) => log.warn(`hot reload failed: ${error.message}`));
    },
    log: (line) => log.info(`hot reload: ${line}`),
  });
}
