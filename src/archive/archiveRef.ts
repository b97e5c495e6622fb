/** One zip of an unpack run and where it goes. */
export interface ArchiveRef {
  role: 'function' | 'layer';
  /** 1-based position among the layers; 0 for the function zip. */
  index: number;
  /** Absolute path of the zip file. */
  file: string;
  /** Directory it is extracted into. */
  target: string;
}

/** How messages name a zip: "function zip /code/fn.zip", "layer 2 /layers/b.zip". */
export function archiveLabel(archive: ArchiveRef): string {
  return archive.role === 'function' ? `function zip ${archive.file}` : `layer ${archive.index} ${archive.file}`;
}
