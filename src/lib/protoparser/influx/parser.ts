// InfluxDB line protocol parser, a faithful port of VictoriaMetrics lib/protoparser/influx/parser.go:
// `measurement[,tag=value...] field=value[,field=value...] [timestamp]`, with its escaping, quoting and
// leniency rules (empty tags skipped, string fields parsed best-effort as numbers). Pure: no I/O.
// See https://docs.influxdata.com/influxdb/v1.7/write_protocols/line_protocol_tutorial/
import {
  CharFinder,
  forEachLineRange,
  LineError,
  type LineErrorHandler,
  type Tag,
} from '../protoparserutil/lines.js';
import {
  int64DigitsStart,
  parseFloatBestEffort,
  tryParseFloatRange,
  tryParseInt64,
  tryParseUint64,
} from '../protoparserutil/numbers.js';

/** One field of an influx row, its value already a float64. */
export interface Field {
  key: string;
  value: number;
}

/** One parsed influx line; timestampMs is already converted by the precision rules. */
export interface InfluxRow {
  measurement: string;
  tags: Tag[];
  fields: Field[];
  timestampMs: number;
}

/** Timestamp precisions of the `precision` query arg; '' auto-detects by magnitude as vmagent does. */
export type InfluxPrecision = '' | 'ns' | 'u' | 'us' | 'µ' | 'ms' | 's' | 'm' | 'h';

/** Options for parseInfluxLines. */
export interface InfluxParseOptions {
  /** The `precision` query arg; unknown values behave like '' (auto-detect). */
  precision?: string;
  /** The current time in ms, used for lines without a timestamp. */
  nowMs: number;
  /** -influxTrimTimestamp in ms; values > 1 truncate timestamps to a multiple of it. */
  trimMs?: number;
}

// The separators a line is cut at, found in one text (a whole block, or one series text).
class Finders {
  readonly space: CharFinder;
  readonly comma: CharFinder;
  readonly eq: CharFinder;
  readonly quote: CharFinder;
  constructor(text: string) {
    this.space = new CharFinder(text, ' ');
    this.comma = new CharFinder(text, ',');
    this.eq = new CharFinder(text, '=');
    this.quote = new CharFinder(text, '"');
  }
}

// Escape- and quote-aware search within [from:to) of the finder's text, as lib/protoparser/influx/parser.go's
// nextUnescapedChar/nextUnquotedChar/isInQuote, but on positions so the hot path slices nothing. `esc`
// is false when the text has no backslash at all.
function nextUnescaped(f: CharFinder, from: number, to: number, esc: boolean): number {
  const s = f.text;
  let start = from;
  for (;;) {
    const n = f.find(start, to);
    if (n < 0) return -1;
    if (!esc || n === start || s.charCodeAt(n - 1) !== 92) return n;
    let slashes = 0;
    for (let i = n - 1; i >= start && s.charCodeAt(i) === 92; i--) slashes++;
    if ((slashes & 1) === 0) return n;
    start = n + 1;
  }
}

function isInQuote(q: CharFinder, from: number, to: number, esc: boolean): boolean {
  let inQuote = false;
  for (;;) {
    const n = nextUnescaped(q, from, to, esc);
    if (n < 0) return inQuote;
    inQuote = !inQuote;
    from = n + 1;
  }
}

function nextUnquoted(
  f: CharFinder,
  q: CharFinder,
  from: number,
  to: number,
  esc: boolean,
  quotes: boolean,
): number {
  if (!quotes) return nextUnescaped(f, from, to, esc);
  for (;;) {
    const n = nextUnescaped(f, from, to, esc);
    if (n < 0) return -1;
    if (!isInQuote(q, from, n, esc)) return n;
    const qe = nextUnescaped(q, n + 1, to, esc);
    if (qe < 0) return -1;
    from = qe + 1;
  }
}

/** Undoes the line protocol's escaping of ` `, `,`, `=` and `\` (other backslashes stay). */
export function unescapeTagValue(s: string): string {
  let n = s.indexOf('\\');
  if (n < 0) return s;
  let out = '';
  for (;;) {
    out += s.slice(0, n);
    s = s.slice(n + 1);
    if (s.length === 0) return out + '\\';
    const ch = s[0]!;
    if (ch !== ' ' && ch !== ',' && ch !== '=' && ch !== '\\') out += '\\';
    out += ch;
    s = s.slice(1);
    n = s.indexOf('\\');
    if (n < 0) return out + s;
  }
}

function skipSpaces(s: string, pos: number, to: number): number {
  while (pos < to && s.charCodeAt(pos) === 32) pos++;
  return pos;
}

