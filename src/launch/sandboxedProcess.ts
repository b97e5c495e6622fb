import type { Config } from '../config';
import type { Freezer } from '../process/freezer';
import { ManagedProcess, type ProcessSpec } from '../process/process';
import { extensionEnvironment, type ExtensionFile } from './extensionFiles';
import type { RunAs } from './runAs';
import type { RuntimeCommand } from './runtimeCommand';

/**
 * Starts a runtime or extension process of the sandbox: as Lambda's unprivileged user when one is configured, and
 * under the freezer from its first instruction (the freezer's wrapper joins the cgroup before the exec).
 */
export function spawnSandboxed(spec: ProcessSpec, onLine: (line: string) => void, freezer: Freezer, runAs: RunAs | undefined): ManagedProcess {
  // A process that drops to another user cannot join the init's cgroup itself; track() moves it right after spawn.
  const wrapped = runAs ? { command: spec.command, args: spec.args } : freezer.wrap(spec.command, spec.args);
  const process = new ManagedProcess({ ...spec, ...wrapped, ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) }, onLine);
  if (process.pid !== undefined) freezer.track(process.pid);
  return process;
}

/** How the runtime process of an Init is started: the resolved command, in the task root, with Lambda's environment. */
export function runtimeProcessSpec(config: Config, command: RuntimeCommand, env: Record<string, string>): ProcessSpec {
  return { name: 'runtime', command: command.command, args: command.args, cwd: config.taskRoot, env };
}

/** How an external extension is started: its file, in the task root, with the runtime's environment less what Lambda keeps from extensions. */
export function extensionProcessSpec(config: Config, file: ExtensionFile, runtimeEnv: Record<string, string>): ProcessSpec {
  return { name: file.name, command: file.file, args: [], cwd: config.taskRoot, env: extensionEnvironment(runtimeEnv) };
}
