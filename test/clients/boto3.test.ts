import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../helpers/paths';
import { FUNCTION_NAME, startFunction } from './helpers/functionSandbox';

const run = promisify(execFile);
const SCRIPT = path.join(REPO_ROOT, 'test', 'clients', 'python', 'boto3_invoke.py');
/** Debian's python3-boto3 lives with /usr/bin/python3; a python3 on PATH may bring its own (newer) boto3. */
const PYTHONS = ['python3', '/usr/bin/python3'];

interface Python {
  command: string;
  boto3: string;
  streaming: boolean;
}

/** The Python with boto3 to use, preferring one whose botocore knows InvokeWithResponseStream. */
async function findBoto3(): Promise<Python> {
  const probe = 'import json, boto3; c = boto3.client("lambda", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"); ' +
    'print(json.dumps({"boto3": boto3.__version__, "streaming": hasattr(c, "invoke_with_response_stream")}))';
  const found: Python[] = [];
  const problems: string[] = [];
  for (const command of PYTHONS) {
    try {
      const { stdout } = await run(command, ['-c', probe], { timeout: 20_000 });
      found.push({ command, ...(JSON.parse(stdout) as { boto3: string; streaming: boolean }) });
    } catch (error) {
      problems.push(`${command}: ${String((error as { stderr?: string }).stderr || (error as Error).message).trim().split('\n').pop()}`);
    }
  }
  const best = found.find((p) => p.streaming) ?? found[0];
  if (!best) {
    throw new Error(`boto3 is not installed, so this client suite cannot run (apt-get install python3-boto3): ${problems.join('; ')}`);
  }
  return best;
}

type Invoked = { StatusCode: number; Payload: string; FunctionError?: string; ExecutedVersion?: string; LogResult?: string };

describe('client suite: boto3 against the sandbox', function () {
  let python: Python;
  let results: Record<string, unknown>;
  let stopAll: () => Promise<void>;

  before(async function () {
    python = await findBoto3();
    const [buffered, streaming] = await Promise.all([startFunction('clients.handler'), startFunction('streaming.piped')]);
    stopAll = async () => {
      await Promise.all([buffered.stop(), streaming.stop()]);
    };
    const { stdout } = await run(python.command, [SCRIPT, buffered.endpoint, FUNCTION_NAME, streaming.endpoint], { timeout: 60_000 });
    results = JSON.parse(stdout) as Record<string, unknown>;
    console.log(`      (boto3 ${python.boto3} from ${python.command})`);
  });
  after(async () => {
    await stopAll?.();
  });

  it('invoke RequestResponse returns the payload, 200 and the executed version', () => {
    const out = results.request_response as Invoked;
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, '$LATEST');
    assert.equal(out.FunctionError, undefined);
    assert.deepEqual(JSON.parse(out.Payload), { echo: { n: 1 } });
  });

  it('invoke Event answers 202, DryRun 204', () => {
    assert.equal((results.event as Invoked).StatusCode, 202);
    assert.equal((results.dry_run as Invoked).StatusCode, 204);
  });

  it('invoke with LogType Tail returns the log tail', () => {
    const tail = (results.tail as Invoked).LogResult ?? '';
    assert.match(tail, /START RequestId: \S+ Version: \$LATEST/);
    assert.match(tail, /\tINFO\thello from the function/);
  });

  it('invoke passes ClientContext through', () => {
    assert.deepEqual((JSON.parse((results.client_context as Invoked).Payload) as { clientContext: unknown }).clientContext, { custom: { tenant: 'acme' } });
  });

  it('a function error surfaces as FunctionError', () => {
    const out = results.function_error as Invoked;
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, 'Unhandled');
    assert.deepEqual(
      (({ errorType, errorMessage }) => ({ errorType, errorMessage }))(JSON.parse(out.Payload) as { errorType: string; errorMessage: string }),
      { errorType: 'CustomError', errorMessage: 'boto3 sees this' },
    );
  });

  it('a wrong function name raises ResourceNotFoundException', () => {
    const notFound = results.not_found as { raised: string | null; code: string; message: string; status: number };
    assert.equal(notFound.raised, 'ResourceNotFoundException');
    assert.equal(notFound.code, 'ResourceNotFoundException');
    assert.equal(notFound.status, 404);
    assert.match(notFound.message, /no-such-function/);
  });

  it('invoke_with_response_stream receives the chunks and InvokeComplete', function () {
    const stream = results.stream as { unsupported?: string; StatusCode: number; chunks: string[]; complete: Record<string, unknown> | null };
    if (stream.unsupported) {
      console.log(`      SKIPPED: boto3 ${python.boto3} (${python.command}): ${stream.unsupported}`);
      this.skip();
    }
    assert.equal(stream.StatusCode, 200);
    assert.equal(stream.chunks.join(''), 'abc');
    assert.ok(stream.complete, 'an InvokeComplete event ends the stream');
    assert.equal(stream.complete.ErrorCode, undefined);
  });
});
