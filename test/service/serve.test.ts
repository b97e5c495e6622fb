import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  CreateAliasCommand, CreateFunctionCommand, DeleteFunctionConcurrencyCommand, GetAccountSettingsCommand,
  GetFunctionCommand, GetLayerVersionCommand, GetProvisionedConcurrencyConfigCommand, InvokeCommand, LambdaClient,
  ListFunctionsCommand, PublishLayerVersionCommand, PublishVersionCommand, PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand, UpdateAliasCommand, UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { connectDocker } from '../../src/host/dockerEngine';
import { ENVIRONMENT_LABEL, FUNCTION_LABEL, SERVE_LABEL } from '../../src/service/scheduler/labels';
import { requireDocker } from '../image/support/docker';
import { writeZeroFileZip } from '../image/support/zips';
import { REPO_ROOT } from '../helpers/paths';
import { buildRawZip } from '../helpers/zipBuilder';
import { waitFor } from '../helpers/wait';
import { functionZip, greetingLayerZip } from './support/functions';
import { serviceTestImage } from './support/image';
import { ServeProcess } from './support/serveProcess';

const run = promisify(execFile);
/** AWS CLI v2 as Debian packages it (.ci/run installs it). */
const AWS_CLI = '/usr/bin/aws';
const ROLE = 'arn:aws:iam::123456789012:role/lambda-sandbox-test';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** The Lambda API of one `serve`, driven by AWS's own SDK. One serve for the whole file keeps the suite short. */
describe('lambda-sandbox serve (AWS SDK for JavaScript v3, real containers)', function () {
  this.timeout(180_000);
  let image: string;
  let dataDir: string;
  let serve: ServeProcess;
  let lambda: LambdaClient;
  /** The serve's label value on its environments. */
  let serveId = '';
  /** No SDK retries: a 429 must reach the test as it was sent. */
  let once: LambdaClient;
  const docker = connectDocker();

  const connect = () => {
    lambda = new LambdaClient({ endpoint: serve.url, region: 'us-east-1', credentials });
    once = new LambdaClient({ endpoint: serve.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  };
  const start = async () => {
    serve = await ServeProcess.start({
      image, dataDir, extraArgs: ['--keep-alive', '60s', '--max-concurrency', '10', '--async-retry-delay', '300ms'],
    });
    connect();
  };
  const invoke = async (name: string, payload: unknown, extra: { Qualifier?: string; LogType?: 'Tail' } = {}) => {
    const answer = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload), ...extra }));
    return { ...answer, body: JSON.parse(Buffer.from(answer.Payload ?? []).toString()) as Record<string, unknown> };
  };
  const create = async (name: string, label: string, extra: Record<string, unknown> = {}) => {
    await lambda.send(new CreateFunctionCommand({
      FunctionName: name, Runtime: 'nodejs24.x', Handler: 'index.handler', Role: ROLE,
      Code: { ZipFile: await functionZip(label) }, Timeout: 30, ...extra,
    }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
  };
  const containersOf = async (functionName: string) => docker.listContainers({
    all: true, filters: { label: [`${FUNCTION_LABEL}=${functionName}`, `${SERVE_LABEL}=${serveId}`] },
  });

  before(async function () {
    this.timeout(600_000);
    await requireDocker(this);
    image = await serviceTestImage();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-sandbox-serve-'));
    await start();
    serveId = fs.readFileSync(path.join(dataDir, 'serve-id'), 'utf8').trim();
  });

  after(async () => {
    await serve?.stop();
    // Whatever a failed case left behind (a crashed serve's environments): only this serve's, by its label.
    const left = serveId ? await docker.listContainers({ all: true, filters: { label: [`${SERVE_LABEL}=${serveId}`] } }) : [];
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a function (Pending, then Active) and invokes it, with the log tail of its cold start', async () => {
    const code = await functionZip('one');
    const created = await lambda.send(new CreateFunctionCommand({
      FunctionName: 'hello', Runtime: 'nodejs24.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: code },
    }));
    assert.equal(created.State, 'Pending');
    assert.equal(created.StateReasonCode, 'Creating');
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'hello' });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'hello' }));
    assert.equal(got.Configuration?.State, 'Active');
    assert.equal(got.Configuration?.LastUpdateStatus, 'Successful');
    const zip = await fetch(got.Code?.Location ?? '');
    assert.deepEqual(Buffer.from(await zip.arrayBuffer()), Buffer.from(code));

    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'hello', InvocationType: 'DryRun' }));
    assert.equal(dry.StatusCode, 204);
    assert.equal((await containersOf('hello')).length, 0, 'DryRun runs nothing');
    const answer = await invoke('hello', { name: 'x' }, { LogType: 'Tail' });
    assert.equal(answer.StatusCode, 200);
    assert.equal(answer.ExecutedVersion, '$LATEST');
    assert.equal(answer.body.label, 'one');
    const tail = Buffer.from(answer.LogResult ?? '', 'base64').toString();
    assert.match(tail, /REPORT RequestId: \S+\tDuration: [\d.]+ ms\t.*Init Duration/);
    const containers = await containersOf('hello');
    assert.equal(containers.length, 1);
    assert.equal(containers[0].Labels[SERVE_LABEL], serveId);
  });

  it('runs 6 concurrent 1.5 s invokes on at least 5 environments; a second burst reuses them without a new Init', async () => {
    await create('burst', 'burst');
    const burst = async () => {
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 6 }, async () => {
        const answer = await invoke('burst', { sleepMs: 1500 });
        return { environment: String(answer.body.environment), finished: Date.now() - started };
      }));
      return { environments: new Set(answers.map((a) => a.environment)), finished: answers.map((a) => a.finished) };
    };
    const cold = await burst();
    assert.ok(cold.environments.size >= 5, `6 concurrent invokes ran on only ${cold.environments.size} environments`);
    const initsAfterCold = serve.initialisedEnvironments('burst').size;
    assert.ok(initsAfterCold >= 5);

    const warm = await burst();
    // One after another, six 1.5 s invokes take 9 s; together they all end within about one invoke.
    assert.ok(Math.max(...warm.finished) < 4_000, `the warm burst took ${Math.max(...warm.finished)} ms: not concurrent`);
    assert.ok([...warm.environments].every((e) => cold.environments.has(e)), 'the warm burst started new environments');
    assert.equal(serve.initialisedEnvironments('burst').size, initsAfterCold, 'a warm environment ran Init again');
  });

  it('throttles beyond reserved concurrency with 429 TooManyRequestsException and its Reason', async () => {
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'burst', ReservedConcurrentExecutions: 1 }));
    const results = await Promise.allSettled([0, 1, 2].map(() =>
      once.send(new InvokeCommand({ FunctionName: 'burst', Payload: JSON.stringify({ sleepMs: 1000 }) }))));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(refused.length, 2);
    for (const { reason } of refused) {
      assert.equal(reason.name, 'TooManyRequestsException');
      assert.equal(reason.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
      assert.equal(reason.$metadata.httpStatusCode, 429);
      assert.equal(reason.message, 'Rate Exceeded.');
    }
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'burst' }));
    const metrics = await (await fetch(`${serve.url}/metrics`)).text();
    assert.match(metrics, /lambda_throttles_total\{function_name="burst"\} 2/);
    assert.match(metrics, /lambda_invocations_total\{function_name="burst",executed_version="\$LATEST"\} 13/);
    assert.match(metrics, /lambda_environments\{function_name="burst",state="warm"\} [5-6]/);
  });

  it('sends the next invoke to the updated code and configuration and drains the old environments', async () => {
    const before = new Set((await containersOf('burst')).map((c) => c.Id));
    assert.ok(before.size >= 5);
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'burst', Environment: { Variables: { GREETING: 'hi' } } }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'burst' });
    const configured = await invoke('burst', {});
    assert.equal(configured.body.greeting, 'hi');
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'burst', ZipFile: await functionZip('burst v2') }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'burst' });
    const coded = await invoke('burst', {});
    assert.equal(coded.body.label, 'burst v2');
    assert.equal(coded.body.greeting, 'hi');
    const now = await waitFor('the old environments to be removed', async () => {
      const ids = (await containersOf('burst')).map((c) => c.Id);
      return ids.some((id) => before.has(id)) ? undefined : ids;
    }, 30_000);
    assert.equal(now.length, 1);
  });

  it('applies layers given by ARN, in order', async () => {
    const layer = await lambda.send(new PublishLayerVersionCommand({
      LayerName: 'greeting', Content: { ZipFile: await greetingLayerZip('from layer 1') }, CompatibleRuntimes: ['nodejs24.x'],
    }));
    assert.equal(layer.Version, 1);
    const got = await lambda.send(new GetLayerVersionCommand({ LayerName: 'greeting', VersionNumber: 1 }));
    assert.equal(got.LayerVersionArn, layer.LayerVersionArn);
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'hello', Layers: [layer.LayerVersionArn!] }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'hello' });
    assert.equal((await invoke('hello', {})).body.layer, 'from layer 1');
  });

  it('routes versions and aliases', async () => {
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'hello' }));
    assert.equal(v1.Version, '1');
    assert.match(v1.FunctionArn ?? '', /:function:hello:1$/);
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'hello', ZipFile: await functionZip('two') }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'hello' });
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'hello' }));
    assert.equal(v2.Version, '2');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'hello', Name: 'live', FunctionVersion: '1' }));

    const viaAlias = await invoke('hello', {}, { Qualifier: 'live' });
    assert.equal(viaAlias.body.label, 'one');
    assert.equal(viaAlias.ExecutedVersion, '1');
    const viaName = await invoke('hello:2', {});
    assert.equal(viaName.body.label, 'two');
    assert.equal(viaName.ExecutedVersion, '2');
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'hello', Name: 'live', FunctionVersion: '2' }));
    assert.equal((await invoke('hello', {}, { Qualifier: 'live' })).body.label, 'two');
    await assert.rejects(invoke('hello', {}, { Qualifier: '7' }), { name: 'ResourceNotFoundException' });
  });

  it('retries a failing Event invocation twice', async () => {
    const marker = `event-${Date.now()}`;
    const answer = await lambda.send(new InvokeCommand({
      FunctionName: 'hello', InvocationType: 'Event', Payload: JSON.stringify({ log: marker, fail: 'event' }),
    }));
    assert.equal(answer.StatusCode, 202);
    const attempts = () => serve.environmentLines('hello').filter((l) => l.line.includes(marker)).length;
    await waitFor('three attempts', async () => (attempts() >= 3 ? true : undefined), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(attempts(), 3);
  });

  it('keeps provisioned environments initialised before the first invoke', async () => {
    const versionOneInits = () => new Set(serve.environmentLines('hello').filter((l) => l.version === '1' && l.line.startsWith('INIT_START'))
      .map((l) => l.environment)).size;
    const before = versionOneInits();
    const put = await lambda.send(new PutProvisionedConcurrencyConfigCommand({
      FunctionName: 'hello', Qualifier: '1', ProvisionedConcurrentExecutions: 2,
    }));
    assert.equal(put.RequestedProvisionedConcurrentExecutions, 2);
    await waitFor('provisioned concurrency READY', async () => {
      const got = await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'hello', Qualifier: '1' }));
      return got.Status === 'READY' ? got : undefined;
    }, 60_000);
    assert.equal(versionOneInits(), before + 2, 'two environments ran Init before any invoke');
    const prewarmed = new Set(serve.environmentLines('hello').filter((l) => l.version === '1' && l.line.startsWith('INIT_START'))
      .map((l) => l.environment));
    const answer = await invoke('hello', {}, { Qualifier: '1', LogType: 'Tail' });
    const requestId = /START RequestId: (\S+)/.exec(Buffer.from(answer.LogResult ?? '', 'base64').toString())?.[1];
    const ranOn = serve.environmentLines('hello').find((l) => l.line.startsWith(`START RequestId: ${requestId}`))?.environment;
    assert.ok(ranOn !== undefined && prewarmed.has(ranOn), 'the invoke ran on an environment initialised before it');
  });

  it('answers Runtime.ExitError when an environment dies mid-invoke, and runs the next invoke on a new one', async () => {
    const starts = () => serve.environmentLines('burst').filter((l) => l.line.startsWith('START RequestId'));
    const before = starts().length;
    const pending = invoke('burst', { sleepMs: 8000 });
    const victim = await waitFor('the invoke to start', async () => (starts().length > before ? starts()[before].environment : undefined), 30_000);
    const container = (await containersOf('burst')).find((c) => c.Labels[ENVIRONMENT_LABEL]?.startsWith(victim));
    assert.ok(container, 'the environment\'s container');
    await docker.getContainer(container.Id).kill();
    const answer = await pending;
    assert.equal(answer.FunctionError, 'Unhandled');
    assert.equal(answer.body.errorType, 'Runtime.ExitError');
    assert.equal((await invoke('burst', {})).body.label, 'burst v2');
    const now = (await containersOf('burst')).map((c) => c.Id);
    assert.ok(!now.includes(container.Id), 'the dead environment is removed');
  });

  it('answers GetAccountSettings with the service limits', async () => {
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    assert.equal(settings.AccountLimit?.ConcurrentExecutions, 10);
    assert.equal(settings.AccountLimit?.CodeSizeUnzipped, 262_144_000);
    assert.equal(settings.AccountUsage?.FunctionCount, 2);
  });

  it('answers bad requests with Lambda\'s errors, before any environment sees them', async () => {
    const base = { Runtime: 'nodejs24.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: await functionZip('bad') } } as const;
    const refused = async (input: Record<string, unknown>, name: string, message: RegExp, status: number) => {
      await assert.rejects(once.send(new CreateFunctionCommand({ FunctionName: 'bad', ...base, ...input })), (error: Error & { $metadata: { httpStatusCode: number } }) => {
        assert.equal(error.name, name, error.message);
        assert.match(error.message, message);
        assert.equal(error.$metadata.httpStatusCode, status);
        return true;
      });
    };
    await refused({ FunctionName: 'bad name!' }, 'ValidationException', /at 'functionName' failed to satisfy constraint/, 400);
    await refused({ Runtime: 'python3.12' }, 'InvalidParameterValueException', /python3\.12 is not supported.*nodejs24\.x.*provided\.al2023/, 400);
    await refused({ Handler: 'has space' }, 'ValidationException', /at 'handler' failed to satisfy constraint/, 400);
    await refused({ Timeout: 901 }, 'ValidationException', /Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900/, 400);
    await refused({ MemorySize: 64 }, 'ValidationException', /Member must have value greater than or equal to 128/, 400);
    await refused({ EphemeralStorage: { Size: 20000 } }, 'ValidationException', /ephemeralStorage\.size/, 400);
    await refused({ Environment: { Variables: { AWS_REGION: 'x' } } }, 'InvalidParameterValueException', /Reserved keys used in this request: AWS_REGION/, 400);
    await refused({ Code: { ZipFile: buildRawZip([{ name: '../evil.js', data: 'x' }]) } }, 'InvalidParameterValueException',
      /^Could not unzip uploaded file\. Please check your file, then try to upload again\. \(.*evil/, 400);
    await refused({ Code: { ZipFile: Buffer.from('not a zip') } }, 'InvalidParameterValueException', /^Could not unzip uploaded file/, 400);
    await refused({ Code: { ZipFile: crypto.randomBytes(52_700_000) } }, 'RequestEntityTooLargeException',
      /^Request must be smaller than 70167211 bytes for the CreateFunction operation$/, 413);
    const huge = await writeZeroFileZip(path.join(dataDir, '..', `${path.basename(dataDir)}-huge.zip`), 'zeros.bin', 262_144_000);
    try {
      const hugeZip = fs.readFileSync(huge);
      await refused({ Code: { ZipFile: hugeZip } }, 'InvalidParameterValueException', /^Unzipped size must be smaller than 262144000 bytes$/, 400);
      const layer = await lambda.send(new PublishLayerVersionCommand({ LayerName: 'huge', Content: { ZipFile: hugeZip } }));
      await assert.rejects(once.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'hello', Layers: [layer.LayerVersionArn!] })), {
        name: 'InvalidParameterValueException',
        message: /^Function code combined with layers exceeds the maximum allowed size of 262144000 bytes\. The actual size is 2621\d{5} bytes\.$/,
      });
    } finally {
      fs.rmSync(huge, { force: true });
    }
    await assert.rejects(once.send(new GetFunctionCommand({ FunctionName: 'nope' })), {
      name: 'ResourceNotFoundException', message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope',
    });
    await assert.rejects(once.send(new CreateFunctionCommand({ FunctionName: 'hello', ...base })), { name: 'ResourceConflictException' });
    await assert.rejects(once.send(new InvokeCommand({ FunctionName: 'hello', InvocationType: 'Event', Payload: Buffer.from('{oops') })),
      { name: 'InvalidRequestContentException', message: /^Could not parse request body into json/ });
    await assert.rejects(once.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'hello', Qualifier: '$LATEST', ProvisionedConcurrentExecutions: 1 })),
      { name: 'InvalidParameterValueException' });
    assert.deepEqual((await containersOf('bad')).length, 0);
  });

  it('works with boto3 (create, waiter, invoke with Tail, response streaming, lists, errors)', async function () {
    const { stdout } = await run('python3', [path.join(REPO_ROOT, 'test', 'service', 'python', 'boto3_serve.py'), serve.url], { timeout: 120_000 });
    const results = JSON.parse(stdout);
    assert.equal(results.created_state, 'Pending');
    assert.equal(results.active_state, 'Active');
    assert.deepEqual(results.invoke, { status: 200, payload: { echo: { n: 1 }, from: 'boto3' }, executed_version: '$LATEST', has_log: true });
    // Debian's older boto3 predates InvokeWithResponseStream; a current one (pip) must stream.
    if (results.stream !== null || Number(String(results.boto3).split('.')[1]) >= 28) {
      assert.deepEqual(results.stream, { payload: { echo: { n: 2 }, from: 'boto3' }, complete: true });
    }
    assert.deepEqual(results.functions, ['burst', 'hello', 'py-client']);
    assert.deepEqual(results.page, { count: 1, has_marker: true });
    assert.deepEqual(results.errors.missing, {
      code: 'ResourceNotFoundException', status: 404,
      message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:no-such-function',
    });
    assert.deepEqual(results.errors.duplicate, { code: 'ResourceConflictException', status: 409 });
    assert.equal(results.errors.timeout.code, 'ValidationException');
  });

  it('works with the AWS CLI v2', async function () {
    if (!fs.existsSync(AWS_CLI)) this.skip();
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
    const { stdout: got } = await run(AWS_CLI, ['lambda', 'get-function-configuration', '--endpoint-url', serve.url, '--function-name', 'hello',
      '--qualifier', 'live', '--output', 'json'], { env, timeout: 60_000 });
    assert.equal(JSON.parse(got).Version, '2');
    const out = path.join(dataDir, '..', `${path.basename(dataDir)}-cli.json`);
    const { stdout: invoked } = await run(AWS_CLI, ['lambda', 'invoke', '--endpoint-url', serve.url, '--function-name', 'hello',
      '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"n":3}', '--output', 'json', out], { env, timeout: 60_000 });
    assert.equal(JSON.parse(invoked).StatusCode, 200);
    assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).label, 'two');
    fs.rmSync(out, { force: true });
  });

  it('lists functions with `lambda-sandbox functions` and exposes Prometheus metrics', async () => {
    const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'dist', 'src', 'host', 'cli', 'main.js'), 'functions', '--endpoint', serve.url]);
    const rows = stdout.trim().split('\n').map((line) => line.split(/\s+/));
    assert.deepEqual(rows[0], ['NAME', 'RUNTIME', 'STATE', 'LAST', 'UPDATE', 'VERSIONS', 'RESERVED', 'WARM', 'BUSY']);
    const hello = rows.find((row) => row[0] === 'hello');
    assert.deepEqual(hello?.slice(0, 5), ['hello', 'nodejs24.x', 'Active', 'Successful', '1,2']);
    assert.ok(Number(hello?.[6]) >= 2, 'the provisioned environments are warm');
    const metrics = await (await fetch(`${serve.url}/metrics`)).text();
    assert.match(metrics, /# TYPE lambda_invocations_total counter/);
    assert.match(metrics, /lambda_errors_total\{function_name="hello",executed_version="\$LATEST"\} 3/);
    assert.match(metrics, /lambda_cold_starts_total\{function_name="hello",executed_version="1",initialization_type="provisioned-concurrency"\} 2/);
    assert.match(metrics, /lambda_duration_milliseconds_count\{function_name="hello"/);
    assert.match(metrics, /lambda_concurrent_executions\{function_name="hello"\} 0/);
  });

  it('stops every environment on SIGTERM and keeps the functions across a restart', async () => {
    assert.equal(await serve.stop(), 0);
    const left = await docker.listContainers({ all: true, filters: { label: [`${SERVE_LABEL}=${serveId}`] } });
    assert.deepEqual(left.map((c) => c.Names[0]), []);
    await start();
    const names = (await lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName);
    assert.deepEqual(names, ['burst', 'hello', 'py-client']);
    assert.equal((await invoke('burst', {})).body.label, 'burst v2');
    assert.equal((await invoke('hello', {}, { Qualifier: 'live' })).body.label, 'two');
  });

  it('removes at start what a crashed serve left behind', async () => {
    await serve.crash();
    const left = (await docker.listContainers({ all: true, filters: { label: [`${SERVE_LABEL}=${serveId}`] } })).map((c) => c.Id);
    assert.ok(left.length >= 2, 'the crash left the environments running');
    await start();
    const after = (await docker.listContainers({ all: true, filters: { label: [`${SERVE_LABEL}=${serveId}`] } })).map((c) => c.Id);
    assert.deepEqual(after.filter((id) => left.includes(id)), []);
  });
});
