import { Socket } from 'node:net';

/** Set (to the fd) when the init started this runtime before the function's code was in place. */
export const START_GATE_ENV = 'LAMBDA_SANDBOX_START_GATE_FD';

/**
 * The init may start the built-in runtime while it is still unpacking the function (docs/architecture.md#cold-start),
 * so that Node's own start-up overlaps the unpack. The runtime then waits here, before it loads anything of the
 * function's: one byte on the gate means the code is in place and the runtime is under the freezer; end of file
 * means the init did not want this runtime after all (the zip brought its own bootstrap), and it exits quietly.
 * The variable is gone from the environment before the handler can see it.
 */
export function passStartGate(env: NodeJS.ProcessEnv): Promise<void> {
  const fd = env[START_GATE_ENV];
  if (fd === undefined) return Promise.resolve();
  delete env[START_GATE_ENV];
  return new Promise((resolve) => {
    const gate = new Socket({ fd: Number(fd), readable: true, writable: false });
    gate.once('data', () => {
      gate.destroy();
      resolve();
    });
    gate.once('end', () => process.exit(0));
    gate.once('error', () => process.exit(0));
  });
}
