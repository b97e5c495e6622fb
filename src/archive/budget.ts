import { archiveLabel } from './archiveRef';
import {
  combinedTooLargeText, exceedsUnzippedQuota, FUNCTION_TOO_LARGE_TEXT, MAX_LAYERS, TOO_MANY_LAYERS_TEXT,
} from './limits';
import { UnpackError } from './unpackError';
import type { ZipSource } from './zipSource';

/** Sum of the uncompressed sizes the central directory declares. */
export function declaredSize(source: ZipSource): number {
  let total = 0;
  for (const entry of source.entries) total += entry.uncompressedSize;
  return total;
}

export function checkLayerCount(layers: readonly string[]): void {
  if (layers.length <= MAX_LAYERS) return;
  throw new UnpackError('too-many-layers', layers[MAX_LAYERS],
    `${TOO_MANY_LAYERS_TEXT} ${layers.length} layer zips were given: ${layers.join(', ')}.`);
}

/**
 * The 250 MB quota, from the central directories, before anything is written. One rule (exceedsUnzippedQuota) for
 * the function alone and for function plus layers; each case keeps the service's own message.
 */
export function checkBudget(sources: readonly ZipSource[]): number {
  const sizes = sources.map((source) => ({ source, bytes: declaredSize(source) }));
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  const fn = sizes.find((s) => s.source.archive.role === 'function');
  const hasLayers = sizes.some((s) => s.source.archive.role === 'layer');

  if (fn !== undefined && exceedsUnzippedQuota(fn.bytes)) {
    throw new UnpackError('too-large', fn.source.archive.file,
      `${FUNCTION_TOO_LARGE_TEXT} (${archiveLabel(fn.source.archive)} unzips to ${fn.bytes} bytes).`);
  }
  if (hasLayers && exceedsUnzippedQuota(total)) {
    let running = 0;
    const culprit = sizes.find((s) => exceedsUnzippedQuota(running += s.bytes)) ?? sizes[sizes.length - 1];
    const parts = sizes.map((s) => `${archiveLabel(s.source.archive)}: ${s.bytes} bytes`).join('; ');
    throw new UnpackError('too-large', culprit.source.archive.file,
      `${combinedTooLargeText(total)} Unzipped sizes: ${parts}.`);
  }
  return total;
}
