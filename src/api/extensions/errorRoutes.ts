import { ExtensionApiError } from '../../lifecycle/extensionRegistry';
import type { ExtensionsPort } from '../../lifecycle/ports';
import { header, readBody, sendJson } from '../http';
import { answering, BODY_LIMIT } from './answers';

/** `POST /extension/init/error` and `/extension/exit/error`: the extension failed, and the sandbox with it. */
export function extensionErrorRoute(extensions: ExtensionsPort, kind: 'init' | 'exit') {
  return answering(async (req, res) => {
    const identifier = header(req, 'lambda-extension-identifier');
    extensions.identify(identifier);
    const errorType = header(req, 'lambda-extension-function-error-type');
    if (!errorType) throw new ExtensionApiError('Extension.MissingHeader', 'Lambda-Extension-Function-Error-Type not found');
    await readBody(req, BODY_LIMIT).catch(() => Buffer.alloc(0));
    extensions.reportError(identifier, kind, errorType);
    sendJson(res, 202, { status: 'OK' });
  });
}
