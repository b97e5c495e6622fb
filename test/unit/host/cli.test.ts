import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

/** The compiled CLI: <outDir>/src/host/cli/main.js (tests run from <outDir>/test/unit/host). */
const CLI = path.resolve(__dirname, '../../../src/host/cli/main.js');

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('host: the CLI without containers', function () {
  this.timeout(30_000);

  for (const command of ['run', 'invoke', 'cleanup']) {
    it(`${command} --help prints that command's usage and exits 0`, async () => {
      const result = await cli([command, '--help']);
      assert.deepEqual([result.code, result.stderr], [0, '']);
      assert.match(result.stdout, new RegExp(`^Usage: lambda-sandbox ${command} \\[options\\]\\n\\n  ${command}\\b`));
    });
  }

  it('run -- node --help passes --help to the runtime command, not to the CLI', async () => {
    const result = await cli(['run', '--port', 'x', '--', 'node', '--help']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--port x is not a port number/);
  });

  describe('list, against an engine with no sandbox containers', () => {
    let socketDir: string;
    let engine: http.Server;
    const requests: string[] = [];

    before(async () => {
      // A stand-in for the Docker engine's API on a unix socket: the two calls `list` makes, with no container.
      socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-sandbox-cli-'));
      engine = http.createServer((req, res) => {
        requests.push(`${req.method} ${req.url?.split('?')[0].replace(/^\/v[\d.]+/, '')}`);
        if (req.url?.endsWith('/_ping')) return res.end('OK');
        res.setHeader('Content-Type', 'application/json');
        res.end('[]');
      });
      await new Promise<void>((resolve) => engine.listen(path.join(socketDir, 'docker.sock'), resolve));
    });
    after(() => {
      engine?.close();
      fs.rmSync(socketDir, { recursive: true, force: true });
    });

    it('says there are none (stderr), and prints no rows (stdout)', async () => {
      const result = await cli(['list'], { ...process.env, DOCKER_HOST: `unix://${path.join(socketDir, 'docker.sock')}` });
      assert.deepEqual(result, {
        code: 0, stdout: '', stderr: 'lambda-sandbox: no sandbox containers (start one with `lambda-sandbox run`)\n',
      });
      assert.ok(requests.includes('GET /containers/json'), requests.join(', '));
    });
  });
});
