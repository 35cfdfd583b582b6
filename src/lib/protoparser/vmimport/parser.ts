// Parser for VictoriaMetrics' JSON-lines import format (/api/v1/import), a port of
// lib/protoparser/vmimport/parser.go: one `{"metric":{...},"values":[...],"timestamps":[...]}` per line.
// Pure: no I/O.
//
// Two paths with one result. parseVMImportLine is the reference: JSON.parse, then vmagent's checks and
// messages. scanVMImportLines reads a line of the usual shape (those keys in that order, numbers or null
// values, integer timestamps) by hand and leaves the metric object as text, the cache key of the push
// handler, which parses it (parseVMImportSeries) only for a metric text it has not seen; any other line
// goes the reference way. parser.test.ts fuzzes the two against each other (same rows and errors).
import { forEachLineRange, LineError, type LineErrorHandler, type Tag } from '../protoparserutil/lines.js';
import { tryParseFloatRange } from '../protoparserutil/numbers.js';

/** One parsed import line: the labels (incl. __name__) and the parallel values/timestamps arrays. */
export interface VMImportRow {
  tags: Tag[];
  values: number[];
  timestampsMs: number[];
}

function specialFloat(v: unknown): number {
  if (v === null) return NaN;
  if (typeof v !== 'string')
    throw new LineError(`unsupported value type: ${typeof v}; value=${JSON.stringify(v)}`);
  let s = v;
  let sign = 1;
  if (s.startsWith('-')) {
    sign = -1;
    s = s.slice(1);
  }
  switch (s) {
    case 'infinity':
    case 'Infinity':
    case 'Inf':
    case 'inf':
      return sign * Infinity;
    case 'null':
    case 'Null':
    case 'nan':
    case 'NaN':
      return NaN;
  }
  throw new LineError(`unsupported string: ${JSON.stringify(s)}`);
}

/** Parses one line the reference way (JSON.parse, then vmagent's checks); throws LineError. */
export function parseVMImportLine(line: string): VMImportRow {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (err) {
    throw new LineError(`cannot parse json line: ${(err as Error).message}`);
  }
  if (typeof obj !== 'object' || obj === null) throw new LineError('cannot parse json line: not an object');
  const o = obj as Record<string, unknown>;
  const metric = o.metric;
  if (typeof metric !== 'object' || metric === null || Array.isArray(metric)) {
    throw new LineError('missing `metric` object');
  }
  const tags: Tag[] = [];
  // vmagent keeps a non-string label value as an empty value (which drops the label downstream).
  for (const [key, value] of Object.entries(metric))
    tags.push({ key, value: typeof value === 'string' ? value : '' });
  if (tags.length === 0) throw new LineError('missing tags');
  const rawValues = o.values;
  if (!Array.isArray(rawValues) || rawValues.length === 0) throw new LineError('missing `values` array');
  const values: number[] = [];
  for (let i = 0; i < rawValues.length; i++) {
    const v: unknown = rawValues[i];
    try {
      values.push(typeof v === 'number' ? v : specialFloat(v));
    } catch (err) {
      throw new LineError(`cannot unmarshal value at position ${i}: ${(err as Error).message}`);
    }
  }
  const rawTs = o.timestamps;
  if (!Array.isArray(rawTs) || rawTs.length === 0) throw new LineError('missing `timestamps` array');
  const timestampsMs: number[] = [];
  for (let i = 0; i < rawTs.length; i++) {
    const t: unknown = rawTs[i];
    if (typeof t !== 'number' || !Number.isInteger(t) || Math.abs(t) > 9.223372036854776e18) {
      throw new LineError(
        `cannot unmarshal timestamp at position ${i}: ${JSON.stringify(t)} is not an int64`,
      );
    }
    timestampsMs.push(t);
  }
  if (timestampsMs.length !== values.length) {
    throw new LineError(
      `\`timestamps\` array size must match \`values\` array size; got ${timestampsMs.length}; want ${values.length}`,
    );
  }
  return { tags, values, timestampsMs };
}

