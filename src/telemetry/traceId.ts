import { randomFillSync } from 'node:crypto';

/** Random bytes one trace id takes: 12 for the root's id, 8 for the parent segment. */
const BYTES_PER_ID = 20;
/** Ids served from one refill of the pool (one getrandom call per 256 ids instead of two per id). */
const IDS_PER_REFILL = 256;
const pool = Buffer.allocUnsafe(BYTES_PER_ID * IDS_PER_REFILL);
let next = pool.length;

/**
 * An X-Ray trace header for an invocation that arrives without one, as Lambda makes it:
 * `Root=1-<8 hex digits of epoch seconds>-<24 hex digits>;Parent=<16 hex digits>;Sampled=0`
 * (https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader).
 * The random parts come from a pooled buffer filled by the CSPRNG; each byte is used once.
 */
export function newTraceId(nowMs: number = Date.now()): string {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const at = next;
  next += BYTES_PER_ID;
  const epoch = Math.floor(nowMs / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epoch}-${pool.toString('hex', at, at + 12)};Parent=${pool.toString('hex', at + 12, at + BYTES_PER_ID)};Sampled=0`;
}
