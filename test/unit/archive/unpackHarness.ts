import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { unpackAll, UnpackError, type UnpackRequest } from '../../../src/archive/unpack';
import { TempDir } from '../../helpers/zipFiles';

/** A temp dir with task/ and opt/ targets and zips written next to them. */
export class UnpackTargets extends TempDir {
  readonly taskRoot = this.join('task');
  readonly optDir = this.join('opt');

  zip(name: string, content: Buffer): string {
    return this.file(`zips/${name}`, content);
  }

  taskRootExists(): boolean {
    return fs.existsSync(this.taskRoot);
  }

  request(functionZip: string | undefined, layers: string[] = []): UnpackRequest {
    return { functionZip, layers, taskRoot: this.taskRoot, optDir: this.optDir };
  }
}

/** Runs an unpack that must fail and returns its UnpackError. */
export async function expectUnpackError(request: UnpackRequest): Promise<UnpackError> {
  try {
    await unpackAll(request);
  } catch (err) {
    assert.ok(err instanceof UnpackError, `expected an UnpackError, got ${String(err)}`);
    return err;
  }
  return assert.fail('expected the unpack to fail');
}
