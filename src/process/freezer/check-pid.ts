import { FreezerError } from './types';

/** A pid the freezer may manage: a positive integer that is not the init itself. */
export function checkPid(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 0) throw new FreezerError(`invalid pid ${String(pid)}: not a positive integer`);
  if (pid === process.pid) throw new FreezerError(`refusing to freeze the init itself (pid ${pid})`);
}