/**
 * One import line as scanVMImportLines hands it over, reused from line to line (copy what you keep): the
 * samples, and either the metric text (see metric()), not yet parsed or checked, or, for a line not in
 * the usual shape, the tags already parsed.
 */
export class VMImportLine {
  /** The text the line is in: the line is text[lineStart:lineEnd). */
  text = '';
  lineStart = 0;
  lineEnd = 0;
  metricStart = 0;
  metricEnd = 0;
  /** The tags when the line went the reference way; undefined when the metric is still text. */
  tags: Tag[] | undefined;
  count = 0;
  values = new Float64Array(8);
  timestampsMs = new Float64Array(8);

  /**
   * The metric text: from the metric object's `{` to the `}` before the `"values"` key, as written. Lines
   * with equal metric texts have equal tags when one of them parses (see scanLine).
   */
  metric(): string {
    return this.text.slice(this.metricStart, this.metricEnd);
  }

  /** The line (without its line break). */
  line(): string {
    return this.text.slice(this.lineStart, this.lineEnd);
  }

  /** Doubles the sample arrays, keeping their contents. */
  grow(): void {
    const n = 2 * this.values.length;
    const values = new Float64Array(n);
    const timestampsMs = new Float64Array(n);
    values.set(this.values);
    timestampsMs.set(this.timestampsMs);
    this.values = values;
    this.timestampsMs = timestampsMs;
  }
}

/**
 * The tags of a scanned line whose metric is still text. This checks the whole line the reference way,
 * so a result may be kept for the metric text (scanLine says why). Throws LineError as parseVMImportLine.
 */
export function parseVMImportSeries(l: VMImportLine): Tag[] {
  return parseVMImportLine(l.line()).tags;
}

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

// JSON whitespace (a line has no '\n'); forward from i, or back from i with skipWSBack.
function skipWS(s: string, i: number): number {
  let c = s.charCodeAt(i);
  while (c === SPACE || c === TAB || c === CR) c = s.charCodeAt(++i);
  return i;
}

function skipWSBack(s: string, i: number): number {
  let c = s.charCodeAt(i);
  while (c === SPACE || c === TAB || c === CR) c = s.charCodeAt(--i);
  return i;
}

// The keys as char codes: a charCodeAt loop is ~3x faster than startsWith(key, i) here (cpu profile of the
// scan, node 20: startsWith was a third of the line's time).
const metricKey = codes('"metric"');
const valuesKey = codes('"values"');
const timestampsKey = codes('"timestamps"');
const nullValue = codes('null');

function codes(s: string): Uint16Array {
  return Uint16Array.from(s, (c) => c.charCodeAt(0));
}

// Whether s has the chars `key` at i.
function hasAt(s: string, i: number, key: Uint16Array): boolean {
  if (i < 0) return false;
  for (let k = 0; k < key.length; k++) if (s.charCodeAt(i + k) !== key[k]) return false;
  return true;
}

// `"key"` then `:` at i (whitespace around); returns the index after the colon, or -1.
function skipKey(s: string, i: number, key: Uint16Array): number {
  if (!hasAt(s, i, key)) return -1;
  i = skipWS(s, i + key.length);
  return s.charCodeAt(i) === COLON ? skipWS(s, i + 1) : -1;
}

function digitsEnd(s: string, i: number): number {
  let c = s.charCodeAt(i);
  while (c >= ZERO && c <= NINE) c = s.charCodeAt(++i);
  return i;
}

