import { HttpResponseStream } from './httpResponseStream';

/** Marks set on a handler by awslambda.streamifyResponse; Symbol.for so user code and bundlers may read them too. */
export const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
export const HANDLER_HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
export const STREAM_RESPONSE = 'response';

interface StreamifyOptions {
  highWaterMark?: number;
}

type Marked = ((...args: never[]) => unknown) & { [HANDLER_STREAMING]?: unknown; [HANDLER_HIGH_WATER_MARK]?: unknown };

function streamifyResponse<H extends Marked>(handler: H, options?: StreamifyOptions): H {
  handler[HANDLER_STREAMING] = STREAM_RESPONSE;
  if (typeof options?.highWaterMark === 'number') handler[HANDLER_HIGH_WATER_MARK] = Math.trunc(options.highWaterMark);
  return handler;
}

/** Installs `globalThis.awslambda` before user code loads, unless AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA says not to. */
export function installAwslambdaGlobal(env: NodeJS.ProcessEnv): void {
  const optOut = env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (optOut === '1' || optOut === 'true') return;
  (globalThis as { awslambda?: unknown }).awslambda = { streamifyResponse, HttpResponseStream };
}
