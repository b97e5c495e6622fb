/** What one zip contributed. */
export interface UnpackedZip {
  role: 'function' | 'layer';
  /** 1-based layer position; 0 for the function zip. */
  index: number;
  file: string;
  target: string;
  files: number;
  directories: number;
  symlinks: number;
  /** Uncompressed bytes written (equal to the declared sizes: anything else is refused). */
  bytes: number;
  /** Files or links of earlier zips (or already in the target) that this zip replaced. */
  replaced: number;
}

export interface UnpackReport {
  /** Uncompressed bytes of all zips together (what the 250 MB quota counts). */
  totalBytes: number;
  files: number;
  directories: number;
  symlinks: number;
  durationMs: number;
  /** In extraction order: the function zip first, then the layers in the order given. */
  zips: UnpackedZip[];
  /** Things that did not stop the unpack but someone may want to know (e.g. a replaced file we could not delete). */
  warnings: string[];
}
