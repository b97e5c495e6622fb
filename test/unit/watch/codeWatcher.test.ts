import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { watchCode, type CodeChange, type CodeWatcher, type CodeWatchOptions } from '../../../src/watch/codeWatcher';

const DEBOUNCE_MS = 60;

/** watchCode on real temporary directories, with what it reported. */
class Watched {
  readonly calls: { files: string[]; changes: CodeChange[] }[] = [];
  readonly lines: string[] = [];
  private waiters: (() => void)[] = [];
  readonly watcher: CodeWatcher;

  constructor(dirs: string[], extra: Partial<CodeWatchOptions> = {}) {
    this.watcher = watchCode({
      dirs,
      debounceMs: DEBOUNCE_MS,
      onChange: (files, changes) => {
        this.calls.push({ files, changes });
        for (const waiter of this.waiters.splice(0)) waiter();
      },
      log: (line) => this.lines.push(line),
      ...extra,
    });
  }

  /** The next onChange call's files. */
  async next(): Promise<string[]> {
    const seen = this.calls.length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no change reported; log: ${this.lines.join(' | ')}`)), 5000);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.calls[seen].files;
  }

  /** Resolves after a while in which nothing was reported (fails if something was). */
  async quiet(): Promise<void> {
    const seen = this.calls.length;
    await new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS * 5));
    assert.deepEqual(this.calls.slice(seen), [], 'nothing reported');
  }
}

describe('watchCode: hot reload file watcher', () => {
  let root: string;
  let watched: Watched | undefined;
  const dir = (...parts: string[]) => path.join(root, ...parts);
  const write = (file: string, text = 'x') => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'code-watcher-'));
    write(dir('task', 'index.js'));
    write(dir('task', 'lib', 'deep', 'util.js'));
    fs.mkdirSync(dir('opt'));
  });
  afterEach(() => {
    watched?.watcher.close();
    watched = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reports a burst of changes once, as paths relative to the watched directory', async () => {
    watched = new Watched([dir('task')]);
    assert.deepEqual(watched.watcher.watching, [dir('task')]);
    assert.deepEqual(watched.lines, [`watching ${dir('task')} for changes (3 directories, inotify)`]);
    const next = watched.next();
    write(dir('task', 'index.js'), 'a');
    write(dir('task', 'index.js'), 'b');
    write(dir('task', 'lib', 'deep', 'util.js'), 'c');
    assert.deepEqual(await next, ['index.js', path.join('lib', 'deep', 'util.js')]);
    await watched.quiet();
  });

  it('follows new directories, with the files written into them before they were watched', async () => {
    watched = new Watched([dir('task')]);
    const next = watched.next();
    write(dir('task', 'new', 'inner', 'handler.js'));
    assert.deepEqual(await next, [path.join('new', 'inner', 'handler.js')]);
    const later = watched.next();
    write(dir('task', 'new', 'inner', 'second.js'));
    assert.deepEqual(await later, [path.join('new', 'inner', 'second.js')], 'the new directory is watched itself');
  });

  it('reports removed files and directories moved in from elsewhere', async () => {
    watched = new Watched([dir('task')]);
    const removed = watched.next();
    fs.rmSync(dir('task', 'index.js'));
    assert.deepEqual(await removed, ['index.js']);
    write(dir('outside', 'pkg', 'main.js'));
    const moved = watched.next();
    fs.renameSync(dir('outside', 'pkg'), dir('task', 'pkg'));
    assert.deepEqual(await moved, [path.join('pkg', 'main.js')]);
  });

  it('watches several directories and says which one each change is in', async () => {
    watched = new Watched([dir('task'), dir('opt')]);
    const next = watched.next();
    write(dir('opt', 'nodejs', 'node_modules', 'layer', 'index.js'));
    write(dir('task', 'index.js'), 'changed');
    await next;
    assert.deepEqual(watched.calls[0].changes, [
      { dir: dir('task'), file: 'index.js' },
      { dir: dir('opt'), file: path.join('nodejs', 'node_modules', 'layer', 'index.js') },
    ]);
  });

  it('ignores version control folders and editor scratch files', async () => {
    watched = new Watched([dir('task')]);
    write(dir('task', '.git', 'index'));
    write(dir('task', '.index.js.swp'));
    write(dir('task', '4913'));
    write(dir('task', 'index.js~'));
    await watched.quiet();
    const next = watched.next();
    write(dir('task', 'index.js'), 'saved');
    assert.deepEqual(await next, ['index.js']);
  });

  it('says so when a directory does not exist, and watches the others', async () => {
    watched = new Watched([dir('missing'), dir('task')]);
    assert.deepEqual(watched.watcher.watching, [dir('task')]);
    assert.equal(watched.lines[0], `cannot watch ${dir('missing')}: it does not exist`);
    const next = watched.next();
    write(dir('task', 'index.js'), 'still watched');
    assert.deepEqual(await next, ['index.js']);
  });

  it('says which inotify limit to raise when the kernel refuses a watch, and keeps what it could watch', async () => {
    const refuse = (code: string) => Object.assign(new Error(`${code}: refused`), { code });
    // The kernel's refusal as fs.watch throws it; everything else is the real fs.watch.
    watched = new Watched([dir('task')], {
      watchDirectory: (target, listener) => {
        if (target === dir('task', 'lib', 'deep')) throw refuse('ENOSPC');
        return fs.watch(target, (event, name) => listener(event, name === null ? null : String(name)));
      },
    });
    assert.match(watched.lines[0], /^cannot watch .*deep: the host's inotify watch limit is reached \(fs\.inotify\.max_user_watches\)/);
    assert.match(watched.lines[0], /\(2 directories under .* are watched; changes elsewhere in it are missed\)$/);
    const next = watched.next();
    write(dir('task', 'lib', 'other.js'));
    assert.deepEqual(await next, [path.join('lib', 'other.js')]);

    const instances = new Watched([dir('opt')], {
      watchDirectory: () => {
        throw refuse('EMFILE');
      },
    });
    assert.deepEqual(instances.watcher.watching, []);
    assert.match(instances.lines[0], /^cannot watch .*opt: too many inotify instances or open files \(fs\.inotify\.max_user_instances/);
  });

  it('reports nothing after close()', async () => {
    watched = new Watched([dir('task')]);
    write(dir('task', 'index.js'), 'pending');
    watched.watcher.close();
    await watched.quiet();
  });
});
