// Entry point of the lambda-sandbox image: `ENTRYPOINT ["node", ..., "/usr/local/lib/lambda-sandbox/entrypoint.js"]`
// in exec form, so the init is PID 1 from its first instruction (no shell in between) and this file's first
// statement already holds SIGTERM/SIGINT for the init's shutdown handler (a `docker stop` at once after
// `docker run` is not lost). Then it turns the image's file conventions into the init's settings and runs the
// init in this same process:
//
//   /var/task                      function code as a directory (bind mount or copied in)
//   /var/sandbox/function.zip      function code as a zip, unpacked into /var/task at start
//   /var/sandbox/layers/*.zip      layer zips, applied to /opt in the order of their file names
//
// An explicit LAMBDA_SANDBOX_FUNCTION_ZIP or LAMBDA_SANDBOX_LAYERS wins over these conventions. (The init itself,
// as PID 1, adds sandbox.localdomain to /etc/hosts and runs the function as LAMBDA_SANDBOX_RUN_AS.)
//
// `serve` as the first argument runs the host CLI's `serve` command instead of the init.
// Plain JavaScript: it runs in the image next to the compiled code (dist/).
'use strict';
require('./dist/src/earlySignals').installEarlySignalQueue();

const fs = require('node:fs');
const path = require('node:path');

const SANDBOX_DIR = '/var/sandbox';

function fail(message) {
  process.stderr.write(`lambda-sandbox: ${message}\n`);
  process.exit(1);
}

function applyFileConventions(env) {
  const functionZip = path.join(SANDBOX_DIR, 'function.zip');
  if (!env.LAMBDA_SANDBOX_FUNCTION_ZIP && isFile(functionZip)) env.LAMBDA_SANDBOX_FUNCTION_ZIP = functionZip;
  if (!env.LAMBDA_SANDBOX_LAYERS) {
    const dir = path.join(SANDBOX_DIR, 'layers');
    // Sorted by code unit, as the shell sorts a glob in the C locale: 1-a.zip, 2-b.zip, ...
    const layers = (fs.existsSync(dir) ? fs.readdirSync(dir) : [])
      .filter((name) => name.endsWith('.zip')).sort()
      .map((name) => path.join(dir, name)).filter(isFile);
    const withColon = layers.find((layer) => layer.includes(':'));
    if (withColon !== undefined) fail(`layer file name must not contain ':': ${withColon}`);
    if (layers.length > 0) env.LAMBDA_SANDBOX_LAYERS = layers.join(':');
  }
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

// LAMBDA_SANDBOX_SERVE=1 means `serve` where no command can be given (a CI service container).
if (process.env.LAMBDA_SANDBOX_SERVE === '1' && process.argv.length === 2) process.argv.push('serve');
if (process.argv[2] === 'serve') {
  const cli = path.join(__dirname, 'dist/src/host/cli/main.js');
  if (!fs.existsSync(cli)) fail(`this image has no host CLI (${cli}), so it cannot run serve`);
  // In a container serve listens on all its interfaces (for -p) and keeps functions where a volume can go;
  // options given after `serve` win.
  process.argv.splice(3, 0, '--host', '0.0.0.0', '--data-dir', '/var/lib/lambda-sandbox');
  require(cli); // reads process.argv.slice(2): serve and its options
} else {
  applyFileConventions(process.env);
  require('./dist/src/main.js'); // reads process.argv.slice(2): the handler or runtime command, RIE style
}
