import * as assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config';

const base = { LAMBDA_TASK_ROOT: '/var/task' };

describe('Config', () => {
  it('gives Lambda\'s defaults', () => {
    const c = loadConfig({}, []);
    assert.equal(c.functionName, 'test_function');
    assert.equal(c.memorySizeMb, 128);
    assert.equal(c.timeoutSeconds, 3);
    assert.equal(c.functionVersion, '$LATEST');
    assert.equal(c.functionArn, 'arn:aws:lambda:us-east-1:123456789012:function:test_function');
    assert.equal(c.logGroupName, '/aws/lambda/test_function');
    assert.deepEqual([c.taskRoot, c.optDir, c.tmpDir, c.runtimeDir], ['/var/task', '/opt', '/tmp', '/var/runtime']);
    assert.deepEqual([c.invokeHost, c.invokePort, c.apiHost, c.apiPort], ['0.0.0.0', 8080, '127.0.0.1', 9001]);
    assert.equal(c.initTimeoutMs, 10_000);
  });

  it('takes the initialization type the service gives a provisioned environment, and refuses others', () => {
    assert.equal(loadConfig({}, []).initializationType, 'on-demand');
    assert.equal(loadConfig({ AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' }, []).initializationType, 'provisioned-concurrency');
    assert.throws(() => loadConfig({ AWS_LAMBDA_INITIALIZATION_TYPE: 'warm' }, []), ConfigError);
  });

  for (const [name, value, message] of [
    ['AWS_LAMBDA_FUNCTION_TIMEOUT', '0', 'invalid AWS_LAMBDA_FUNCTION_TIMEOUT: 0 s is outside the allowed range 1 s to 900 s'],
    ['AWS_LAMBDA_FUNCTION_TIMEOUT', '901', 'invalid AWS_LAMBDA_FUNCTION_TIMEOUT: 901 s is outside the allowed range 1 s to 900 s'],
    ['AWS_LAMBDA_FUNCTION_TIMEOUT', 'ten', 'invalid AWS_LAMBDA_FUNCTION_TIMEOUT: "ten" is not a whole number'],
    ['AWS_LAMBDA_FUNCTION_MEMORY_SIZE', '64', 'invalid AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 64 MB is outside the allowed range 128 MB to 10240 MB'],
    ['AWS_LAMBDA_FUNCTION_MEMORY_SIZE', '1.5', 'invalid AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1.5" is not a whole number'],
    ['LAMBDA_SANDBOX_INVOKE_PORT', '70000', 'invalid LAMBDA_SANDBOX_INVOKE_PORT: 70000 is outside the allowed range 1 to 65535'],
    ['LAMBDA_SANDBOX_API_ADDRESS', 'localhost', 'invalid LAMBDA_SANDBOX_API_ADDRESS: "localhost" is not host:port'],
    ['LAMBDA_TASK_ROOT', 'relative/dir', 'invalid LAMBDA_TASK_ROOT: "relative/dir" is not an absolute path'],
    ['AWS_LAMBDA_FUNCTION_NAME', 'has space', 'invalid AWS_LAMBDA_FUNCTION_NAME: "has space" must be 1 to 64 letters, digits, \'-\' or \'_\''],
    ['AWS_REGION', 'mars', 'invalid AWS_REGION: "mars" is not a region name'],
    ['AWS_LAMBDA_LOG_FORMAT', 'XML', 'invalid AWS_LAMBDA_LOG_FORMAT: "XML" is not one of Text, JSON'],
    ['LAMBDA_SANDBOX_LAYERS', '/a.zip:/b.zip:/c.zip:/d.zip:/e.zip:/f.zip', 'invalid LAMBDA_SANDBOX_LAYERS: Cannot reference more than 5 layers. (6 given)'],
  ] as const) {
    it(`refuses ${name}=${value}`, () => {
      assert.throws(() => loadConfig({ ...base, [name]: value }, []), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.variable, name);
        assert.equal(error.message, message);
        return true;
      });
    });
  }

  it('reads the runtime command and handler from the arguments as RIE does', () => {
    assert.deepEqual(pick(loadConfig({}, ['index.handler'])), { command: [], handler: 'index.handler' });
    assert.deepEqual(pick(loadConfig({}, ['/usr/bin/npx', 'aws-lambda-ric', 'index.handler'])),
      { command: ['/usr/bin/npx', 'aws-lambda-ric', 'index.handler'], handler: 'index.handler' });
    assert.deepEqual(pick(loadConfig({}, ['/var/task/run.sh'])), { command: ['/var/task/run.sh'], handler: undefined });
    assert.deepEqual(pick(loadConfig({ _HANDLER: 'app.main' }, ['index.handler'])), { command: [], handler: 'app.main' });
  });

  it('keeps the init\'s own variables out of the function\'s environment', () => {
    const c = loadConfig({ LAMBDA_SANDBOX_INVOKE_PORT: '9000', MINE: 'x' }, []);
    assert.equal(c.userEnv.MINE, 'x');
    assert.equal(c.userEnv.LAMBDA_SANDBOX_INVOKE_PORT, undefined);
  });
});

function pick(c: { command: string[]; handler: string | undefined }) {
  return { command: c.command, handler: c.handler };
}

describe('Config for Lambda 2025–2026 features', () => {
  it('reads AWS_LAMBDA_MAX_CONCURRENCY: 1 by default, Managed Instances above, refusing anything but a positive integer', () => {
    assert.equal(loadConfig({}, []).maxConcurrency, 1);
    const mi = loadConfig({ AWS_LAMBDA_MAX_CONCURRENCY: '8', AWS_LAMBDA_LOG_FORMAT: 'Text' }, []);
    assert.equal(mi.maxConcurrency, 8);
    assert.equal(mi.logFormat, 'JSON', 'Managed Instances log JSON');
    assert.equal(mi.userEnv.AWS_LAMBDA_MAX_CONCURRENCY, '8', 'passed on to the runtime');
    for (const [value, message] of [
      ['0', 'invalid AWS_LAMBDA_MAX_CONCURRENCY: 0 is outside the allowed range 1 to 10000'],
      ['-2', 'invalid AWS_LAMBDA_MAX_CONCURRENCY: "-2" is not a whole number'],
      ['four', 'invalid AWS_LAMBDA_MAX_CONCURRENCY: "four" is not a whole number'],
      ['2.5', 'invalid AWS_LAMBDA_MAX_CONCURRENCY: "2.5" is not a whole number'],
    ]) {
      assert.throws(() => loadConfig({ AWS_LAMBDA_MAX_CONCURRENCY: value }, []), { message });
    }
  });

  it('gives Managed Instances an init limit of max(130 s, the function timeout) unless set', () => {
    assert.equal(loadConfig({ AWS_LAMBDA_MAX_CONCURRENCY: '2' }, []).initTimeoutMs, 130_000);
    assert.equal(loadConfig({ AWS_LAMBDA_MAX_CONCURRENCY: '2', AWS_LAMBDA_FUNCTION_TIMEOUT: '600' }, []).initTimeoutMs, 600_000);
    assert.equal(loadConfig({ AWS_LAMBDA_MAX_CONCURRENCY: '2', LAMBDA_SANDBOX_INIT_TIMEOUT_MS: '5000' }, []).initTimeoutMs, 5_000);
    assert.equal(loadConfig({ AWS_LAMBDA_FUNCTION_TIMEOUT: '600' }, []).initTimeoutMs, 10_000);
  });

  it('reads LAMBDA_SANDBOX_TENANT_ISOLATION and LAMBDA_SANDBOX_STREAM_BANDWIDTH_BPS', () => {
    assert.equal(loadConfig({}, []).tenantIsolation, 'NONE');
    assert.equal(loadConfig({ LAMBDA_SANDBOX_TENANT_ISOLATION: 'per_tenant' }, []).tenantIsolation, 'PER_TENANT');
    assert.throws(() => loadConfig({ LAMBDA_SANDBOX_TENANT_ISOLATION: 'SHARED' }, []),
      { message: 'invalid LAMBDA_SANDBOX_TENANT_ISOLATION: "SHARED" is not one of NONE, PER_TENANT' });
    assert.equal(loadConfig({}, []).streamBandwidthBps, 2 * 1024 * 1024);
    assert.equal(loadConfig({ LAMBDA_SANDBOX_STREAM_BANDWIDTH_BPS: '33554432' }, []).streamBandwidthBps, 33_554_432);
    assert.throws(() => loadConfig({ LAMBDA_SANDBOX_STREAM_BANDWIDTH_BPS: '10' }, []),
      { message: 'invalid LAMBDA_SANDBOX_STREAM_BANDWIDTH_BPS: 10 bytes/s is outside the allowed range 1024 bytes/s to 10000000000 bytes/s' });
    assert.equal(loadConfig({ LAMBDA_SANDBOX_TENANT_ISOLATION: 'PER_TENANT' }, []).userEnv.LAMBDA_SANDBOX_TENANT_ISOLATION, undefined);
  });
});
