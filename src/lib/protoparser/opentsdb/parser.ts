// OpenTSDB telnet `put` parser, a port of VictoriaMetrics lib/protoparser/opentsdb/parser.go:
// `put metric timestamp value [tag=value ...]`. Pure: no I/O.
// See http://opentsdb.net/docs/build/html/api_telnet/put.html
//
// Two entry points: scanOpenTSDBLines finds each line's metric, timestamp, value and tags text by position
// and builds no tags (the push handler keeps a route per metric and tags text and parses the tags only
// when the series is new); parseOpenTSDBLines builds whole rows on top of it.
import {
  CharFinder,
  forEachLineRange,
  LineError,
  type LineErrorHandler,
  type Tag,
} from '../protoparserutil/lines.js';
import { tryParseFloatRange } from '../protoparserutil/numbers.js';

/** One parsed `put` line; timestampMs is in ms. */
export interface OpenTSDBRow {
  metric: string;
  tags: Tag[];
  value: number;
  timestampMs: number;
}

/** Options for parseOpenTSDBLines and scanOpenTSDBLines. */
export interface OpenTSDBParseOptions {
  /** The current time in ms, used for a zero timestamp. */
  nowMs: number;
  /** -opentsdbTrimTimestamp in ms; values > 1000 truncate timestamps to a multiple of it. */
  trimMs?: number;
}

// OpenTSDB's Const.SECOND_MASK: a timestamp with none of these bits set is in seconds, otherwise in ms.
const secondMaskLimit = 2 ** 32;

/** Converts an OpenTSDB timestamp (seconds or ms, told apart by magnitude; 0 = now) to ms. */
export function openTSDBTimestampMs(ts: number, nowSec: number): number {
  if (ts === 0) ts = nowSec;
  return ts >= 0 && ts < secondMaskLimit ? ts * 1e3 : ts;
}

/**
 * One scanned `put` line, reused from line to line (copy what you keep): positions in `text` (the whole
 * block the line is in), the value, and the timestamp in ms ("now" and -opentsdbTrimTimestamp applied).
 * The metric and the tags text together identify the series; parseOpenTSDBTags turns the tags text into
 * tags.
 */
export class OpenTSDBLine {
  /** The text holding the line: the line is text[start:end), without its line break. */
  text = '';
  start = 0;
  end = 0;
  /** The metric is text[metricStart:metricEnd). */
  metricStart = 0;
  metricEnd = 0;
  /** The tags text is text[tagsStart:end), '' when the line has no tags (not yet checked). */
  tagsStart = 0;
  value = 0;
  timestampMs = 0;

  /** The metric name. */
  metric(): string {
    return this.text.slice(this.metricStart, this.metricEnd);
  }

  /** The tags text as written, e.g. `host=a dc=b`. */
  tagsText(): string {
    return this.text.slice(this.tagsStart, this.end);
  }
}

function trimLeadingSpaces(s: string, pos: number, end: number): number {
  while (pos < end && s.charCodeAt(pos) === 32) pos++;
  return pos;
}

/**
 * Parses the tags text of a scanned line into tags as vmagent does (a tag with an empty key or value is
 * dropped). Throws LineError when a tag has no `=`, naming the line as vmagent does.
 */
export function parseOpenTSDBTags(l: OpenTSDBLine): Tag[] {
  const s = l.tagsText();
  const tags: Tag[] = [];
  let pos = 0;
  for (;;) {
    pos = trimLeadingSpaces(s, pos, s.length);
    if (pos >= s.length) return tags;
    let end = s.indexOf(' ', pos);
    if (end < 0) end = s.length;
    const eq = s.indexOf('=', pos);
    if (eq < 0 || eq >= end) {
      const line = JSON.stringify(l.text.slice(l.metricStart, l.end));
      const msg = `missing tag value for ${JSON.stringify(s.slice(pos, end))}`;
      throw new LineError(`cannot unmarshal tags in ${line}: ${msg}`);
    }
    const key = s.slice(pos, eq);
    const value = s.slice(eq + 1, end);
    if (key.length > 0 && value.length > 0) tags.push({ key, value });
    pos = end + 1;
  }
}

