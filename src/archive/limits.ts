/** Lambda's quota for function code plus all layers, unzipped (spec 6.3). */
export const MAX_UNZIPPED_BYTES = 262_144_000;

/** Lambda's quota on layers per function (spec 6.3). */
export const MAX_LAYERS = 5;

/** The service's own texts (spec 6.3); our messages start with them, word for word. */
export const TOO_MANY_LAYERS_TEXT = `Cannot reference more than ${MAX_LAYERS} layers.`;
export const FUNCTION_TOO_LARGE_TEXT = `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`;
export function combinedTooLargeText(actualBytes: number): string {
  return `Function code combined with layers exceeds the maximum allowed size of ${MAX_UNZIPPED_BYTES} bytes. ` +
    `The actual size is ${actualBytes} bytes.`;
}

/**
 * Deflate cannot expand data by more than about 1032:1 (a 258-byte match per 2 bits). A header claiming more is a
 * lie, so the entry is refused before a byte is written. The slack covers block headers of tiny streams.
 */
export const MAX_DEFLATE_RATIO = 1032;
export const DEFLATE_RATIO_SLACK_BYTES = 64 * 1024;

/** A symbolic link's target is its entry's data; Linux caps a path at 4096 bytes including the NUL. */
export const MAX_SYMLINK_TARGET_BYTES = 4095;

/** Linux caps one path component at 255 bytes. */
export const MAX_NAME_COMPONENT_BYTES = 255;
