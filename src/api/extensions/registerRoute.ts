import type { Config } from '../../config';
import type { ExtensionsPort } from '../../lifecycle/ports';
import { header, sendJson } from '../http';
import { answering, jsonBody } from './answers';

/** `POST /extension/register`: the function's identity, and the extension's identifier in a header. */
export function registerRoute(extensions: ExtensionsPort, config: Config) {
  return answering(async (req, res) => {
    const body = await jsonBody(req);
    const registration = extensions.register(header(req, 'lambda-extension-name'), body);
    const features = (header(req, 'lambda-extension-accept-feature') ?? '').split(',').map((f) => f.trim());
    sendJson(res, 200, {
      functionName: config.functionName,
      functionVersion: config.functionVersion,
      handler: config.handler ?? '',
      ...(features.includes('accountId') ? { accountId: config.accountId } : {}),
    }, { 'Lambda-Extension-Identifier': registration.id });
  });
}
