import { randomUUID } from 'node:crypto';
import type { ExtensionsPort } from '../../lifecycle/ports';
import { header, sendJson } from '../http';
import { answering } from './answers';

/** `GET /extension/event/next`: parks the request until there is an event for the extension. */
export function eventNextRoute(extensions: ExtensionsPort) {
  return answering((req, res) => {
    let alive = true;
    res.once('close', () => (alive = false));
    extensions.next(header(req, 'lambda-extension-identifier'), {
      get alive() {
        return alive && !res.writableEnded;
      },
      deliver(event) {
        sendJson(res, 200, event, { 'Lambda-Extension-Event-Identifier': randomUUID() });
      },
    });
  });
}
