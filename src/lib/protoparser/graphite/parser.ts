// Graphite plaintext protocol parser, a port of VictoriaMetrics lib/protoparser/graphite/parser.go:
// `metric[;tag=value...] value [timestamp]`, space or tab separated. Pure: no I/O.
// See https://graphite.readthedocs.io/en/latest/feeding-carbon.html#the-plaintext-protocol
//
// Two entry points: scanGraphiteLines finds each line's series text, value and timestamp by position and
// builds no tags (the push handler keeps a route per series text and parses it only when it is new);
// parseGraphiteLines builds whole rows on top of it.
import {
  CharFinder,
  forEachLineRange,
  LineError,
  type LineErrorHandler,
  type Tag,
} from '../protoparserutil/lines.js';
import { tryParseFloatRange } from '../protoparserutil/numbers.js';

/** One parsed graphite line; timestampMs is in ms (missing, 0 and -1 mean "now", rounded to seconds). */
export interface GraphiteRow {
  metric: string;
  tags: Tag[];
  value: number;
  timestampMs: number;
}

/** Options for parseGraphiteLines and scanGraphiteLines. */
export interface GraphiteParseOptions {
  /** The current time in ms, used for lines without a timestamp. */
  nowMs: number;
  /** -graphiteTrimTimestamp in ms; values > 1000 truncate timestamps to a multiple of it. */
  trimMs?: number;
}

/**
 * One scanned graphite line, reused from line to line (copy what you keep): positions in `text` (the whole
 * block the line is in), the value, and the timestamp in ms ("now" and -graphiteTrimTimestamp applied).
 */
export class GraphiteLine {
  /** The text holding the line: the line is text[start:end), without its line break. */
  text = '';
  start = 0;
  end = 0;
  /** The series text is text[start:seriesEnd): `metric[;tag=value...]` as written (not yet checked). */
  seriesEnd = 0;
  value = 0;
  timestampMs = 0;

  /** The series text, the identity of the line's series; parseMetricAndTags turns it into labels. */
  series(): string {
    return this.text.slice(this.start, this.seriesEnd);
  }
}

function isSep(c: number): boolean {
  return c === 32 || c === 9;
}

// Finds the first separator (space or tab) in s[from:to) of one block: blocks without tabs (the usual
// case) use a CharFinder (native indexOf, several times faster than a charCodeAt loop: a 45-char series
// text ~16 vs ~96 ns).
class SepFinder {
  readonly s: string;
  readonly tabs: boolean;
  readonly #spaces: CharFinder;

  constructor(s: string) {
    this.s = s;
    this.tabs = s.indexOf('\t') >= 0;
    this.#spaces = new CharFinder(s, ' ');
  }

  find(from: number, to: number): number {
    if (!this.tabs) return this.#spaces.find(from, to);
    const s = this.s;
    for (let i = from; i < to; i++) if (isSep(s.charCodeAt(i))) return i;
    return -1;
  }
}

function skipSeps(s: string, from: number, end: number): number {
  while (from < end && isSep(s.charCodeAt(from))) from++;
  return from;
}

/**
 * Splits `metric;tag=value;...` into the metric and its tags as vmagent does: empty tags are dropped, a
 * tag without `=` is dropped (empty value). Throws on whitespace or an empty metric.
 */
export function parseMetricAndTags(s: string, tags: Tag[]): string {
  if (s.indexOf(' ') >= 0) throw new LineError(`unexpected whitespace found in ${JSON.stringify(s)}`);
  const n = s.indexOf(';');
  const metric = n < 0 ? s : s.slice(0, n);
  if (n >= 0) {
    let pos = n + 1;
    for (;;) {
      let end = s.indexOf(';', pos);
      const last = end < 0;
      if (last) end = s.length;
      const eq = s.indexOf('=', pos);
      if (eq >= 0 && eq < end) {
        const key = s.slice(pos, eq);
        const value = s.slice(eq + 1, end);
        if (key.length > 0 && value.length > 0) tags.push({ key, value });
      }
      if (last) break;
      pos = end + 1;
    }
  }
  if (metric.length === 0) throw new LineError('metric cannot be empty');
  return metric;
}

