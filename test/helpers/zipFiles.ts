import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yazl from 'yazl';

/** A fresh temporary directory per test, removed by cleanup(). */
export class TempDir {
  readonly path = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-sandbox-test-'));

  file(name: string, content: Buffer | string): string {
    const file = path.join(this.path, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return file;
  }

  join(...parts: string[]): string {
    return path.join(this.path, ...parts);
  }

  cleanup(): void {
    fs.rmSync(this.path, { recursive: true, force: true });
  }
}

/** One member of a well-formed zip built with yazl. */
export type ZipMember =
  | { name: string; data: Buffer | string; mode?: number; compress?: boolean }
  | { name: string; directory: true; mode?: number }
  | { name: string; symlinkTo: string };

/** A well-formed zip (yazl marks it as made on unix, so modes and links survive). */
export function buildZip(members: ZipMember[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const member of members) {
    if ('directory' in member) zip.addEmptyDirectory(member.name, { mode: 0o040000 | (member.mode ?? 0o755) });
    else if ('symlinkTo' in member) zip.addBuffer(Buffer.from(member.symlinkTo), member.name, { mode: 0o120777, compress: false });
    else zip.addBuffer(Buffer.from(member.data), member.name, { mode: 0o100000 | (member.mode ?? 0o644), compress: member.compress ?? true });
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** Every path under `root`, relative, sorted, with a type mark: "dir/", "link -> target", "file". */
export function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const rel = prefix + name;
      const stats = fs.lstatSync(full);
      if (stats.isSymbolicLink()) out.push(`${rel} -> ${fs.readlinkSync(full)}`);
      else if (stats.isDirectory()) {
        out.push(`${rel}/`);
        walk(full, `${rel}/`);
      } else out.push(rel);
    }
  };
  if (fs.existsSync(root)) walk(root, '');
  return out;
}
