import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateAliasCommand, CreateFunctionCommand, DeleteFunctionConcurrencyCommand, GetAccountSettingsCommand,
  GetFunctionCommand, GetLayerVersionCommand, GetProvisionedConcurrencyConfigCommand, InvokeCommand, LambdaClient,
  ListFunctionsCommand, PublishLayerVersionCommand, PublishVersionCommand, PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand, UpdateAliasCommand, UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { connectDocker } from '../../src/host/dockerEngine';
import { FUNCTION_LABEL, SERVE_LABEL } from '../../src/service/scheduler/labels';
import { requireDocker } from '../image/support/docker';
import { waitFor } from '../helpers/wait';
import { functionZip, greetingLayerZip } from './support/functions';
import { serviceTestImage } from './support/image';
import { ServeProcess } from './support/serveProcess';

const ROLE = 'arn:aws:iam::123456789012:role/lambda-sandbox-test';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** The Lambda API of one `serve`, driven by AWS's own SDK. One serve for the whole file keeps the suite short. */
describe('lambda-sandbox serve (AWS SDK for JavaScript v3, real containers)', function () {
  this.timeout(180_000);
  let image: string;
  let dataDir: string;
  let serve: ServeProcess;
  let lambda: LambdaClient;
  /** The serve's label value on its environments (from the first container it starts). */
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
    all: true, filters: { label: [`${FUNCTION_LABEL}=${functionName}`] },
  });

  before(async function () {
    this.timeout(600_000);
    await requireDocker(this);
    image = await serviceTestImage();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-sandbox-serve-'));
    await start();
  });

  after(async () => {
    await serve?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a function (Pending, then Active) and invokes it, with the log tail of its cold start', async () => {
    const created = await lambda.send(new CreateFunctionCommand({
      FunctionName: 'hello', Runtime: 'nodejs24.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: await functionZip('one') },
    }));
    assert.equal(created.State, 'Pending');
    assert.equal(created.StateReasonCode, 'Creating');
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'hello' });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'hello' }));
    assert.equal(got.Configuration?.State, 'Active');
    assert.equal(got.Configuration?.LastUpdateStatus, 'Successful');
    const zip = await fetch(got.Code?.Location ?? '');
    assert.deepEqual(Buffer.from(await zip.arrayBuffer()), await functionZip('one'));

    const answer = await invoke('hello', { name: 'x' }, { LogType: 'Tail' });
    assert.equal(answer.StatusCode, 200);
    assert.equal(answer.ExecutedVersion, '$LATEST');
    assert.equal(answer.body.label, 'one');
    assert.equal(answer.body.initializationType, 'on-demand');
    const tail = Buffer.from(answer.LogResult ?? '', 'base64').toString();
    assert.match(tail, /REPORT RequestId: \S+\tDuration: [\d.]+ ms\t.*Init Duration/);
    const containers = await containersOf('hello');
    assert.equal(containers.length, 1);
    serveId = containers[0].Labels[SERVE_LABEL] ?? '';
    assert.equal(serveId.length, 16);
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
    const put = await lambda.send(new PutProvisionedConcurrencyConfigCommand({
      FunctionName: 'hello', Qualifier: '1', ProvisionedConcurrentExecutions: 2,
    }));
    assert.equal(put.RequestedProvisionedConcurrentExecutions, 2);
    await waitFor('provisioned concurrency READY', async () => {
      const got = await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'hello', Qualifier: '1' }));
      return got.Status === 'READY' ? got : undefined;
    }, 60_000);
    const answer = await invoke('hello', {}, { Qualifier: '1', LogType: 'Tail' });
    assert.equal(answer.body.initializationType, 'provisioned-concurrency');
    assert.doesNotMatch(Buffer.from(answer.LogResult ?? '', 'base64').toString(), /Init Duration/);
  });

  it('answers GetAccountSettings with the service limits', async () => {
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    assert.equal(settings.AccountLimit?.ConcurrentExecutions, 10);
    assert.equal(settings.AccountLimit?.CodeSizeUnzipped, 262_144_000);
    assert.equal(settings.AccountUsage?.FunctionCount, 2);
  });

  it('stops every environment on SIGTERM and keeps the functions across a restart', async () => {
    assert.equal(await serve.stop(), 0);
    const left = await docker.listContainers({ all: true, filters: { label: [`${SERVE_LABEL}=${serveId}`] } });
    assert.deepEqual(left.map((c) => c.Names[0]), []);
    await start();
    const names = (await lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName);
    assert.deepEqual(names, ['burst', 'hello']);
    assert.equal((await invoke('burst', {})).body.label, 'burst v2');
    assert.equal((await invoke('hello', {}, { Qualifier: 'live' })).body.label, 'two');
  });
});
