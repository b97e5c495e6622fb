/**
 * The line printed when a directory cannot be watched, saying why and what to do. fs.watch on Linux is inotify:
 * one watch per directory counts against fs.inotify.max_user_watches, one watcher instance against
 * fs.inotify.max_user_instances (both per user, on the host kernel, not in the container).
 */
export function describeWatchProblem(dir: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return `cannot watch ${dir}: it does not exist`;
    case 'ENOTDIR':
      return `cannot watch ${dir}: it is not a directory`;
    case 'EACCES':
    case 'EPERM':
      return `cannot watch ${dir}: permission denied`;
    case 'ENOSPC':
      return (
        `cannot watch ${dir}: the host's inotify watch limit is reached (fs.inotify.max_user_watches); ` +
        'raise it on the host, e.g. sysctl fs.inotify.max_user_watches=524288'
      );
    case 'EMFILE':
      return (
        `cannot watch ${dir}: too many inotify instances or open files (fs.inotify.max_user_instances, ulimit -n); ` +
        'raise them on the host, e.g. sysctl fs.inotify.max_user_instances=512'
      );
    default:
      return `cannot watch ${dir}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
