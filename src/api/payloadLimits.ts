/** Lambda's payload limits (docs/lambda-behaviour.md#runtime-api, #response-streaming, #invoke-api, #limits). */
export const MAX_SYNC_REQUEST_BYTES = 6_291_456;
export const MAX_ASYNC_REQUEST_BYTES = 1_048_576;
/** What the runtime may post to /response: 6 MiB + 100 bytes. */
export const MAX_RESPONSE_BYTES = 6_291_556;
export const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;
/** A streamed response's first 6 MB go at full speed; the rest is capped (docs/lambda-behaviour.md#response-streaming). */
export const UNCAPPED_STREAM_BYTES = 6 * 1024 * 1024;
export const MAX_CLIENT_CONTEXT_BYTES = 3_583;
/** A refused body up to this size is still read to its end, so the sender reads the error, not a broken pipe. */
export const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