// The end of the JSON number at i (RFC 8259 grammar), or -1.
function numberEnd(s: string, i: number): number {
  if (s.charCodeAt(i) === MINUS) i++;
  const c = s.charCodeAt(i);
  if (c === ZERO) i++;
  else if (c > ZERO && c <= NINE) i = digitsEnd(s, i + 1);
  else return -1;
  if (s.charCodeAt(i) === DOT) {
    const j = digitsEnd(s, i + 1);
    if (j === i + 1) return -1;
    i = j;
  }
  const e = s.charCodeAt(i);
  if (e === 0x65 || e === 0x45 /* e E */) {
    i++;
    const sign = s.charCodeAt(i);
    if (sign === 0x2b || sign === MINUS) i++;
    const j = digitsEnd(s, i);
    if (j === i) return -1;
    i = j;
  }
  return i;
}

// `[v,...]` at i into dst.values (a JSON number, as JSON.parse reads it, or null = NaN); returns the index
// after `]` or -1 for anything else (an empty array, strings, bad syntax).
function scanValues(s: string, i: number, dst: VMImportLine): number {
  if (s.charCodeAt(i) !== LBRACKET) return -1;
  let n = 0;
  for (;;) {
    i = skipWS(s, i + 1);
    let v: number;
    if (s.charCodeAt(i) === 0x6e /* n */ && hasAt(s, i, nullValue)) {
      v = NaN;
      i += 4;
    } else {
      const end = numberEnd(s, i);
      if (end < 0) return -1;
      // Exact for the JSON grammar: tryParseFloatRange's fast path rounds once, its slow path is `+s`.
      v = tryParseFloatRange(s, i, end)!;
      i = end;
    }
    if (n === dst.values.length) dst.grow();
    dst.values[n++] = v;
    i = skipWS(s, i);
    const c = s.charCodeAt(i);
    if (c === RBRACKET) break;
    if (c !== COMMA) return -1;
  }
  dst.count = n;
  return i + 1;
}

// `[t,...]` at i into dst.timestampsMs, as many as values; only plain integers of up to 15 digits (exact,
// within int64); returns the index after `]` or -1 for anything else.
function scanTimestamps(s: string, i: number, dst: VMImportLine): number {
  if (s.charCodeAt(i) !== LBRACKET) return -1;
  const ts = dst.timestampsMs;
  const count = dst.count;
  let n = 0;
  for (;;) {
    i = skipWS(s, i + 1);
    const neg = s.charCodeAt(i) === MINUS;
    if (neg) i++;
    const start = i;
    let t = 0;
    let c = s.charCodeAt(i);
    while (c >= ZERO && c <= NINE) {
      t = t * 10 + (c - ZERO);
      c = s.charCodeAt(++i);
    }
    const digits = i - start;
    if (digits === 0 || digits > 15 || (digits > 1 && s.charCodeAt(start) === ZERO)) return -1;
    if (c === DOT || c === 0x65 || c === 0x45 || n === count) return -1;
    ts[n++] = neg ? -t : t;
    i = skipWS(s, i);
    c = s.charCodeAt(i);
    if (c === RBRACKET) break;
    if (c !== COMMA) return -1;
  }
  return n === count ? i + 1 : -1;
}

/*
 * Reads the line s[from:to) of the usual shape into dst, the metric left as text; false for any other
 * line. The usual shape: `{"metric":{...},"values":[...],"timestamps":[...]}`, whitespace allowed between
 * tokens, values JSON numbers or null, timestamps integers of up to 15 digits.
 *
 * The metric text ends at the first `}` followed by `,"values":[` (whitespace allowed), found by looking
 * back from each `[` (indexOf) instead of walking the object: on this 2-core box a charCodeAt costs
 * ~6 ns, the walk was the top of the profile, and indexOf('"values"') alone took ~200 ns a line. The text is checked by nobody here; why a cache keyed by it is still exact: a handler
 * keeps the tags of a metric text only after parseVMImportSeries accepted a line L with it. Any line X
 * with the same metric text M differs from L only in whitespace before M and in the part after M, which
 * this scan checked to be `,"values":[numbers],"timestamps":[integers]}`. JSON-wise that part closes the
 * top-level object in X exactly as it did in L (it parsed there), so X parses too, to the same members
 * from M (its metric: tags are a function of M alone) and to values and timestamps that this scan read
 * as JSON.parse would (the last "values"/"timestamps" win, and those are the ones after M).
 */
