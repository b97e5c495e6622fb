import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Where `serve` keeps functions and layers unless --data-dir says otherwise: the user's state directory
 * ($XDG_STATE_HOME, else ~/.local/state, as the XDG Base Directory specification puts it).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'lambda-sandbox', 'serve');
}
