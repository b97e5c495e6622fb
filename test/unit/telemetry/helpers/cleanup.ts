/** Things a test opened, closed after it whatever happened. */
export class Cleanup {
  private readonly steps: Array<() => unknown> = [];

  add<T>(value: T, close: (value: T) => unknown): T {
    this.steps.push(() => close(value));
    return value;
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}