/** The measurement and tags of an influx line's series text (`measurement[,tag=value...]` as written). */
export interface InfluxSeries {
  measurement: string;
  tags: Tag[];
}

/**
 * Parses the series text of a line (what InfluxLine.series() returns) into its measurement and tags, with
 * vmagent's rules: escapes undone, tags with an empty key or value skipped. Throws LineError.
 */
export function parseInfluxSeries(s: string): InfluxSeries {
  const esc = s.indexOf('\\') >= 0;
  const f = new Finders(s);
  const tags: Tag[] = [];
  const comma = nextUnescaped(f.comma, 0, s.length, esc);
  if (comma < 0) return { measurement: unescapeTagValue(s), tags };
  let pos = comma + 1;
  for (;;) {
    const n = nextUnescaped(f.comma, pos, s.length, esc);
    const end = n < 0 ? s.length : n;
    const eq = nextUnescaped(f.eq, pos, end, esc);
    if (eq < 0) throw new LineError(`missing tag value for ${JSON.stringify(s.slice(pos, end))}`);
    const key = unescapeTagValue(s.slice(pos, eq));
    const value = unescapeTagValue(s.slice(eq + 1, end));
    if (key.length > 0 && value.length > 0) tags.push({ key, value });
    if (n < 0) break;
    pos = n + 1;
  }
  return { measurement: unescapeTagValue(s.slice(0, comma)), tags };
}

// `c` equals (ASCII case-sensitive) the text s[from:to).
function rangeIs(s: string, from: number, to: number, c: string): boolean {
  return to - from === c.length && s.startsWith(c, from);
}

// Decimal digits only in s[from:to), at least one.
function allDigits(s: string, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function parseFieldValue(s: string, from: number, to: number, quotes: boolean): number {
  if (from === to) throw new LineError('field value cannot be empty');
  if (quotes && s.charCodeAt(from) === 34) {
    if (to - from < 2 || s.charCodeAt(to - 1) !== 34) {
      throw new LineError(`missing closing quote for quoted field value ${s.slice(from, to)}`);
    }
    return parseFloatBestEffort(s.slice(from + 1, to - 1));
  }
  const last = s.charCodeAt(to - 1);
  if (last === 105 /* i */) {
    // Short plain integers (the usual case) without a slice; the rest by the exact int64 rules.
    if (to - from <= 16 && allDigits(s, from, to - 1)) return tryParseFloatRange(s, from, to - 1)!;
    const v = tryParseInt64(s.slice(from, to - 1));
    if (v === undefined)
      throw new LineError(`cannot parse int64 from ${JSON.stringify(s.slice(from, to - 1))}`);
    return v;
  }
  if (last === 117 /* u */) {
    const v = tryParseUint64(s.slice(from, to - 1));
    if (v === undefined)
      throw new LineError(`cannot parse uint64 from ${JSON.stringify(s.slice(from, to - 1))}`);
    return v;
  }
  const c0 = s.charCodeAt(from);
  if (c0 === 116 || c0 === 84 /* t T */) {
    if (
      to - from === 1 ||
      rangeIs(s, from, to, 'true') ||
      rangeIs(s, from, to, 'True') ||
      rangeIs(s, from, to, 'TRUE')
    )
      return 1;
  } else if (c0 === 102 || c0 === 70 /* f F */) {
    if (
      to - from === 1 ||
      rangeIs(s, from, to, 'false') ||
      rangeIs(s, from, to, 'False') ||
      rangeIs(s, from, to, 'FALSE')
    )
      return 0;
  }
  return tryParseFloatRange(s, from, to) ?? 0;
}

const httpHint =
  'please switch from tcp to http protocol for data ingestion; do not set `-influxListenAddr` command-line flag, since it is needed for tcp protocol only';

/**
 * One scanned influx line, reused from line to line (copy what you keep): the series text by position,
 * the fields as key positions and parsed values, the timestamp in ms. Field keys are raw (escaped) text.
 */
export class InfluxLine {
  /** The text the line is in (its whole block: the positions below are into it). */
  text = '';
  /** Where the line starts in text. */
  start = 0;
  /** The series text is text[start:seriesEnd): `measurement[,tag=value...]` as written. */
  seriesEnd = 0;
  fieldCount = 0;
  keyStart = new Int32Array(8);
  keyEnd = new Int32Array(8);
  values = new Float64Array(8);
  timestampMs = 0;

  /** The series text, the identity of the line's series (escapes included). */
  series(): string {
    return this.text.slice(this.start, this.seriesEnd);
  }

  /** The unescaped key of field i. */
  fieldKey(i: number): string {
    return unescapeTagValue(this.text.slice(this.keyStart[i], this.keyEnd[i]));
  }

  /** Whether the raw key of field i is exactly `raw`. */
  fieldKeyIs(i: number, raw: string): boolean {
    const start = this.keyStart[i]!;
    const n = raw.length;
    if (this.keyEnd[i]! - start !== n) return false;
    // A charCode loop: field keys are short, and startsWith on a sliced string cost ~6% of a push.
    const text = this.text;
    for (let k = 0; k < n; k++) if (text.charCodeAt(start + k) !== raw.charCodeAt(k)) return false;
    return true;
  }

  /** The raw (escaped) key of field i. */
  rawFieldKey(i: number): string {
    return this.text.slice(this.keyStart[i], this.keyEnd[i]);
  }

  addField(keyStart: number, keyEnd: number, value: number): void {
    const i = this.fieldCount++;
    if (i === this.values.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, b: T): T => (b.set(a), b);
      this.keyStart = grow(this.keyStart, new Int32Array(i * 2));
      this.keyEnd = grow(this.keyEnd, new Int32Array(i * 2));
      this.values = grow(this.values, new Float64Array(i * 2));
    }
    this.keyStart[i] = keyStart;
    this.keyEnd[i] = keyEnd;
    this.values[i] = value;
  }
}

