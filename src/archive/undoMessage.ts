import type { UndoResult } from './createdPaths';

const MAX_LEFTOVERS_SHOWN = 5;

/** The sentence appended to a failure's message: what the cleanup removed, restored, and could not remove. */
export function describeUndo(undo: UndoResult): string {
  const { file, directory, symlink } = undo.removed;
  if (file + directory + symlink === 0 && undo.restored === 0 && undo.leftovers.length === 0) {
    return ' Nothing had been written.';
  }
  const parts = [plural(file, 'file'), plural(directory, 'directory', 'directories'), plural(symlink, 'link')]
    .filter((part) => part !== '');
  const all = undo.leftovers.length === 0 ? 'everything' : 'part of what';
  let text = parts.length > 0 ? ` Removed ${all} this unpack had written (${parts.join(', ')})` : ' Removed nothing';
  if (undo.restored > 0) text += ` and put back ${plural(undo.restored, 'pre-existing file')} it had replaced`;
  text += '.';
  if (undo.leftovers.length > 0) {
    const shown = undo.leftovers.slice(0, MAX_LEFTOVERS_SHOWN).join(', ');
    const more = undo.leftovers.length > MAX_LEFTOVERS_SHOWN ? ` and ${undo.leftovers.length - MAX_LEFTOVERS_SHOWN} more` : '';
    text += ` Could not clean up everything; still there: ${shown}${more}.`;
  }
  return text;
}

function plural(n: number, one: string, many = `${one}s`): string {
  if (n === 0) return '';
  return `${n} ${n === 1 ? one : many}`;
}
