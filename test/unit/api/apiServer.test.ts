import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ApiServer } from '../../../src/api/apiServer';
import type { Logger } from '../../../src/logger';
import { Router } from '../../../src/api/router';

const quiet: Logger = { log() {}, error() {}, warn() {}, info() {}, debug() {} };

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** A router answering GET /<word> with `answer to /<word>`, noting each path it answered in `seen`. */
function recordingRouter(seen: string[]): Router {
  return new Router((_req, res) => res.writeHead(404).end(), (_req, res) => res.writeHead(405).end())
    .on('GET', /^\/(\w+)$/, (req, res) => {
      seen.push(req.url ?? '');
      res.end(`answer to ${req.url}`);
    });
}

/** A listening ApiServer on a free loopback port for the length of `test`. */
async function withServer(test: (api: ApiServer, port: number) => Promise<void>): Promise<void> {
  const api = new ApiServer();
  await api.listen('127.0.0.1', 0, 'test API');
  try {
    await test(api, (api.server.address() as AddressInfo).port);
  } finally {
    api.close();
  }
}

describe('ApiServer: listening before it can answer', () => {
  it('holds the requests that come before its router, then answers each of them', () => withServer(async (api, port) => {
    const seen: string[] = [];
    const answers = [get(port, '/one'), get(port, '/two')];
    await new Promise((resolve) => setTimeout(resolve, 100));
    api.answerWith(recordingRouter(seen), quiet);
    assert.deepEqual((await Promise.all(answers)).map((a) => a.body), ['answer to /one', 'answer to /two']);
    assert.deepEqual([...seen].sort(), ['/one', '/two']);
    assert.equal((await get(port, '/three')).body, 'answer to /three', 'later requests go straight to the router');
  }));

  it('drops a waiting request whose client went away before the router came', () => withServer(async (api, port) => {
    const gone = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => gone.once('connect', resolve));
    gone.end('GET /gone HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await new Promise((resolve) => gone.once('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const seen: string[] = [];
    api.answerWith(recordingRouter(seen), quiet);
    assert.equal((await get(port, '/here')).body, 'answer to /here');
    assert.deepEqual(seen, ['/here']);
  }));

  it('says which API and address it could not listen on', () => withServer(async (_api, port) => {
    await assert.rejects(new ApiServer().listen('127.0.0.1', port, 'Runtime API'),
      { message: `cannot listen for the Runtime API on 127.0.0.1:${port}: EADDRINUSE` });
  }));

  it('answers 500 with a ServiceException body when a route throws', () => withServer(async (api, port) => {
    const router = new Router((_req, res) => res.writeHead(404).end(), (_req, res) => res.writeHead(405).end())
      .on('GET', /^\/boom$/, () => {
        throw new Error('boom');
      });
    api.answerWith(router, quiet);
    const answer = await get(port, '/boom');
    assert.equal(answer.status, 500);
    assert.deepEqual(JSON.parse(answer.body), { errorType: 'ServiceException', errorMessage: 'Internal error in the execution environment' });
  }));
});
