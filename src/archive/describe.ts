import type { UnpackReport, UnpackedZip } from './report';

/** One log line about an unpack, e.g. "unpacked 2 zips (1,204 files, 3 links, 48.2 MB) in 310 ms: ...". */
export function describeUnpack(report: UnpackReport): string {
  if (report.zips.length === 0) return 'nothing to unpack (no function zip, no layers)';
  const zips = report.zips.length === 1 ? '1 zip' : `${report.zips.length} zips`;
  return `unpacked ${zips} (${contents(report)}) in ${Math.round(report.durationMs)} ms: ` +
    report.zips.map(describeZip).join('; ');
}

function describeZip(zip: UnpackedZip): string {
  const name = zip.role === 'function' ? 'function' : `layer ${zip.index}`;
  const replaced = zip.replaced > 0 ? `, replaced ${count(zip.replaced, 'file')}` : '';
  return `${name} ${zip.file} -> ${zip.target} (${contents(zip)}${replaced})`;
}

function contents(c: { files: number; symlinks: number; directories?: number; totalBytes?: number; bytes?: number }): string {
  const parts = [count(c.files, 'file')];
  if (c.symlinks > 0) parts.push(count(c.symlinks, 'link'));
  parts.push(megabytes(c.totalBytes ?? c.bytes ?? 0));
  return parts.join(', ');
}

function count(n: number, noun: string): string {
  return `${String(n).replace(/\B(?=(\d{3})+$)/g, ',')} ${noun}${n === 1 ? '' : 's'}`;
}

function megabytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
