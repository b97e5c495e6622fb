import type { ManagedProcess } from '../process/process';
import { Extension, type ExtensionEventType } from './extension';

export const MAX_EXTENSIONS = 10;

/** An Extensions API refusal (docs/lambda-behaviour.md#extensions-api): 403 unless noted, with Lambda's type and text. */
export class ExtensionApiError extends Error {
  constructor(readonly errorType: string, message: string, readonly status = 403) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_TYPES: readonly ExtensionEventType[] = ['INVOKE', 'SHUTDOWN'];

/**
 * The extensions of one sandbox: external ones are known by their file names from the start (and registered when
 * their process calls register); any other name that registers is internal. Registration closes when Init ends.
 */
export class ExtensionRegistry {
  private readonly byId = new Map<string, Extension>();
  private readonly byName = new Map<string, Extension>();
  private open = true;

  /** Adds an external extension: launched (not yet registered), or refused at launch (no process). */
  addExternal(name: string, process: ManagedProcess | undefined): Extension {
    const extension = new Extension(name, process, true);
    this.byName.set(name, extension);
    this.byId.set(extension.id, extension);
    return extension;
  }

  get all(): Extension[] {
    return [...this.byName.values()];
  }

  get registered(): Extension[] {
    return this.all.filter((e) => !e.state.is('Started', 'LaunchError'));
  }

  closeRegistration(): void {
    this.open = false;
  }

  /** `POST /extension/register`. */
  register(name: string | undefined, body: unknown): Extension {
    if (!name) throw new ExtensionApiError('Extension.InvalidExtensionName', 'Empty extension name');
    const events = parseEvents(body);
    if (!this.open) throw new ExtensionApiError('Extension.RegistrationClosed', 'Extension registration closed already');
    const known = this.byName.get(name);
    if (known?.process) {
      known.register(events); // a second register fails here with the state machine's message
      return known;
    }
    if (known?.external) throw new ExtensionApiError('Extension.InvalidExtensionState', `Extension ${name} could not be launched`);
    if (known) throw new ExtensionApiError('Extension.InvalidExtensionState', 'Extension with this name already registered');
    if (events.includes('SHUTDOWN')) {
      throw new ExtensionApiError('Extension.InvalidEventType', 'SHUTDOWN: ShutdownEventNotSupportedForInternalExtension');
    }
    if (this.byName.size >= MAX_EXTENSIONS) {
      throw new ExtensionApiError('Extension.TooManyExtensions', `Extension limit (${MAX_EXTENSIONS}) reached`);
    }
    const internal = new Extension(name, undefined, false);
    internal.register(events);
    this.byName.set(name, internal);
    this.byId.set(internal.id, internal);
    return internal;
  }

  /** The extension a request's `Lambda-Extension-Identifier` names. */
  lookup(identifier: string | undefined): Extension {
    if (!identifier) throw new ExtensionApiError('Extension.MissingExtensionIdentifier', 'Missing Lambda-Extension-Identifier header');
    if (!UUID.test(identifier)) throw new ExtensionApiError('Extension.InvalidExtensionIdentifier', 'Invalid Lambda-Extension-Identifier');
    const extension = this.byId.get(identifier);
    if (!extension || extension.state.is('Started')) {
      throw new ExtensionApiError('Extension.UnknownExtensionIdentifier', `Unknown extension ${identifier}`);
    }
    return extension;
  }
}

function parseEvents(body: unknown): ExtensionEventType[] {
  if (body === undefined) return [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ExtensionApiError('InvalidRequestFormat', 'The register request body must be a JSON object');
  }
  const record = body as Record<string, unknown>;
  if ('configurationKeys' in record) {
    throw new ExtensionApiError('InvalidRequestFormat', 'configurationKeys are deprecated; use environment variables instead');
  }
  if (record.events === undefined) return [];
  if (!Array.isArray(record.events)) throw new ExtensionApiError('InvalidRequestFormat', '"events" must be an array');
  const events: ExtensionEventType[] = [];
  for (const event of record.events as unknown[]) {
    const found = EVENT_TYPES.find((t) => t === event);
    if (!found) throw new ExtensionApiError('Extension.InvalidEventType', `${String(event)}: ErrorInvalidEventType`);
    if (!events.includes(found)) events.push(found);
  }
  return events;
}
