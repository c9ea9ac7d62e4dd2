// Splits a byte stream (a trainer's stdout or stderr) into lines without ever holding more
// than `maxLineBytes` of one line: a longer line is dropped as it streams past and reported
// once, with its size, when its end arrives.

// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export type LineEvent = { kind: 'line'; text: string } | { kind: 'overlong'; bytes: number; head: string };

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overlong = 0;
  private head = '';

  constructor(
    private readonly maxLineBytes: number,
    private readonly onEvent: (e: LineEvent) => void,
  ) {}

  push(chunk: Buffer): void {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      if (nl < 0) break;
      this.take(chunk.subarray(from, nl));
      this.endLine();
      from = nl + 1;
    }
    if (from < chunk.length) this.take(chunk.subarray(from));
  }

  /** End of stream: a final line without newline is still delivered. */
  end(): void {
    if (this.size > 0 || this.overlong > 0) this.endLine();
  }

  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.overlong > 0) {
      this.overlong += piece.length;
      return;
    }
    if (this.size + piece.length > this.maxLineBytes) {
      // The head is for a person to recognise the line in a warning: control and bidi
      // characters (and a character cut at byte 60) become U+FFFD rather than reach a log raw.
      this.head = Buffer.concat([...this.parts, piece]).subarray(0, 60).toString('utf8').replace(UNPRINTABLE, '\ufffd');
      this.overlong = this.size + piece.length;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(Buffer.from(piece));
    this.size += piece.length;
  }

  private endLine(): void {
    if (this.overlong > 0) {
      this.onEvent({ kind: 'overlong', bytes: this.overlong, head: this.head });
      this.overlong = 0;
      this.head = '';
      return;
    }
    const text = Buffer.concat(this.parts).toString('utf8').replace(/\r$/, '');
    this.parts = [];
    this.size = 0;
    this.onEvent({ kind: 'line', text });
  }
}
