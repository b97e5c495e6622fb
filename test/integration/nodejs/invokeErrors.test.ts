import * as assert from 'node:assert/strict';
import type { Posted } from './helpers/fakeRuntimeApi';
import { json, startSession, type Session } from './helpers/session';

interface RapidError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** Invoke failures: posted to /invocation/{id}/error with Lambda-Runtime-Function-Error-Type, body as Lambda's. */
describe('nodejs runtime: invoke errors', () => {
  let session: Session | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  async function invokeError(handler: string, raw?: string): Promise<{ error: RapidError; posted: Posted }> {
    session = await startSession(handler);
    const posted = await session.api.invoke({}, raw === undefined ? {} : { raw });
    assert.equal(posted.kind, 'error', `expected an error, got ${posted.kind}: ${posted.body}`);
    assert.equal(posted.headers['content-type'], 'application/json');
    const error = json(posted.body) as RapidError;
    assert.equal(posted.headers['lambda-runtime-function-error-type'], error.errorType);
    return { error, posted };
  }

  it('a thrown error: its name, message and stack lines, and the runtime goes on', async () => {
    const { error } = await invokeError('index.throws');
    assert.deepEqual(Object.keys(error), ['errorType', 'errorMessage', 'trace']);
    assert.equal(error.errorType, 'CustomError');
    assert.equal(error.errorMessage, 'custom failure');
    assert.equal(error.trace[0], 'CustomError: custom failure');
    assert.match(error.trace[1], /^ {4}at .*functions\/index\.js:\d+:\d+/);
    const again = await session!.api.invoke({});
    assert.equal(again.kind, 'error', 'the same handler runs again in the same process');
    assert.equal(session!.runtime.child.exitCode, null);
  });

  it('logs the failure as an Invoke Error line with the request id', async () => {
    session = await startSession('index.throws');
    await session.api.invoke({}, { requestId: 'req-logged' });
    const line = await session.runtime.waitForLine((l) => l.includes('Invoke Error'));
    const [, requestId, level, label, formatted] = line.split('\t');
    assert.deepEqual([requestId, level, label], ['req-logged', 'ERROR', 'Invoke Error ']);
    const logged = JSON.parse(formatted) as Record<string, unknown>;
    assert.equal(logged.errorType, 'CustomError');
    assert.equal(logged.errorMessage, 'custom failure');
    assert.equal(logged.detail, 'extra', 'own properties of the error are logged');
    assert.equal((logged.stack as string[])[0], 'CustomError: custom failure');
  });

  it('a rejected non-error value: typeof as the type, no trace', async () => {
    const { error } = await invokeError('index.rejectsString');
    assert.deepEqual(error, { errorType: 'string', errorMessage: 'just a string', trace: [] });
  });

  it('callback(error)', async () => {
    const { error } = await invokeError('index.callbackError');
    assert.deepEqual([error.errorType, error.errorMessage, error.trace[0]], ['TypeError', 'bad input', 'TypeError: bad input']);
  });

  it('callback("a string")', async () => {
    const { error } = await invokeError('index.callbackString');
    assert.deepEqual(error, { errorType: 'string', errorMessage: 'plain string failure', trace: [] });
  });

  it('context.fail(error) and context.fail() without a reason', async () => {
    assert.equal((await invokeError('index.fail')).error.errorMessage, 'via fail');
    await session!.close();
    assert.deepEqual((await invokeError('index.failEmpty')).error, { errorType: 'string', errorMessage: 'handled', trace: [] });
  });

  it('a synchronous throw', async () => {
    const { error } = await invokeError('index.syncThrow');
    assert.deepEqual([error.errorType, error.errorMessage], ['RangeError', 'sync throw']);
  });

  it('an event that is not JSON', async () => {
    const { error } = await invokeError('index.echo', 'not json');
    assert.equal(error.errorType, 'SyntaxError');
    assert.match(error.errorMessage, /not valid JSON|Unexpected token/);
  });

  it('a result that cannot be serialized', async () => {
    const { error } = await invokeError('index.circular');
    assert.deepEqual([error.errorType, error.errorMessage], ['Error', 'Unable to stringify response body']);
  });

  it('Runtime.NodeJsExit for an async handler whose promise never settles', async () => {
    const { error } = await invokeError('index.neverSettles');
    assert.equal(error.errorType, 'Runtime.NodeJsExit');
    assert.equal(
      error.errorMessage,
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was ' +
        'never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  });

  it('Runtime.UnhandledPromiseRejection: reported against the invocation, then exit 128', async () => {
    const { error } = await invokeError('index.unhandledRejection');
    assert.equal(error.errorType, 'Runtime.UnhandledPromiseRejection');
    assert.equal(error.errorMessage, 'Error: nobody catches me');
    assert.equal(error.trace[0], 'Runtime.UnhandledPromiseRejection: Error: nobody catches me');
    assert.equal((await session!.runtime.exited).code, 128);
    assert.ok(session!.runtime.lines().some((l) => l.includes('\tERROR\tUnhandled Promise Rejection \t{"errorType":"Runtime.UnhandledPromiseRejection"')));
  });

  it('an uncaught exception: reported against the invocation, then exit 129', async () => {
    const { error } = await invokeError('index.uncaught');
    assert.deepEqual([error.errorType, error.errorMessage], ['Error', 'thrown from a timer']);
    assert.equal((await session!.runtime.exited).code, 129);
    assert.ok(session!.runtime.lines().some((l) => l.includes('\tERROR\tUncaught Exception \t{"errorType":"Error","errorMessage":"thrown from a timer"')));
  });
});
