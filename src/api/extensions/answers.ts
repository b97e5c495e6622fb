import type { IncomingMessage, ServerResponse } from 'node:http';
import { ExtensionApiError } from '../../lifecycle/extensionRegistry';
import { TransitionError } from '../../lifecycle/stateMachine';
import { readBody, sendJson } from '../http';

export const BODY_LIMIT = 1024 * 1024;

/** An Extensions API refusal with Lambda's type and message. */
export function refuse(res: ServerResponse, error: unknown): void {
  if (error instanceof ExtensionApiError) sendJson(res, error.status, { errorMessage: error.message, errorType: error.errorType });
  else if (error instanceof TransitionError) sendJson(res, 403, { errorMessage: error.message, errorType: 'Extension.InvalidExtensionState' });
  else throw error;
}

/** A handler whose refusals (thrown) are answered, unless it has answered already. */
export function answering(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      await handler(req, res);
    } catch (error) {
      if (!res.headersSent) refuse(res, error);
    }
  };
}

export async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req, BODY_LIMIT);
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString());
  } catch {
    throw new ExtensionApiError('InvalidRequestFormat', 'The request body is not valid JSON');
  }
}
