import { AsyncLocalStorage } from 'node:async_hooks';
import type { Invocation } from './runtimeApiClient';

/**
 * Who the running invocation is, for console lines and for libraries: the same shape as AWS's
 * `@aws/lambda-invoke-store`, which Lambda's aws-lambda-ric 4.x publishes as `awslambda.InvokeStore` (libraries such
 * as the X-Ray SDK and Powertools read the request and trace ids there when several invocations run at once).
 * One invocation at a time: the last one started. Several at once: AsyncLocalStorage, so concurrent invocations in
 * one thread never see each other's ids.
 */
export const PROTECTED_KEYS = {
  REQUEST_ID: Symbol.for('_AWS_LAMBDA_REQUEST_ID'),
  X_RAY_TRACE_ID: Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID'),
  TENANT_ID: Symbol.for('_AWS_LAMBDA_TENANT_ID'),
} as const;

export type StoreContext = Record<string | symbol, unknown>;

const protectedKeys: readonly (string | symbol)[] = Object.values(PROTECTED_KEYS);

export abstract class InvokeStore {
  static readonly PROTECTED_KEYS = PROTECTED_KEYS;

  abstract getContext(): StoreContext | undefined;
  abstract run<T>(context: StoreContext, fn: () => T): T;

  hasContext(): boolean {
    return this.getContext() !== undefined;
  }

  get(key: string | symbol): unknown {
    return this.getContext()?.[key];
  }

  /** User keys on the running invocation's context; the Lambda ids cannot be changed. */
  set(key: string | symbol, value: unknown): void {
    if (protectedKeys.includes(key)) throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    const context = this.getContext();
    if (context === undefined) throw new Error('No context available');
    context[key] = value;
  }

  /** `-` outside any invocation, as in aws-lambda-ric 4.x. */
  getRequestId(): string {
    return (this.get(PROTECTED_KEYS.REQUEST_ID) as string | undefined) ?? '-';
  }

  getXRayTraceId(): string | undefined {
    return this.get(PROTECTED_KEYS.X_RAY_TRACE_ID) as string | undefined;
  }

  getTenantId(): string | undefined {
    return this.get(PROTECTED_KEYS.TENANT_ID) as string | undefined;
  }
}

/** One invocation at a time: the context stays until the next invocation replaces it. */
export class SingleInvokeStore extends InvokeStore {
  private current: StoreContext | undefined;

  getContext(): StoreContext | undefined {
    return this.current;
  }

  run<T>(context: StoreContext, fn: () => T): T {
    this.current = context;
    return fn();
  }
}

/** Several invocations at once in one thread: each sees its own context through the async calls it makes. */
export class ConcurrentInvokeStore extends InvokeStore {
  private readonly storage = new AsyncLocalStorage<StoreContext>();

  getContext(): StoreContext | undefined {
    return this.storage.getStore();
  }

  run<T>(context: StoreContext, fn: () => T): T {
    return this.storage.run(context, fn);
  }
}

function header(invocation: Invocation, name: string): string | undefined {
  const value = invocation.headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

export function storeContextOf(invocation: Invocation): StoreContext {
  return {
    [PROTECTED_KEYS.REQUEST_ID]: invocation.requestId,
    [PROTECTED_KEYS.X_RAY_TRACE_ID]: header(invocation, 'lambda-runtime-trace-id'),
    [PROTECTED_KEYS.TENANT_ID]: header(invocation, 'lambda-runtime-aws-tenant-id'),
  };
}

/** `awslambda.InvokeStore`, when the awslambda global is installed (AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA unset). */
export function publishInvokeStore(store: InvokeStore): void {
  const global = (globalThis as { awslambda?: Record<string, unknown> }).awslambda;
  if (global !== undefined) global.InvokeStore = store;
}
