import { runtimeError } from './errors';
import type { HandlerMetadata } from './handlerLoader';
import { FIRST_ASYNC_ONLY_MAJOR, type RuntimeMode } from './runtimeMode';

/**
 * The init error a callback-style handler gets where Lambda removed the callback model. Type and wording as in AWS's
 * aws-lambda-ric 4.0.2 (the runtime interface client of nodejs24.x and of Managed Instances): see
 * docs/nodejs-runtime.md, "Node.js 24".
 */
export const CallbackHandlerDeprecated = runtimeError('CallbackHandlerDeprecated');

const HANDLER_DOCS = 'For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

export const CALLBACK_REMOVED_NODEJS24 =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to ' +
  `modify this function to use a supported handler signature to use Node.js 24 or later. ${HANDLER_DOCS}`;

export const CALLBACK_UNSUPPORTED_MANAGED_INSTANCES =
  'ERROR: AWS Lambda does not support callback-based function handlers when using Node.js 22 with Managed Instances. ' +
  `To use Managed Instances, modify this function to use a supported handler signature. ${HANDLER_DOCS}`;

/**
 * Throws at init when the handler declares a third (callback) parameter and the mode has no callback model; a
 * streaming handler's third parameter is its context, which is fine.
 */
export function rejectCallbackHandler(metadata: HandlerMetadata, mode: RuntimeMode): void {
  if (mode.callbackModel || metadata.streaming || metadata.parameterCount < 3) return;
  throw new CallbackHandlerDeprecated(
    mode.nodeMajor >= FIRST_ASYNC_ONLY_MAJOR ? CALLBACK_REMOVED_NODEJS24 : CALLBACK_UNSUPPORTED_MANAGED_INSTANCES,
  );
}