/** Scans the line s[from:to) into dst, all but the tags text. Throws LineError. */
function scanLine(
  s: string,
  from: number,
  to: number,
  nowSec: number,
  spaces: CharFinder,
  dst: OpenTSDBLine,
): void {
  const pos = trimLeadingSpaces(s, from, to);
  if (to - pos < 4 || !s.startsWith('put ', pos)) {
    throw new LineError(`missing \`put \` prefix in ${JSON.stringify(s.slice(from, to))}`);
  }
  const start = trimLeadingSpaces(s, pos + 4, to);
  const n = spaces.find(start, to);
  if (n < 0) {
    const rest = JSON.stringify(s.slice(start, to));
    throw new LineError(`cannot find whitespace between metric and timestamp in ${rest}`);
  }
  if (n === start) throw new LineError('metric cannot be empty');
  const tsStart = trimLeadingSpaces(s, n + 1, to);
  const tsEnd = spaces.find(tsStart, to);
  if (tsEnd < 0) {
    const rest = JSON.stringify(s.slice(start, to));
    throw new LineError(`cannot find whitespace between timestamp and value in ${rest}`);
  }
  const ts = tryParseFloatRange(s, tsStart, tsEnd);
  if (ts === undefined)
    throw new LineError(`cannot parse timestamp from ${JSON.stringify(s.slice(tsStart, tsEnd))}`);
  const vStart = trimLeadingSpaces(s, tsEnd + 1, to);
  const sp = spaces.find(vStart, to);
  const vEnd = sp < 0 ? to : sp;
  const value = tryParseFloatRange(s, vStart, vEnd);
  if (value === undefined)
    throw new LineError(`cannot parse value from ${JSON.stringify(s.slice(vStart, vEnd))}`);
  dst.text = s;
  dst.start = from;
  dst.end = to;
  dst.metricStart = start;
  dst.metricEnd = n;
  dst.tagsStart = vEnd < to ? vEnd + 1 : to;
  dst.value = value;
  dst.timestampMs = openTSDBTimestampMs(Number.isFinite(ts) ? Math.trunc(ts) : 0, nowSec);
}

/**
 * Scans OpenTSDB telnet `put` lines, calling onLine for each good line (the same OpenTSDBLine object
 * every time; its tags text is not checked yet) and onError for each bad one (the other lines still
 * scan). Never throws on bad input; a LineError thrown by onLine (e.g. parseOpenTSDBTags' on a new
 * series) is reported as that line's error.
 */
export function scanOpenTSDBLines(
  text: string,
  opts: OpenTSDBParseOptions,
  onLine: (line: OpenTSDBLine) => void,
  onError: LineErrorHandler,
): void {
  const nowSec = Math.floor(opts.nowMs / 1e3);
  const trimMs = opts.trimMs ?? 1000;
  const line = new OpenTSDBLine();
  const spaces = new CharFinder(text, ' ');
  forEachLineRange(
    text,
    (from, to) => {
      scanLine(text, from, to, nowSec, spaces, line);
      if (trimMs > 1000) line.timestampMs -= line.timestampMs % trimMs;
      onLine(line);
    },
    onError,
  );
}

/**
 * Parses OpenTSDB telnet `put` lines into whole rows (tags parsed), calling onRow for each good line and
 * onError for each bad one. Never throws on bad input.
 */
export function parseOpenTSDBLines(
  text: string,
  opts: OpenTSDBParseOptions,
  onRow: (row: OpenTSDBRow) => void,
  onError: LineErrorHandler,
): void {
  scanOpenTSDBLines(
    text,
    opts,
    (l) => {
      const tags = parseOpenTSDBTags(l);
      onRow({ metric: l.metric(), tags, value: l.value, timestampMs: l.timestampMs });
    },
    onError,
  );
}
