import { FakeRuntimeApi } from './fakeRuntimeApi';
import { startRuntime, type RuntimeProcess } from './runtimeProcess';

export interface Session {
  api: FakeRuntimeApi;
  runtime: RuntimeProcess;
  close(): Promise<void>;
}

/** A fake Runtime API plus the built-in runtime started against it with `handler` (on the Node.js binary `node`). */
export async function startSession(handler: string | undefined, env: Record<string, string> = {}, taskRoot?: string, node?: string): Promise<Session> {
  const api = new FakeRuntimeApi();
  const address = await api.start();
  const runtime = startRuntime(address, handler, env, taskRoot, node);
  return {
    api,
    runtime,
    close: async () => {
      await runtime.stop();
      await api.stop();
    },
  };
}

export function json(body: Buffer): unknown {
  return JSON.parse(body.toString('utf8'));
}
