/** Splits a byte stream into lines (newline kept), holding back a partial last line until more data or the end. */
export class LineSplitter {
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const text = this.pending + chunk.toString();
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.onLine(text.slice(start, nl + 1));
      start = nl + 1;
    }
    this.pending = text.slice(start);
  }

  /** Emits a final unterminated line, if any. */
  end(): void {
    if (this.pending !== '') this.onLine(this.pending + '\n');
    this.pending = '';
  }
}
