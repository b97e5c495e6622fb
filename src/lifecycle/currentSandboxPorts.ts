import type { ResultPort } from '../invoke/invocation';
import { ExtensionApiError, type ExtensionRegistry } from './extensionRegistry';
import { NoRuntimeError, type ErrorReport, type EventWaiter, type ExtensionsPort, type NextWaiter, type Registration, type RuntimePort } from './ports';
import type { Sandbox } from './sandbox';

/** The Runtime API's port: the current sandbox's runtime session, whichever sandbox that is after resets. */
export class CurrentRuntimePort implements RuntimePort {
  constructor(private readonly current: () => Sandbox | undefined) {}

  private get session(): RuntimePort {
    const session = this.current()?.runtime;
    if (!session) throw new NoRuntimeError();
    return session;
  }

  next(waiter: NextWaiter): void {
    this.session.next(waiter);
  }

  beginResult(requestId: string, kind: 'response' | 'error', invocationId?: string): ResultPort {
    return this.session.beginResult(requestId, kind, invocationId);
  }

  endResult(requestId: string): void {
    this.current()?.runtime?.endResult(requestId);
  }

  admitInitError(): void {
    this.session.admitInitError();
  }

  reportInitError(report: ErrorReport): void {
    this.session.reportInitError(report);
  }
}

/** The Extensions API's port: the current sandbox's extensions. Without a sandbox, registration is closed. */
export class CurrentExtensionsPort implements ExtensionsPort {
  constructor(private readonly current: () => Sandbox | undefined) {}

  private get sandbox(): Sandbox {
    const sandbox = this.current();
    if (!sandbox) throw new ExtensionApiError('Extension.RegistrationClosed', 'Extension registration closed already');
    return sandbox;
  }

  private get registry(): ExtensionRegistry {
    return this.sandbox.extensions;
  }

  register(name: string | undefined, body: unknown): Registration {
    return this.registry.register(name, body);
  }

  identify(identifier: string | undefined): string {
    return this.registry.lookup(identifier).name;
  }

  next(identifier: string | undefined, waiter: EventWaiter): void {
    this.registry.lookup(identifier).next(waiter);
  }

  reportError(identifier: string | undefined, kind: 'init' | 'exit', errorType: string): void {
    const sandbox = this.sandbox;
    const extension = sandbox.extensions.lookup(identifier);
    extension.state.fire(kind === 'init' ? 'initError' : 'exitError');
    extension.errorType = errorType;
    sandbox.fail({
      errorType: kind === 'init' ? 'Extension.InitError' : 'Extension.ExitError',
      message: `extension ${extension.name} reported ${kind === 'init' ? 'an init' : 'an exit'} error: ${errorType}`,
    });
  }
}