function scanFields(
  f: Finders,
  from: number,
  to: number,
  esc: boolean,
  quotes: boolean,
  dst: InfluxLine,
): void {
  const s = f.comma.text;
  for (;;) {
    const n = nextUnquoted(f.comma, f.quote, from, to, esc, quotes);
    const end = n < 0 ? to : n;
    const eq = nextUnescaped(f.eq, from, end, esc);
    if (eq < 0) throw new LineError(`missing field value for ${JSON.stringify(s.slice(from, end))}`);
    if (eq === from) throw new LineError('field key cannot be empty');
    let value: number;
    try {
      value = parseFieldValue(s, eq + 1, end, quotes);
    } catch (err) {
      const key = unescapeTagValue(s.slice(from, eq));
      throw new LineError(`cannot parse field value for ${JSON.stringify(key)}: ${(err as Error).message}`);
    }
    dst.addField(from, eq, value);
    if (n < 0) return;
    from = n + 1;
  }
}

/** Scales of the precision values: [divide by 10^k, or multiply by m]. */
export const precisionScale: Readonly<Record<string, readonly [number, number]>> = {
  ns: [6, 1],
  u: [3, 1],
  us: [3, 1],
  µ: [3, 1],
  ms: [0, 1],
  s: [0, 1e3],
  m: [0, 6e4],
  h: [0, 36e5],
};

// Converts the raw int64 timestamp s[from:to) to ms following lib/protoparser/influx/stream: explicit
// precision divides or multiplies; '' (or unknown) detects ns/us/ms/s by magnitude; 0 or no timestamp
// means "now". One charCode pass; the digits are summed in two parts so ns values beyond 2^53 still give
// exact ms.
function convertTimestamp(
  s: string,
  from: number,
  to: number,
  scale: readonly [number, number] | undefined,
  nowMs: number,
): number {
  let i = from;
  const c0 = s.charCodeAt(from);
  const neg = c0 === 45;
  if (from < to && (neg || c0 === 43)) i++;
  const digitsFrom = i;
  while (i < to && s.charCodeAt(i) === 48) i++;
  const sig = i;
  // hi: the value of all digits but the last 6; lo6: the last 6. One pass checks and sums them.
  const split = to - 6;
  let hi = 0;
  let lo6 = 0;
  for (; i < split; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d >>> 0 > 9) break;
    hi = hi * 10 + d;
  }
  if (i >= split) {
    for (; i < to; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d >>> 0 > 9) break;
      lo6 = lo6 * 10 + d;
    }
  }
  const digits = to - sig;
  // A non-digit, a sign alone, or beyond int64 (19 significant digits are checked exactly only when they
  // start with a 9) is fastfloat.ParseInt64's error.
  if (
    i < to ||
    (from < to && digitsFrom === to) ||
    (digits >= 19 && (digits > 19 || s.charCodeAt(sig) === 57) && int64DigitsStart(s.slice(from, to)) < 0)
  ) {
    if (s.startsWith('HTTP/', from)) throw new LineError(httpHint);
    throw new LineError(`cannot parse timestamp ${JSON.stringify(s.slice(from, to))}`);
  }
  if (hi === 0 && lo6 === 0) {
    const unit = scale ? scale[1] : 1;
    return unit > 1 ? nowMs - (nowMs % unit) : nowMs;
  }
  const sign = neg ? -1 : 1;
  let k: number;
  let mul = 1;
  if (scale) [k, mul] = scale;
  else if (neg)
    k = -1; // a negative value is below every threshold: seconds
  else k = digits >= 18 ? 6 : digits >= 15 ? 3 : digits >= 12 ? 0 : -1; // v >= 1e17 / 1e14 / 1e11
  if (k === 6) return sign * hi || 0;
  if (k === 3) return sign * (hi * 1e3 + Math.floor(lo6 / 1e3)) || 0;
  const v = hi * 1e6 + lo6;
  if (k === 0) return sign * v * mul;
  return sign * v * 1e3;
}

