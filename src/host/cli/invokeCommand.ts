import * as fs from 'node:fs';
import type Docker from 'dockerode';
import { INVOKE_PATH, invokeFunction } from '../invoke';
import { findRunningSandbox } from './findSandbox';
import { UsageError } from './usageError';

export interface InvokeArgs {
  url?: string;
  sandbox?: string;
  payload?: string;
  payloadFile?: string;
  tail: boolean;
  type?: 'RequestResponse' | 'Event' | 'DryRun';
}

/**
 * Invokes a sandbox (the URL given, the container named, or the only one running) and prints the response body
 * on stdout; the function error and the log tail go to stderr. Exit code 1 when the function or the call failed.
 */
export async function invokeCommand(docker: Docker, args: InvokeArgs): Promise<number> {
  const url = await resolveUrl(docker, args);
  const payload = await readPayload(args);
  const result = await invokeFunction(url, payload, { tail: args.tail, invocationType: args.type });
  if (result.logTail !== undefined) process.stderr.write(result.logTail.endsWith('\n') ? result.logTail : `${result.logTail}\n`);
  const body = result.body.toString('utf8');
  if (body !== '') process.stdout.write(body.endsWith('\n') ? body : `${body}\n`);
  if (result.functionError !== undefined) {
    process.stderr.write(`lambda-sandbox: function error (${result.functionError}), HTTP ${result.statusCode}\n`);
    return 1;
  }
  if (result.statusCode >= 300) {
    process.stderr.write(`lambda-sandbox: HTTP ${result.statusCode}\n`);
    return 1;
  }
  if (result.statusCode === 202) {
    process.stderr.write('lambda-sandbox: accepted (202): the function runs asynchronously; its output goes to the log (lambda-sandbox logs)\n');
  } else if (result.statusCode === 204) {
    process.stderr.write('lambda-sandbox: dry run (204): the request is valid and the function may be invoked; nothing ran\n');
  }
  return 0;
}

async function resolveUrl(docker: Docker, args: InvokeArgs): Promise<string> {
  if (args.url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(args.url);
    } catch {
      throw new UsageError(`--url ${args.url} is not a URL`);
    }
    return parsed.pathname === '/' ? `${parsed.origin}${INVOKE_PATH}` : parsed.toString();
  }
  const sandbox = await findRunningSandbox(docker, args.sandbox);
  if (sandbox.hostPort === undefined) throw new UsageError(`${sandbox.name} publishes no port; give --url`);
  const host = !sandbox.hostIp || sandbox.hostIp === '0.0.0.0' || sandbox.hostIp === '::' ? '127.0.0.1' : sandbox.hostIp;
  return `http://${host}:${sandbox.hostPort}${INVOKE_PATH}`;
}

async function readPayload(args: InvokeArgs): Promise<string> {
  if (args.payload !== undefined && args.payloadFile !== undefined) throw new UsageError('give a payload or --payload-file, not both');
  if (args.payloadFile === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  if (args.payloadFile !== undefined) {
    try {
      return await fs.promises.readFile(args.payloadFile, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --payload-file ${args.payloadFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  return args.payload ?? '{}';
}
