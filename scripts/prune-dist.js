// Removes compiled files from dist/ whose TypeScript source is gone (renamed or deleted), so that a test or a
// module removed from the sources is not still run from an old build. `npm run build` runs it before tsc.
// Plain JavaScript: it runs before anything is compiled.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const COMPILED = /(\.d\.ts|\.js)(\.map)?$/;

function prune(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(full);
      if (fs.readdirSync(full).length === 0) fs.rmdirSync(full);
      continue;
    }
    const compiled = COMPILED.exec(entry.name);
    if (!compiled) continue; // e.g. the native addon built next to its loader
    const stem = path.join(root, path.relative(dist, full)).slice(0, -compiled[0].length);
    if (!['.ts', '.mts', '.cts'].some((ext) => fs.existsSync(stem + ext))) fs.rmSync(full);
  }
}

if (fs.existsSync(dist)) prune(dist);
