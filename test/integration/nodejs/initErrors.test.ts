import * as assert from 'node:assert/strict';
import { json, startSession, type Session } from './helpers/session';

interface RapidError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** Init failures: posted once to /runtime/init/error with the type in the header, then the runtime exits 129. */
describe('nodejs runtime: init errors', () => {
  let session: Session | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  async function initError(handler: string | undefined): Promise<{ error: RapidError; typeHeader: unknown; exitCode: number | null }> {
    session = await startSession(handler);
    const posted = await session.api.nextInitError();
    const { code } = await session.runtime.exited;
    assert.equal(posted.kind, 'init-error');
    assert.deepEqual(session.api.requests, ['POST /2018-06-01/runtime/init/error'], 'nothing but the init error is sent');
    return { error: json(posted.body) as RapidError, typeHeader: posted.headers['lambda-runtime-function-error-type'], exitCode: code };
  }

  it('Runtime.HandlerNotFound for a missing export', async () => {
    const { error, typeHeader, exitCode } = await initError('index.missing');
    assert.equal(error.errorType, 'Runtime.HandlerNotFound');
    assert.equal(error.errorMessage, 'index.missing is undefined or not exported');
    assert.equal(error.trace[0], 'Runtime.HandlerNotFound: index.missing is undefined or not exported');
    assert.match(error.trace[1], /^ {4}at /);
    assert.equal(typeHeader, 'Runtime.HandlerNotFound');
    assert.equal(exitCode, 129);
  });

  it('Runtime.HandlerNotFound for an export that is not a function', async () => {
    const { error } = await initError('index.notAFunction');
    assert.deepEqual([error.errorType, error.errorMessage], ['Runtime.HandlerNotFound', 'index.notAFunction is not a function']);
  });

  it('Runtime.ImportModuleError for a missing module, with Node\'s message', async () => {
    const { error, typeHeader } = await initError('nope.handler');
    assert.equal(error.errorType, 'Runtime.ImportModuleError');
    assert.match(error.errorMessage, /^Error: Cannot find module 'nope'\nRequire stack:\n- /);
    assert.equal(error.trace[0], "Runtime.ImportModuleError: Error: Cannot find module 'nope'");
    assert.equal(typeHeader, 'Runtime.ImportModuleError');
  });

  it('Runtime.ImportModuleError for a module the handler file requires', async () => {
    const { error } = await initError('broken/requires-missing.handler');
    assert.equal(error.errorType, 'Runtime.ImportModuleError');
    assert.match(error.errorMessage, /^Error: Cannot find module 'another-missing-module'\nRequire stack:\n- .*broken\/requires-missing\.js/);
  });

  it('Runtime.ImportModuleError for a package an ES module imports', async () => {
    const { error } = await initError('esm/missing-dep.handler');
    assert.equal(error.errorType, 'Runtime.ImportModuleError');
    assert.match(error.errorMessage, /Cannot find package 'package-that-does-not-exist' imported from .*esm\/missing-dep\.mjs/);
  });

  it('Runtime.UserCodeSyntaxError for code that does not parse', async () => {
    const { error } = await initError('broken/syntax.handler');
    assert.equal(error.errorType, 'Runtime.UserCodeSyntaxError');
    assert.equal(error.errorMessage, "SyntaxError: Unexpected token ';'");
    assert.equal(error.trace[0], "Runtime.UserCodeSyntaxError: SyntaxError: Unexpected token ';'");
  });

  it('the error itself when module code throws while loading', async () => {
    const { error, typeHeader, exitCode } = await initError('broken/init-throws.handler');
    assert.deepEqual([error.errorType, error.errorMessage, error.trace[0]], ['Error', 'failed while loading', 'Error: failed while loading']);
    assert.equal(typeHeader, 'Error');
    assert.equal(exitCode, 129);
  });

  it('the error itself when a top-level await rejects', async () => {
    const { error } = await initError('broken/init-rejects.handler');
    assert.deepEqual([error.errorType, error.errorMessage], ['TypeError', 'top-level await rejected']);
  });

  it('Runtime.MalformedHandlerName for a handler without an export part', async () => {
    const { error } = await initError('index');
    assert.deepEqual([error.errorType, error.errorMessage], ['Runtime.MalformedHandlerName', 'Bad handler']);
  });

  it('Runtime.MalformedHandlerName for a handler that climbs out of the task root', async () => {
    const { error } = await initError('../outside/index.handler');
    assert.equal(error.errorType, 'Runtime.MalformedHandlerName');
    assert.equal(
      error.errorMessage,
      "'../outside/index.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names.",
    );
  });

  it('Runtime.MalformedHandlerName when _HANDLER is not set', async () => {
    const { error } = await initError(undefined);
    assert.equal(error.errorType, 'Runtime.MalformedHandlerName');
    assert.match(error.errorMessage, /_HANDLER/);
  });

  it('logs the init error as an Uncaught Exception line with request id undefined', async () => {
    await initError('index.missing');
    const line = session!.runtime.lines().find((l) => l.includes('Uncaught Exception'));
    assert.ok(line, `no Uncaught Exception line in ${JSON.stringify(session!.runtime.lines())}`);
    const [timestamp, requestId, level, message] = line.split('\t');
    assert.match(timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual([requestId, level, message], ['undefined', 'ERROR', 'Uncaught Exception ']);
    const logged = JSON.parse(line.split('\t').slice(4).join('\t')) as Record<string, unknown>;
    assert.equal(logged.errorType, 'Runtime.HandlerNotFound');
    assert.equal(logged.errorMessage, 'index.missing is undefined or not exported');
    assert.ok(Array.isArray(logged.stack));
  });

  it('exits with a clear message when AWS_LAMBDA_RUNTIME_API is not host:port', async () => {
    session = await startSession('index.echo', { AWS_LAMBDA_RUNTIME_API: 'nonsense' });
    const { code } = await session.runtime.exited;
    assert.equal(code, 1);
    assert.match(session.runtime.stderr(), /AWS_LAMBDA_RUNTIME_API must be host:port, got "nonsense"/);
  });

  it('exits with a clear message when the Runtime API refuses connections', async () => {
    session = await startSession('index.echo', { AWS_LAMBDA_RUNTIME_API: '127.0.0.1:1' });
    const { code } = await session.runtime.exited;
    assert.equal(code, 1);
    assert.match(session.runtime.stderr(), /GET \/2018-06-01\/runtime\/invocation\/next failed: connect ECONNREFUSED 127\.0\.0\.1:1/);
  });
});
