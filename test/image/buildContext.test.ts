import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar-stream';
import { packBuildContext } from '../../src/host/buildContext';
import { DockerIgnore, DockerIgnoreSyntaxError } from '../../src/host/dockerignore';
import { REPO_ROOT } from '../helpers/paths';

// Pure logic and the file system only: these run with or without a Docker engine.
describe('image: .dockerignore rules (Docker\'s semantics)', () => {
  const ignores = (rules: string, file: string) => DockerIgnore.parse(rules).ignores(file);

  it('matches * and ? within one path segment only', () => {
    assert.equal(ignores('*.log', 'a.log'), true);
    assert.equal(ignores('*.log', 'dir/a.log'), false, '* is anchored at the context root');
    assert.equal(ignores('dir/*.log', 'dir/a.log'), true);
    assert.equal(ignores('dir/?.log', 'dir/ab.log'), false);
    assert.equal(ignores('*', 'dir/deeper/file'), true, 'a match on a parent directory covers its contents');
  });

  it('matches ** across any number of directories, including none', () => {
    assert.equal(ignores('**/*.log', 'a.log'), true);
    assert.equal(ignores('**/*.log', 'x/y/z/a.log'), true);
    assert.equal(ignores('x/**/a.log', 'x/a.log'), true);
    assert.equal(ignores('x/**', 'x/y/z'), true);
    assert.equal(ignores('x/**', 'xy/z'), false);
  });

  it('lets the last matching rule win, with ! re-including', () => {
    const rules = '*\n!src\nsrc/host\n!src/host/keep.ts';
    assert.equal(ignores(rules, 'README.md'), true);
    assert.equal(ignores(rules, 'src/main.ts'), false);
    assert.equal(ignores(rules, 'src/host/cli.ts'), true);
    assert.equal(ignores(rules, 'src/host/keep.ts'), false);
  });

  it('cleans patterns: leading and trailing slashes, ./ and .., comments and blank lines', () => {
    const rules = '# a comment\n\n  /build/  \n./out/../dist\n';
    assert.equal(ignores(rules, 'build/x'), true);
    assert.equal(ignores(rules, 'dist/y'), true);
    assert.equal(ignores(rules, 'out/z'), false);
    assert.equal(ignores(rules, '# a comment'), false);
  });

  it('supports character classes and escapes', () => {
    assert.equal(ignores('file[0-9].txt', 'file7.txt'), true);
    assert.equal(ignores('file[^0-9].txt', 'file7.txt'), false);
    assert.equal(ignores('file[^0-9].txt', 'fileA.txt'), true);
    assert.equal(ignores('star\\*.txt', 'star*.txt'), true);
    assert.equal(ignores('star\\*.txt', 'starX.txt'), false);
    assert.equal(ignores('a.b', 'aXb'), false, 'a dot is literal');
  });

  it('refuses a malformed pattern, naming the line', () => {
    assert.throws(() => DockerIgnore.parse('ok\nbad[class'), (error: unknown) =>
      error instanceof DockerIgnoreSyntaxError && /line 2: invalid pattern "bad\[class"/.test(error.message));
  });

  it('walks into an excluded directory only when a ! rule may re-include something inside', () => {
    const rules = DockerIgnore.parse('*\n!scripts/image');
    assert.equal(rules.mayIncludeInside('scripts'), true);
    assert.equal(rules.mayIncludeInside('.git'), false);
  });
});

describe('image: the build context packed in memory', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-sandbox-context-'));
    const write = (file: string, data: string, mode = 0o644) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), data, { mode });
      fs.chmodSync(path.join(dir, file), mode);
    };
    write('Dockerfile', 'FROM scratch\n');
    write('.dockerignore', '*\n!src\n!run.sh\nsrc/secret.txt\n');
    write('src/a.ts', 'a');
    write('src/secret.txt', 'secret');
    write('run.sh', '#!/bin/sh\n', 0o755);
    write('notes.md', 'left out');
    write('big/large.bin', 'x'.repeat(2 * 1024 * 1024)); // excluded, never read
    fs.symlinkSync('a.ts', path.join(dir, 'src', 'link.ts'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('holds exactly what .dockerignore lets through, plus the Dockerfile and .dockerignore, owned by root', async () => {
    const context = await packBuildContext(dir);
    const entries = new Map<string, tar.Header>();
    const contents = new Map<string, string>();
    const extract = tar.extract();
    extract.on('entry', (header, stream, next) => {
      entries.set(header.name, header);
      let text = '';
      stream.on('data', (chunk: unknown) => { text += (chunk as Buffer).toString(); });
      stream.on('end', () => { contents.set(header.name, text); next(); });
    });
    const extracted = new Promise<void>((resolve, reject) => { extract.on('finish', resolve); extract.on('error', reject); });
    context.stream.pipe(extract as unknown as NodeJS.WritableStream);
    const totals = await context.done;
    await extracted;

    assert.deepEqual([...entries.keys()].sort(), ['.dockerignore', 'Dockerfile', 'run.sh', 'src/', 'src/a.ts', 'src/link.ts']);
    assert.equal(totals.files, 4);
    assert.equal(entries.get('run.sh')?.mode, 0o755, 'modes are kept');
    assert.equal(entries.get('src/link.ts')?.type, 'symlink');
    assert.equal(entries.get('src/link.ts')?.linkname, 'a.ts');
    for (const header of entries.values()) assert.deepEqual([header.uid, header.gid], [0, 0]);
    assert.equal(contents.get('src/a.ts'), 'a');
  });

  it('sends the repository\'s own context without the client suites\' packages', async () => {
    const ignore = DockerIgnore.parse(fs.readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8'));
    assert.equal(ignore.ignores('src/main.ts'), false);
    assert.equal(ignore.ignores('src/host/container.ts'), false, 'serve runs in the image too');
    assert.equal(ignore.ignores('node_modules/typescript/package.json'), false);
    assert.equal(ignore.ignores('test/clients/node_modules/aws-lambda-ric-3/package.json'), true);
    assert.equal(ignore.ignores('test/image/sandbox.test.ts'), true);
    assert.equal(ignore.ignores('.git/HEAD'), true);
    assert.equal(ignore.ignores('dist/src/main.js'), true);
    assert.equal(ignore.ignores('dist/src/process/native/sandbox_native.node'), false);
  });
});
