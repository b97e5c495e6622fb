import { createWriteStream, promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { ECHO_RUNTIME } from './paths';

/** A function zip for the cold-start cases, and how the init runs it. */
export interface FunctionZip {
  label: string;
  file: string;
  /** _HANDLER for the built-in Node.js runtime; none for a custom runtime (a `bootstrap` in the zip). */
  handler?: string;
}

const ECHO_HANDLER = "'use strict';\n// Echoes the event: the same bytes come back as the custom runtime's.\nexports.handler = async (event) => event;\n";

async function writeZip(file: string, add: (zip: ZipFile) => void): Promise<void> {
  const zip = new ZipFile();
  add(zip);
  const written = pipeline(zip.outputStream, createWriteStream(file));
  zip.end();
  await written;
}

/** The two function zips, written into `dir`: an echo handler for the Node.js runtime, and the echo runtime as bootstrap. */
export async function functionZips(dir: string): Promise<FunctionZip[]> {
  await fs.mkdir(dir, { recursive: true });
  const nodejs = path.join(dir, 'nodejs-echo.zip');
  const custom = path.join(dir, 'custom-echo.zip');
  await writeZip(nodejs, (zip) => zip.addBuffer(Buffer.from(ECHO_HANDLER), 'index.js', { mode: 0o100644 }));
  await writeZip(custom, (zip) => zip.addBuffer(readFileSync(ECHO_RUNTIME), 'bootstrap', { mode: 0o100755 }));
  return [
    { label: 'zip, Node.js runtime', file: nodejs, handler: 'index.handler' },
    { label: 'zip, custom runtime', file: custom },
  ];
}
