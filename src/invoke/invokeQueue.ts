/**
 * One execution environment runs one invocation at a time (like one Lambda sandbox). Others wait here, up to
 * `capacity`; a full queue refuses new work instead of growing without bound.
 */
export interface QueuedJob {
  run(): Promise<void>;
  /** Called instead of run() when the job is dropped unstarted (shutdown). */
  refuse(): void;
}

export class InvokeQueue {
  private readonly waiting: QueuedJob[] = [];
  private running = false;
  private started = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly capacity: number) {}

  get depth(): number {
    return this.waiting.length;
  }

  get busy(): boolean {
    return this.running;
  }

  /** Queues a job; false when the queue is full. */
  submit(job: QueuedJob): boolean {
    if (this.running && this.waiting.length >= this.capacity) return false;
    this.waiting.push(job);
    if (this.started && !this.running) void this.drain();
    return true;
  }

  /** Jobs queue up from the start but run only once the environment has finished its first Init. */
  start(): void {
    this.started = true;
    if (!this.running && this.waiting.length > 0) void this.drain();
  }

  /** Refuses every job not yet started (shutdown). */
  refuseWaiting(): void {
    for (const job of this.waiting.splice(0)) job.refuse();
  }

  /** Resolves when no job is running. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    this.running = true;
    for (let job = this.waiting.shift(); job; job = this.waiting.shift()) {
      await job.run();
    }
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
