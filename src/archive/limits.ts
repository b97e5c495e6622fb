/**
 * Lambda's quota for function code plus all layers, unzipped: "Maximum size for the unzipped deployment package
 * (including layers and custom runtimes): 250 MB" (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 * 250 MiB = 262,144,000 bytes.
 */
export const MAX_UNZIPPED_BYTES = 262_144_000;

/**
 * The one rule for the quota, for the function alone and for function plus layers alike, on declared and on
 * inflated sizes: a maximum, so exactly the quota is allowed and one byte more is refused. (The service's combined
 * message says "exceeds"; its function-alone text says "must be smaller than", but both name the same maximum.)
 */
export function exceedsUnzippedQuota(bytes: number): boolean {
  return bytes > MAX_UNZIPPED_BYTES;
}

/** Lambda's quota on layers per function (same page). */
export const MAX_LAYERS = 5;

/** The service's own texts; our messages start with them, word for word. */
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
