import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/paths';
import { writeZip } from './zips';

const FIXTURES = path.join(REPO_ROOT, 'test', 'image', 'fixtures');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

/** A fresh scratch directory for one suite's zips. */
export function scratchDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lambda-sandbox-image-${label}-`));
}

/** The function zip: only an executable `bootstrap`, the probe runtime. */
export function probeFunctionZip(dir: string): Promise<string> {
  return writeZip(path.join(dir, 'function.zip'), { bootstrap: { data: fixture('probe-bootstrap.js'), mode: 0o755 } });
}

/** Two layers: both have shared.txt (the second must win), each has a file of its own. */
export async function twoLayerZips(dir: string): Promise<[string, string]> {
  return [
    await writeZip(path.join(dir, 'layer-one.zip'), {
      'shared.txt': { data: 'from layer one' },
      'first-only.txt': { data: 'only in layer one' },
    }),
    await writeZip(path.join(dir, 'layer-two.zip'), {
      'shared.txt': { data: 'from layer two' },
      'second-only.txt': { data: 'only in layer two' },
    }),
  ];
}

/** A layer with the shutdown-probe external extension. */
export function shutdownProbeLayerZip(dir: string): Promise<string> {
  return writeZip(path.join(dir, 'shutdown-probe-layer.zip'), {
    'extensions/shutdown-probe': { data: fixture('shutdown-probe.js'), mode: 0o755 },
  });
}
