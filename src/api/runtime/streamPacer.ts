/**
 * Lambda streams the first 6 MB of a response uncapped, then at most 2 MBps
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html#config-rs-bandwidth-cap).
 * The pacer counts the bytes read from the runtime and says how long to stop reading to stay under the cap.
 */
export class StreamPacer {
  private bytes = 0;
  /** When the stream passed its uncapped bytes (performance time). */
  private cappedSince: number | undefined;

  constructor(
    private readonly uncappedBytes: number,
    private readonly bytesPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts a chunk; returns the milliseconds to pause before reading the next one (0: go on). */
  add(chunkBytes: number): number {
    this.bytes += chunkBytes;
    if (this.bytes <= this.uncappedBytes) return 0;
    this.cappedSince ??= this.now();
    const capped = this.bytes - this.uncappedBytes;
    const due = this.cappedSince + (capped / this.bytesPerSecond) * 1000;
    return Math.max(0, due - this.now());
  }
}
