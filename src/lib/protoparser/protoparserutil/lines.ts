// Shared shapes for the line-oriented push parsers.

/** Receives a rejected line: 1-based line number within the parsed text, the line, the reason. */
export type LineErrorHandler = (lineNum: number, line: string, msg: string) => void;

/** A name=value pair as the push protocols carry it (tags, attributes). */
export interface Tag {
  key: string;
  value: string;
}

/**
 * A bad line: parsers throw it from their per-line code; forEachLine turns it into an onError call. It
 * carries no stack trace: it is expected control flow, and capturing one was most of the ~8 µs a bad line
 * cost to parse (a flood of garbage lines is hostile input, and each one must stay cheap).
 */
export class LineError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/**
 * Calls `parseLine` for every non-empty line of `text` (`\n` or `\r\n` endings; with `skipComments`, lines
 * starting with `#` are skipped too). A LineError thrown by parseLine goes to onError with the 1-based line
 * number and parsing goes on with the next line; any other error is a bug and propagates.
 */
export function forEachLine(
  text: string,
  parseLine: (line: string) => void,
  onError: LineErrorHandler,
  skipComments = false,
): void {
  forEachLineRange(text, (from, to) => parseLine(text.slice(from, to)), onError, skipComments);
}

/**
 * forEachLine on positions: calls parseLine(from, to) for every non-empty line text[from:to) (`\n` or
 * `\r\n` endings; with skipComments, lines starting with `#` are skipped), slicing a line only to report
 * it. Scanners that read the block's flat string by position avoid a sliced string per line, whose
 * charCodeAt costs an indirection per character (graphite: 1.04M -> 1.62M rows per CPU-second in process).
 */
export function forEachLineRange(
  text: string,
  parseLine: (from: number, to: number) => void,
  onError: LineErrorHandler,
  skipComments = false,
): void {
  let lineNum = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    lineNum++;
    let lineEnd = end;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    if (lineEnd > pos && !(skipComments && text.charCodeAt(pos) === 35) /* # */) {
      try {
        parseLine(pos, lineEnd);
      } catch (err) {
        if (!(err instanceof LineError)) throw err;
        onError(lineNum, text.slice(pos, lineEnd), err.message);
      }
    }
    pos = end + 1;
  }
}

/**
 * Finds one character in a block of lines with the native indexOf (several times faster than a charCodeAt
 * loop), remembering its last answer: for any `from` between the last query's `from` and that answer the
 * answer stands, so a block whose lines lack the character is scanned once, not once per line (which
 * would make hostile blocks quadratic). Queries may go back; they then search again.
 */
export class CharFinder {
  readonly text: string;
  readonly ch: string;
  #from = 0;
  #at = -1;

  constructor(text: string, ch: string) {
    this.text = text;
    this.ch = ch;
  }

  /** The first position of the character in text[from:to), or -1. */
  find(from: number, to: number): number {
    let at = this.#at;
    if (from < this.#from || from > at) {
      at = this.text.indexOf(this.ch, from);
      if (at < 0) at = this.text.length;
      this.#from = from;
      this.#at = at;
    }
    return at < to ? at : -1;
  }
}
