// Reading and appending JSON-lines files. Appends open the file, write whole lines and close
// it again, so a crash loses at most the line being written and nothing is held open between
// flushes. Reading streams line by line with byte offsets, skips a truncated last line
// (reported, not fatal) and reports malformed lines without stopping.

import { closeSync, createReadStream, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** No space left on the device (or over a quota). */
function isDiskFullCode(code: string | undefined): boolean {
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** A write to the run folder failed. Carries the path so the message can name it. */
export class RunWriteError extends Error {
  override readonly name = 'RunWriteError';
  readonly code: string | undefined;
  constructor(
    readonly path: string,
    override readonly cause: unknown,
    /** The write did go through after all (on space held in reserve): the disk is full even so. */
    readonly written = false,
  ) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const folder = dirname(path);
    super(
      isDiskFullCode(code)
        ? `the disk is full: cannot write ${path} (${code}). Free space in ${folder} and resume the run; what was written before is intact.`
        : `cannot write ${path}: ${code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'the folder or file is read-only' : ((cause as Error)?.message ?? String(cause))}${code ? ` (${code})` : ''}. Make the run folder writable (or free disk space), then resume the run.`,
    );
    this.code = code;
  }

  /** No space left on the device (or over a quota). */
  get diskFull(): boolean {
    return isDiskFullCode(this.code);
  }
}

/**
 * Appends complete lines to `path`. Throws RunWriteError. Returns the bytes written. A write
 * that fails part-way (a full disk) is cut back to the file's previous length, so the file
 * never ends in half a line of ours.
 */
export function appendLines(path: string, lines: readonly string[]): number {
  if (lines.length === 0) return 0;
  const data = Buffer.from(lines.join('\n') + '\n', 'utf8');
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (e) {
    throw new RunWriteError(path, e);
  }
  let before = -1;
  try {
    before = fstatSync(fd).size;
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
  } catch (e) {
    if (before >= 0) {
      try {
        ftruncateSync(fd, before); // frees what was written; needs no space
      } catch {
        /* the reader tolerates a truncated tail; terminatePartialLine repairs it before the next append */
      }
    }
    throw new RunWriteError(path, e);
  } finally {
    closeSync(fd);
  }
  return data.length;
}

/**
 * A process killed mid-append can leave a file ending in half a line. Lines appended after it
 * would be glued onto that half and lost with it, so a writer that starts again (a resumed
 * segment) first ends the partial line: it stays one malformed line, reported by readers.
 * Returns true when a newline was added.
 */
export function terminatePartialLine(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new RunWriteError(path, e);
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 10) return false;
    writeSync(fd, '\n', size);
    return true;
  } catch (e) {
    throw new RunWriteError(path, e);
  } finally {
    closeSync(fd);
  }
}

export interface JsonlProblem {
  /** 1-based line number. */
  line: number;
  message: string;
}

export interface JsonlLine {
  value: unknown;
  /** Byte offset of the line's first byte. */
  offset: number;
  line: number;
}

export interface JsonlReadResult {
  lines: number;
  problems: JsonlProblem[];
  /** The file ended in a partial line (a write cut short by a crash); it was ignored. */
  truncatedTail: boolean;
}

function describeProblem(text: string, e: unknown): string {
  const head = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return `not valid JSON (${(e as Error).message}): ${JSON.stringify(head)}`;
}

/**
 * Streams a JSONL file, calling `onLine` for each well-formed line. Missing file: zero lines.
 * `start`/`end` select a byte range (end exclusive).
 */
export async function streamJsonl(
  path: string,
  onLine: (l: JsonlLine) => void | boolean | Promise<void>,
  range: { start?: number; end?: number } = {},
): Promise<JsonlReadResult> {
  const result: JsonlReadResult = { lines: 0, problems: [], truncatedTail: false };
  if (!existsSync(path)) return result;
  const start = range.start ?? 0;
  const stream = createReadStream(path, { start, end: range.end !== undefined ? range.end - 1 : undefined, highWaterMark: 1 << 16 });
  let pending: Buffer[] = [];
  let pendingStart = start;
  let pos = start;
  let lineNo = 0;
  let stopped = false;
  // Returns a promise only when the callback does (a writer waiting for a drain), so plain
  // readers pay nothing for the backpressure support.
  const handle = (buf: Buffer, offset: number): void | Promise<void> => {
    lineNo++;
    const text = buf.toString('utf8').replace(/\r$/, '');
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      result.problems.push({ line: lineNo, message: describeProblem(text, e) });
      return;
    }
    result.lines++;
    const r = onLine({ value, offset, line: lineNo });
    if (r === false) stopped = true;
    else if (r instanceof Promise) return r;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      if (nl < 0) break;
      const piece = chunk.subarray(from, nl);
      const whole = pending.length ? Buffer.concat([...pending, piece]) : piece;
      const r = handle(whole, pendingStart);
      if (r) await r;
      pending = [];
      pos += nl - from + 1;
      pendingStart = pos;
      from = nl + 1;
      if (stopped) break;
    }
    if (stopped) {
      stream.destroy();
      break;
    }
    if (from < chunk.length) {
      pending.push(chunk.subarray(from));
      pos += chunk.length - from;
    }
  }
  if (!stopped && pending.length) {
    const text = Buffer.concat(pending).toString('utf8');
    if (text.trim() !== '') {
      lineNo++;
      try {
        const value = JSON.parse(text);
        // A complete value without its newline: the writer died just before the '\n'. Keep it.
        result.lines++;
        await onLine({ value, offset: pendingStart, line: lineNo });
      } catch {
        result.truncatedTail = true;
        result.problems.push({ line: lineNo, message: `truncated last line ignored (${Buffer.byteLength(text)} bytes; the writer stopped mid-line)` });
      }
    }
  }
  return result;
}

/** Reads a small JSONL file whole (configs, decisions). Same tolerance as `streamJsonl`. */
export function readJsonlSync(path: string): { values: unknown[]; problems: JsonlProblem[]; truncatedTail: boolean } {
  const out = { values: [] as unknown[], problems: [] as JsonlProblem[], truncatedTail: false };
  if (!existsSync(path)) return out;
  const text = readFileSync(path, 'utf8');
  const parts = text.split('\n');
  const endsClean = text.endsWith('\n') || text === '';
  parts.forEach((p, i) => {
    const isLast = i === parts.length - 1;
    if (p.trim() === '') return;
    try {
      out.values.push(JSON.parse(p));
    } catch (e) {
      if (isLast && !endsClean) {
        out.truncatedTail = true;
        out.problems.push({ line: i + 1, message: 'truncated last line ignored (the writer stopped mid-line)' });
      } else out.problems.push({ line: i + 1, message: describeProblem(p, e) });
    }
  });
  return out;
}
