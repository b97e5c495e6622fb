import * as path from 'node:path';

/** A path (relative to its watched directory) whose changes never reload the code. */
export type IgnoreRule = (relativePath: string) => boolean;

/** Version-control folders, and the scratch files editors write beside the file being saved. */
export const ignoreEditorAndVcsFiles: IgnoreRule = (relativePath) => {
  const parts = relativePath.split(path.sep);
  if (parts.some((part) => part === '.git' || part === '.hg' || part === '.svn')) return true;
  const name = parts[parts.length - 1];
  // vim: .name.swp/.swx, its 4913 write probe, backup~; emacs: .#lock and #autosave#; JetBrains: name___jb_tmp___.
  return /\.sw[a-p]$|\.swx$|~$|^4913$|^\.#|^#.*#$|___jb_(tmp|old)___$/.test(name);
};