// Scans into dst the value and the timestamp that follow the series text (ending at n) of the line that ends
// at `end`. Throws LineError.
function scanValueAndTimestamp(
  s: string,
  n: number,
  end: number,
  nowSec: number,
  seps: SepFinder,
  dst: GraphiteLine,
): void {
  const vStart = skipSeps(s, n + 1, end);
  const vEnd = seps.find(vStart, end);
  const valueEnd = vEnd < 0 ? end : vEnd;
  const value = tryParseFloatRange(s, vStart, valueEnd);
  if (value === undefined) {
    throw new LineError(`cannot unmarshal value from ${JSON.stringify(s.slice(vStart, valueEnd))}`);
  }
  let tsSec = 0;
  if (vEnd >= 0) {
    let tsEnd = end;
    while (tsEnd > vEnd && isSep(s.charCodeAt(tsEnd - 1))) tsEnd--;
    const tsStart = skipSeps(s, vEnd + 1, tsEnd);
    const ts = tryParseFloatRange(s, tsStart, tsEnd);
    if (ts === undefined) {
      throw new LineError(`cannot unmarshal timestamp from ${JSON.stringify(s.slice(tsStart, tsEnd))}`);
    }
    tsSec = Number.isFinite(ts) ? Math.trunc(ts) : 0;
  }
  if (tsSec === 0 || tsSec === -1) tsSec = nowSec;
  dst.value = value;
  dst.timestampMs = tsSec * 1e3;
}

/** Scans the line s[from:to) into dst; the series text is left unchecked unless the rest is bad. */
function scanLine(
  s: string,
  from: number,
  to: number,
  nowSec: number,
  seps: SepFinder,
  dst: GraphiteLine,
): void {
  const n = seps.find(from, to);
  if (n < 0) {
    const line = JSON.stringify(s.slice(from, to));
    throw new LineError(`cannot find separator between metric and value in ${line}`);
  }
  dst.text = s;
  dst.start = from;
  dst.end = to;
  dst.seriesEnd = n;
  try {
    scanValueAndTimestamp(s, n, to, nowSec, seps, dst);
  } catch (err) {
    // vmagent parses the metric and tags first: a line bad in both places reports its series text (it is
    // only parsed on this error path here; the handler parses it when it first sees the series).
    if (err instanceof LineError) parseMetricAndTags(s.slice(from, n), []);
    throw err;
  }
}

/**
 * Scans graphite plaintext lines, calling onLine for each good line (the same GraphiteLine object every
 * time) and onError for each bad one (the other lines still scan). Never throws on bad input; a LineError
 * thrown by onLine (e.g. parseMetricAndTags' on a new series) is reported as that line's error.
 */
export function scanGraphiteLines(
  text: string,
  opts: GraphiteParseOptions,
  onLine: (line: GraphiteLine) => void,
  onError: LineErrorHandler,
): void {
  const nowSec = Math.floor(opts.nowMs / 1e3);
  const trimMs = opts.trimMs ?? 1000;
  const line = new GraphiteLine();
  const seps = new SepFinder(text);
  forEachLineRange(
    text,
    (from, to) => {
      scanLine(text, from, to, nowSec, seps, line);
      if (trimMs > 1000) line.timestampMs -= line.timestampMs % trimMs;
      onLine(line);
    },
    onError,
  );
}

/**
 * Parses graphite plaintext lines into whole rows (metric and tags parsed), calling onRow for each good
 * line and onError for each bad one. Never throws on bad input.
 */
export function parseGraphiteLines(
  text: string,
  opts: GraphiteParseOptions,
  onRow: (row: GraphiteRow) => void,
  onError: LineErrorHandler,
): void {
  scanGraphiteLines(
    text,
    opts,
    (l) => {
      const tags: Tag[] = [];
      const metric = parseMetricAndTags(l.series(), tags);
      onRow({ metric, tags, value: l.value, timestampMs: l.timestampMs });
    },
    onError,
  );
}
