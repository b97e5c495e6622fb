import { MAX_NAME_COMPONENT_BYTES } from './limits';

/** A zip entry name turned into a safe relative path, or the reason it cannot be one. */
export type EntryPath =
  | { ok: true; path: string; endsWithSlash: boolean }
  | { ok: false; problem: string };

/**
 * Normalises an entry name to "a/b/c" (no empty or "." components) and refuses anything that could leave the
 * target directory: absolute names, drive letters, ".." components (with either separator), backslashes, NUL.
 * An empty path ("./") is the target directory itself.
 */
export function toEntryPath(name: string): EntryPath {
  if (name.length === 0) return { ok: false, problem: 'has an empty name' };
  if (name.includes('\0')) return { ok: false, problem: 'has a NUL character in its name' };
  if (name.startsWith('/') || name.startsWith('\\')) {
    return { ok: false, problem: 'has an absolute path; entry names must be relative to the root of the zip' };
  }
  if (/^[A-Za-z]:/.test(name)) {
    return { ok: false, problem: 'has a Windows drive path; entry names must be relative to the root of the zip' };
  }
  if (name.split(/[\\/]/).includes('..')) {
    return { ok: false, problem: 'has a ".." path component, which could place it outside the target directory' };
  }
  if (name.includes('\\')) {
    return {
      ok: false,
      problem: 'contains a backslash; zip entry names must separate folders with "/" ' +
        '(some Windows tools, such as older PowerShell Compress-Archive, write "\\" instead)',
    };
  }
  const components = name.split('/').filter((c) => c !== '' && c !== '.');
  for (const component of components) {
    if (Buffer.byteLength(component) > MAX_NAME_COMPONENT_BYTES) {
      return { ok: false, problem: `has a path component longer than ${MAX_NAME_COMPONENT_BYTES} bytes` };
    }
  }
  const joined = components.join('/');
  // Usually the name itself: keep that one string (100,000 entries hold 100,000 fewer).
  return { ok: true, path: joined === name ? name : joined, endsWithSlash: name.endsWith('/') };
}

/** "a/b/c" → "a/b"; "a" → "" (the target directory). */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}
