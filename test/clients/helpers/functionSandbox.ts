import { RunningInit } from '../../helpers/runningInit';
import { TempDir } from '../../helpers/zipFiles';
import { writeFunctionZips } from '../../integration/nodejs/helpers/functionZips';

export const FUNCTION_NAME = 'client-suite-fn';

/**
 * The real init serving one of the Node.js fixture functions under FUNCTION_NAME; stop() cleans everything.
 * Without a handler the init takes it from the command line (`args`, RIE style).
 */
export async function startFunction(handler: string | undefined, options: { args?: string[]; env?: Record<string, string> } = {}): Promise<{
  sandbox: RunningInit;
  endpoint: string;
  stop(): Promise<void>;
}> {
  const temp = new TempDir();
  try {
    const { functionZip } = await writeFunctionZips(temp);
    const sandbox = await RunningInit.start({
      args: options.args,
      env: {
        ...(handler === undefined ? {} : { _HANDLER: handler }),
        LAMBDA_SANDBOX_FUNCTION_ZIP: functionZip,
        AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
        ...options.env,
      },
    });
    return {
      sandbox,
      endpoint: `http://127.0.0.1:${sandbox.invokePort}`,
      stop: async () => {
        await sandbox.stop();
        temp.cleanup();
      },
    };
  } catch (error) {
    temp.cleanup();
    throw error;
  }
}
