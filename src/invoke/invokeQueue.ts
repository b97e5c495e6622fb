/**
 * An execution environment runs `concurrency` invocations at a time: one, like a Lambda sandbox, or N on Managed
 * Instances (docs/lambda-behaviour.md#managed-instances). Others wait here, up to `capacity`; a full queue refuses
 * new work instead of growing without bound.
 */
export interface QueuedJob {
  run(): Promise<void>;
  /** Called instead of run() when the job is dropped unstarted (shutdown). */
  refuse(): void;
}

export class InvokeQueue {
  private readonly waiting: QueuedJob[] = [];
  private running = 0;
  private started = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly capacity: number, private readonly concurrency = 1) {}

  get depth(): number {
    return this.waiting.length;
  }

  get busy(): boolean {
    return this.running > 0;
  }

  /** Queues a job; false when the queue is full. */
  submit(job: QueuedJob): boolean {
    if (this.running >= this.concurrency && this.waiting.length >= this.capacity) return false;
    this.waiting.push(job);
    this.pump();
    return true;
  }

  /** Jobs queue up from the start but run only once the environment has finished its first Init. */
  start(): void {
    this.started = true;
    this.pump();
  }

  /** Refuses every job not yet started (shutdown). */
  refuseWaiting(): void {
    for (const job of this.waiting.splice(0)) job.refuse();
  }

  /** Resolves when no job is running. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Starts waiting jobs while there is room; each finished job makes room for the next. */
  private pump(): void {
    while (this.started && this.running < this.concurrency) {
      const job = this.waiting.shift();
      if (!job) break;
      this.running++;
      void this.runJob(job);
    }
  }

  private async runJob(job: QueuedJob): Promise<void> {
    await job.run();
    this.running--;
    this.pump();
    if (this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
