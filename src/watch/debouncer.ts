/**
 * Collects changed paths and hands them over, sorted and without repeats, once `quietMs` passed without another
 * change (an editor's save or a copy of many files is one reload, not many).
 */
export class Debouncer<T extends string> {
  private readonly pending = new Set<T>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly quietMs: number,
    private readonly flush: (items: T[]) => void,
  ) {}

  add(item: T): void {
    this.pending.add(item);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const items = [...this.pending].sort();
      this.pending.clear();
      this.flush(items);
    }, this.quietMs);
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
