// Collects the files a program needs at run time, and nothing else, during an image build:
//   <out>/package.json, <out>/<code dir>/** (minus excluded sub-directories),
//   <out>/node_modules/** (only the packages that code requires, with their dependency closure).
// The packages are found by reading the code's require() calls, so no list has to be kept in sync by hand and an
// excluded directory's dependencies stay out. Works offline.
//
// Usage: node collect-runtime.js <build dir with node_modules/> <code dir, relative> <out dir> [--exclude <dir>]...
//   the image:          collect-runtime.js /build dist/src /out
// Plain JavaScript because it runs inside image builds, before anything of ours is compiled there.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { isBuiltin } = require('node:module');

const args = process.argv.slice(2);
const excluded = [];
for (let i = args.indexOf('--exclude'); i !== -1; i = args.indexOf('--exclude')) excluded.push(...args.splice(i, 2).slice(1));
if (args.length !== 3 || excluded.some((e) => e === undefined)) {
  console.error('usage: node collect-runtime.js <build dir> <code dir> <out dir> [--exclude <dir>]...');
  process.exit(2);
}
const buildDir = path.resolve(args[0]);
const codeDir = path.join(buildDir, args[1]);
const outDir = path.resolve(args[2]);
const excludedDirs = excluded.map((dir) => path.join(buildDir, dir));
if (!fs.existsSync(codeDir) || !fs.statSync(codeDir).isDirectory()) {
  console.error(`collect-runtime: ${codeDir} is not a directory: did the build step before this one run?`);
  process.exit(1);
}
const isExcluded = (file) => excludedDirs.some((dir) => file === dir || file.startsWith(dir + path.sep));

function* jsFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* jsFiles(full);
    }
    else if (/\.(c|m)?js$/.test(entry.name)) yield full;
  }
}

/** "winston/lib/x" → "winston", "@scope/pkg/x" → "@scope/pkg"; relative paths and builtins → undefined. */
function packageName(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Node's lookup: <from>/node_modules/<name>, then each parent directory's node_modules, up to buildDir. */
function resolvePackage(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === buildDir || dir === path.dirname(dir)) return undefined;
  }
}

const copied = new Set();
function copyPackage(name, fromDir, requiredBy, optional) {
  const dir = resolvePackage(name, fromDir);
  if (dir === undefined) {
    if (optional) return;
    console.error(`collect-runtime: package "${name}" (required by ${requiredBy}) is not installed in ${buildDir}`);
    process.exit(1);
  }
  if (copied.has(dir)) return;
  copied.add(dir);
  const target = path.join(outDir, path.relative(buildDir, dir));
  fs.cpSync(dir, target, {
    recursive: true,
    filter: (source) => source === dir || !path.relative(dir, source).split(path.sep).includes('node_modules'),
  });
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys(manifest.dependencies || {})) copyPackage(dep, dir, name, false);
  for (const dep of Object.keys(manifest.optionalDependencies || {})) copyPackage(dep, dir, name, true);
}

fs.rmSync(outDir, { recursive: true, force: true });
const codeOut = path.join(outDir, args[1]);
fs.cpSync(codeDir, codeOut, { recursive: true, filter: (source) => !isExcluded(source) });

const requireCall = /\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g;
for (const file of jsFiles(codeOut)) {
  for (const match of fs.readFileSync(file, 'utf8').matchAll(requireCall)) {
    const name = packageName(match[1]);
    if (name !== undefined) copyPackage(name, buildDir, path.relative(outDir, file), false);
  }
}

const root = JSON.parse(fs.readFileSync(path.join(buildDir, 'package.json'), 'utf8'));
const manifest = { name: root.name, version: root.version, license: root.license, private: true, type: root.type };
fs.writeFileSync(path.join(outDir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
const names = [...copied].map((dir) => path.relative(path.join(buildDir, 'node_modules'), dir)).sort();
console.log(`collect-runtime: ${names.length} packages for ${args[1]}: ${names.join(', ') || '(none)'}`);