function scanLine(s: string, from: number, to: number, dst: VMImportLine): boolean {
  let i = skipWS(s, from);
  if (s.charCodeAt(i) !== LBRACE) return false;
  i = skipKey(s, skipWS(s, i + 1), metricKey);
  if (i < 0 || s.charCodeAt(i) !== LBRACE) return false;
  const metricStart = i;
  // The values array: the first `[` after the metric's `{` that follows `},"values":`.
  for (i = s.indexOf('[', i + 1); ; i = s.indexOf('[', i + 1)) {
    if (i < 0 || i >= to) return false;
    let j = skipWSBack(s, i - 1);
    if (s.charCodeAt(j) !== COLON) continue;
    j = skipWSBack(s, j - 1) - 7;
    if (j <= metricStart || !hasAt(s, j, valuesKey)) continue;
    j = skipWSBack(s, j - 1);
    if (s.charCodeAt(j) !== COMMA) continue;
    j = skipWSBack(s, j - 1);
    if (s.charCodeAt(j) !== RBRACE || j < metricStart) continue;
    dst.metricStart = metricStart;
    dst.metricEnd = j + 1;
    break;
  }
  if ((i = scanValues(s, i, dst)) < 0) return false;
  i = skipWS(s, i);
  if (s.charCodeAt(i) !== COMMA) return false;
  i = skipKey(s, skipWS(s, i + 1), timestampsKey);
  if (i < 0 || (i = scanTimestamps(s, i, dst)) < 0) return false;
  i = skipWS(s, i);
  // Whitespace only after the `}` (skipWS may run on past `to` over the \r of a \r\n line end).
  return s.charCodeAt(i) === RBRACE && skipWS(s, i + 1) >= to;
}

/**
 * Scans JSON lines (`\n` or `\r\n` endings, empty lines skipped), calling onLine for each good line (the
 * same VMImportLine every time) and onError for each bad one (1-based line numbers). A line of the usual
 * shape comes with its metric as text, unchecked: call parseVMImportSeries for a metric text not seen
 * before (it may still find the line bad). Never throws on bad input; a LineError thrown by onLine is
 * reported as that line's error. Lines are not sliced out of text unless they go the reference way.
 */
export function scanVMImportLines(
  text: string,
  onLine: (line: VMImportLine) => void,
  onError: LineErrorHandler,
): void {
  const l = new VMImportLine();
  l.text = text;
  forEachLineRange(
    text,
    (from, to) => {
      l.lineStart = from;
      l.lineEnd = to;
      if (scanLine(text, from, to, l)) {
        l.tags = undefined;
      } else {
        const row = parseVMImportLine(text.slice(from, to));
        l.tags = row.tags;
        while (l.values.length < row.values.length) l.grow();
        l.values.set(row.values);
        l.timestampsMs.set(row.timestampsMs);
        l.count = row.values.length;
      }
      onLine(l);
    },
    onError,
  );
}

/**
 * Parses JSON lines into whole rows, calling onRow for each good line and onError for each bad one: the
 * scan with the tags of each metric text parsed once per call (the push handler's way in miniature). Never
 * throws on bad input.
 */
export function parseVMImportLines(
  text: string,
  onRow: (row: VMImportRow) => void,
  onError: LineErrorHandler,
): void {
  const seen = new Map<string, Tag[]>();
  scanVMImportLines(
    text,
    (l) => {
      let tags = l.tags;
      if (tags === undefined) {
        const metric = l.metric();
        tags = seen.get(metric);
        if (tags === undefined) seen.set(metric, (tags = parseVMImportSeries(l)));
      }
      onRow({
        tags: tags.map((t) => ({ key: t.key, value: t.value })),
        values: Array.from(l.values.subarray(0, l.count)),
        timestampsMs: Array.from(l.timestampsMs.subarray(0, l.count)),
      });
    },
    onError,
  );
}
