// Which tests mocha runs. `npm test`: every suite. `npm run test:unit` (etc.): TEST_SUITES=unit, a comma-separated
// list of the names below. `npx mocha dist/test/unit/config.test.js`: only the files named — mocha would otherwise
// add the paths on its command line to `spec` below instead of running them alone.
'use strict';
const fs = require('node:fs');

const SUITES = {
  unit: 'dist/test/unit/**/*.test.js',
  integration: 'dist/test/integration/**/*.test.js',
  clients: 'dist/test/clients/**/*.test.js',
  image: 'dist/test/image/**/*.test.js',
  service: 'dist/test/service/**/*.test.js',
};

function chosenSuites() {
  const named = (process.env.TEST_SUITES || Object.keys(SUITES).join(',')).split(',').map((name) => name.trim());
  const unknown = named.filter((name) => !(name in SUITES));
  if (unknown.length > 0) {
    throw new Error(`TEST_SUITES: unknown suite ${unknown.join(', ')} (known: ${Object.keys(SUITES).join(', ')})`);
  }
  return named.map((name) => SUITES[name]);
}

/** Test files or folders given on mocha's command line (existing paths that are not an option's value). */
const givenOnCommandLine = process.argv.slice(2).some((arg, i, args) =>
  !arg.startsWith('-') && !/^(-g|--grep|-f|--fgrep|--timeout|-t|--reporter|-R)$/.test(args[i - 1] ?? '') && fs.existsSync(arg));

module.exports = {
  spec: givenOnCommandLine ? [] : chosenSuites(),
  timeout: 30000,
  exit: true,
};