/**
 * Scans the line text[start:end) into dst (fields and timestamp; the series text is left unparsed). `esc`
 * tells whether the text may hold backslashes. Throws LineError.
 */
function scanLine(
  f: Finders,
  start: number,
  end: number,
  esc: boolean,
  scale: readonly [number, number] | undefined,
  nowMs: number,
  trimMs: number,
  dst: InfluxLine,
): void {
  const s = f.space.text;
  const sp = nextUnescaped(f.space, start, end, esc);
  if (sp < 0) throw new LineError(`cannot find Whitespace I in ${JSON.stringify(s.slice(start, end))}`);
  dst.start = start;
  dst.seriesEnd = sp;
  dst.fieldCount = 0;
  try {
    let from = skipSpaces(s, sp + 1, end);
    const quotes = nextUnescaped(f.quote, from, end, esc) >= 0;
    const n = nextUnquoted(f.space, f.quote, from, end, esc, quotes);
    if (n < 0) {
      scanFields(f, from, end, esc, quotes, dst);
      from = end;
    } else {
      try {
        scanFields(f, from, n, esc, quotes, dst);
      } catch (err) {
        if (s.startsWith('HTTP/', n + 1)) throw new LineError(httpHint);
        throw err;
      }
      from = skipSpaces(s, n + 1, end);
    }
    let ms = convertTimestamp(s, from, end, scale, nowMs);
    if (trimMs > 1) ms -= ms % trimMs;
    dst.timestampMs = ms;
  } catch (err) {
    // vmagent parses the tags first: a line bad in both places reports its tags (the series text is only
    // parsed on the error path here; the handlers parse it when they first see the series).
    if (err instanceof LineError) parseInfluxSeries(s.slice(start, sp));
    throw err;
  }
}

/**
 * Scans influx line protocol text, calling onLine for each good line (the same InfluxLine object every
 * time) and onError for each bad one (the other lines still scan). Empty lines and `#` comments are
 * skipped. Never throws on bad input; a LineError thrown by onLine is reported as that line's error.
 * Works on positions in text: no string per line.
 */
export function scanInfluxLines(
  text: string,
  opts: InfluxParseOptions,
  onLine: (line: InfluxLine) => void,
  onError: LineErrorHandler,
): void {
  const esc = text.indexOf('\\') >= 0;
  const precision = opts.precision ?? '';
  // Own keys only: a `precision=constructor` query arg must not find Object.prototype's.
  const scale = Object.hasOwn(precisionScale, precision) ? precisionScale[precision] : undefined;
  const trimMs = opts.trimMs ?? 1;
  const nowMs = opts.nowMs;
  const f = new Finders(text);
  const line = new InfluxLine();
  line.text = text;
  forEachLineRange(
    text,
    (start, end) => {
      scanLine(f, start, end, esc, scale, nowMs, trimMs, line);
      onLine(line);
    },
    onError,
    true,
  );
}

/**
 * Parses influx line protocol text into whole rows (measurement, tags and fields parsed), calling onRow for
 * each good line and onError for each bad one. Never throws on bad input.
 */
export function parseInfluxLines(
  text: string,
  opts: InfluxParseOptions,
  onRow: (row: InfluxRow) => void,
  onError: LineErrorHandler,
): void {
  scanInfluxLines(
    text,
    opts,
    (l) => {
      const { measurement, tags } = parseInfluxSeries(l.series());
      const fields: Field[] = [];
      for (let i = 0; i < l.fieldCount; i++) fields.push({ key: l.fieldKey(i), value: l.values[i]! });
      onRow({ measurement, tags, fields, timestampMs: l.timestampMs });
    },
    onError,
  );
}
