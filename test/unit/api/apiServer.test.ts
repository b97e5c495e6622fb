import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ApiServer } from '../../../src/api/apiServer';
import type { Logger } from '../../../src/logger';
import { Router } from '../../../src/api/router';

const quiet: Logger = { log() {}, error() {}, warn() {}, info() {}, debug() {} };

function newRouter(): Router {
  return new Router((_req, res) => res.writeHead(404).end(), (_req, res) => res.writeHead(405).end());
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('ApiServer: listening before it can answer', () => {
  it('holds the requests that come before its router, then answers them in the order they came', async () => {
    const api = new ApiServer();
    await api.listen('127.0.0.1', 0, 'test API');
    const { port } = api.server.address() as AddressInfo;
    try {
      const seen: string[] = [];
      const answers = [get(port, '/one'), get(port, '/two')];
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(seen.length, 0, 'nothing is answered without a router');
      const router = newRouter();
      router.on('GET', /^\/(\w+)$/, (req, res) => {
        seen.push(req.url ?? '');
        res.end(`answer to ${req.url}`);
      });
      api.answerWith(router, quiet);
      assert.deepEqual((await Promise.all(answers)).map((a) => a.body), ['answer to /one', 'answer to /two']);
      assert.deepEqual(seen.sort(), ['/one', '/two']);
      assert.equal((await get(port, '/three')).body, 'answer to /three', 'later requests go straight to the router');
    } finally {
      api.close();
    }
  });

  it('drops a waiting request whose client went away before the router came', async () => {
    const api = new ApiServer();
    await api.listen('127.0.0.1', 0, 'test API');
    const { port } = api.server.address() as AddressInfo;
    try {
      const gone = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => gone.once('connect', resolve));
      gone.end('GET /gone HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await new Promise((resolve) => gone.once('close', resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const seen: string[] = [];
      const router = newRouter();
      router.on('GET', /^\/(\w+)$/, (req, res) => {
        seen.push(req.url ?? '');
        res.end('ok');
      });
      api.answerWith(router, quiet);
      assert.equal((await get(port, '/here')).body, 'ok');
      assert.deepEqual(seen, ['/here']);
    } finally {
      api.close();
    }
  });

  it('says which API and address it could not listen on', async () => {
    const first = new ApiServer();
    await first.listen('127.0.0.1', 0, 'first API');
    const { port } = first.server.address() as AddressInfo;
    try {
      await assert.rejects(new ApiServer().listen('127.0.0.1', port, 'Runtime API'),
        { message: `cannot listen for the Runtime API on 127.0.0.1:${port}: EADDRINUSE` });
    } finally {
      first.close();
    }
  });

  it('answers 500 with a ServiceException body when a route throws', async () => {
    const api = new ApiServer();
    await api.listen('127.0.0.1', 0, 'test API');
    const { port } = api.server.address() as AddressInfo;
    try {
      const router = newRouter();
      router.on('GET', /^\/boom$/, () => {
        throw new Error('boom');
      });
      api.answerWith(router, quiet);
      const answer = await get(port, '/boom');
      assert.equal(answer.status, 500);
      assert.deepEqual(JSON.parse(answer.body), { errorType: 'ServiceException', errorMessage: 'Internal error in the execution environment' });
    } finally {
      api.close();
    }
  });
});
