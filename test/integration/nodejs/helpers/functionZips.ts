import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES } from '../../../helpers/paths';
import { buildZip, type TempDir, type ZipMember } from '../../../helpers/zipFiles';

export const FUNCTIONS_DIR = path.join(FIXTURES, 'nodejs', 'functions');

/** Every file under `dir` as zip members named `prefix` + relative path. */
export function membersOf(dir: string, prefix = ''): ZipMember[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry): ZipMember[] => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return membersOf(full, `${prefix}${entry.name}/`);
    return [{ name: prefix + entry.name, data: fs.readFileSync(full) }];
  });
}

/** The Node.js fixture functions as a function zip, and a layer zip holding the `layer-greeting` package. */
export async function writeFunctionZips(temp: TempDir): Promise<{ functionZip: string; layerZip: string }> {
  const functionZip = temp.file('function.zip', await buildZip(membersOf(FUNCTIONS_DIR)));
  const layerZip = temp.file(
    'layer.zip',
    await buildZip(membersOf(path.join(FIXTURES, 'nodejs', 'layer-greeting'), 'nodejs/node_modules/layer-greeting/')),
  );
  return { functionZip, layerZip };
}
