import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/paths';

/**
 * README.md's code examples are files that tests run (examples/...). README includes each one verbatim after a
 * marker line `<!-- verbatim: examples/<file> -->`; this checks that what a reader copies is what is tested.
 */
const MARKER = /^<!-- verbatim: (\S+) -->\n```[a-z]*\n([\s\S]*?)^```$/gm;

describe('README: examples included verbatim', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const included = [...readme.matchAll(MARKER)].map((match) => ({ file: match[1], block: match[2] }));

  it('includes the host-library example', () => {
    assert.ok(included.some(({ file }) => file === 'examples/host-library.mjs'), 'no verbatim block for examples/host-library.mjs');
  });

  it('every included block is exactly its file', () => {
    for (const { file, block } of included) {
      assert.equal(block, fs.readFileSync(path.join(REPO_ROOT, file), 'utf8'), `README's copy of ${file} differs from the file`);
    }
  });

  it('every marker is followed by a code block', () => {
    const markers = readme.split('\n').filter((line) => line.startsWith('<!-- verbatim:')).length;
    assert.equal(included.length, markers);
  });
});
