// AssemblyScript (compiled to WebAssembly by `npm run build`; not TypeScript for tsc).
//
// The fast path of VictoriaMetrics JSON-lines import (../../protoparser/vmimport/fast.ts binds it; ../lines.ts
// KeyedLineScanner runs it): lines of the usual shape `{"metric":{...},"values":[...],"timestamps":[...]}`
// whose metric text is in the table (influx.ts, registered by the JavaScript side) become one
// (route id, value, timestamp) row per value. The metric text is found exactly as
// protoparser/vmimport/parser.ts scanLine finds it, and the part after it is checked as that scan checks
// it (or more strictly), which is what makes a route kept for the metric text exact (see scanLine). Values
// are JSON numbers of at most 15 digits without an exponent, or null; timestamps integers of at most 15
// digits. Any other line is left to the JavaScript parser, which takes it exactly as before.
import {
  curLineEnd,
  findEither,
  keyRoute,
  nextLine,
  numberOk,
  parseValue,
  putRow,
  rowCap,
  rowTs,
  scanEnd,
  setMissKey,
  statusDone,
  statusMiss,
  statusRowsFull,
  statusSlow,
} from './influx';

// The keys as little-endian words: `"metric"`, `"values"`, `"timestamps"` (8 + 4 bytes) and `null`.
const metricKey: u64 = 0x2263697274656d22;
const valuesKey: u64 = 0x227365756c617622;
const timestampsKey0: u64 = 0x617473656d697422;
const timestampsKey1: u32 = 0x2273706d;
const nullWord: u32 = 0x6c6c756e;

@inline function isWS(c: u32): bool {
  return c == 32 || c == 9 || c == 13;
}

// JSON whitespace forward from i, up to e.
@inline function skipWS(i: usize, e: usize): usize {
  while (i < e && isWS(load<u8>(i))) i++;
  return i;
}

// JSON whitespace backward from i (some byte at or before i is not whitespace: the metric's `{`).
@inline function skipWSBack(i: usize): usize {
  while (isWS(load<u8>(i))) i--;
  return i;
}

// Whether byte i of [.., e) is c.
@inline function byteIs(i: usize, e: usize, c: u8): bool {
  return i < e && load<u8>(i) == c;
}

// `"key":` at i (an 8-byte key word; whitespace around the colon); the index after the colon and the
// whitespace after it, or 0.
@inline function skipKey8(i: usize, e: usize, key: u64): usize {
  if (i + 8 > e || load<u64>(i) != key) return 0;
  i = skipWS(i + 8, e);
  return byteIs(i, e, 58) ? skipWS(i + 1, e) : 0;
}

@inline function digitsEnd(i: usize, e: usize): usize {
  while (i < e && <u32>load<u8>(i) - 48 <= 9) i++;
  return i;
}

// The end of the JSON number at i (RFC 8259 grammar), or 0 for no number and for one with an exponent
// (parseValue does not read exponents; such a line goes to the JavaScript parser).
function jsonNumberEnd(i: usize, e: usize): usize {
  if (byteIs(i, e, 45)) i++;
  if (i >= e) return 0;
  const c = <u32>load<u8>(i) - 48;
  if (c == 0) i++;
  else if (c <= 9) i = digitsEnd(i + 1, e);
  else return 0;
  if (byteIs(i, e, 46)) {
    const j = digitsEnd(i + 1, e);
    if (j == i + 1) return 0;
    i = j;
  }
  if (byteIs(i, e, 101) || byteIs(i, e, 69)) return 0;
  return i;
}

// What importLine found: the metric text and the rows it wrote, or why it stopped.
let metricAt: usize = 0;
let metricLen: usize = 0;
const lineSlow = -1; // a line for the JavaScript parser
const lineMiss = -2; // the metric text is not in the table (metricAt/metricLen hold it)
const lineFull = -3; // the line's rows do not fit after `rows`

// Reads the line [p, e) for context ctx: its rows from row `rows` on, returning how many, or one of the
// line* results above.
function importLine(p: usize, e: usize, ctx: u32, rows: i32): i32 {
  // {"metric":{
  let i = skipWS(p, e);
  if (!byteIs(i, e, 123)) return lineSlow;
  i = skipKey8(skipWS(i + 1, e), e, metricKey);
  if (i == 0 || !byteIs(i, e, 123)) return lineSlow;
  const ms = i;
  // The values array: the first `[` after the metric's `{` that follows `},"values":` (whitespace between
  // tokens); the metric text ends at that `}` (parser.ts scanLine, byte for byte).
  let b = ms + 1;
  let me: usize = 0;
  while (true) {
    b = findEither(b, e, 91, 91);
    if (b >= e) return lineSlow;
    let j = skipWSBack(b - 1);
    if (load<u8>(j) == 58) {
      const k = skipWSBack(j - 1);
      if (k > ms + 7 && load<u64>(k - 7) == valuesKey) {
        j = skipWSBack(k - 8);
        if (load<u8>(j) == 44) {
          j = skipWSBack(j - 1);
          if (load<u8>(j) == 125) {
            me = j + 1;
            break;
          }
        }
      }
    }
    b++;
  }
  const route = keyRoute(ctx, ms, me - ms);
  if (route < 0) {
    metricAt = ms;
    metricLen = me - ms;
    return lineMiss;
  }
  // [v, ...]: JSON numbers or null.
  let n: i32 = 0;
  i = b;
  while (true) {
    i = skipWS(i + 1, e);
    let v: f64;
    if (i + 4 <= e && load<u32>(i) == nullWord) {
      v = NaN;
      i += 4;
    } else {
      const ne = jsonNumberEnd(i, e);
      if (ne == 0) return lineSlow;
      v = parseValue(i, ne, false);
      if (!numberOk) return lineSlow;
      i = ne;
    }
    if (rows + n >= rowCap) return lineFull;
    putRow(rows + n, route, v, 0);
    n++;
    i = skipWS(i, e);
    if (i >= e) return lineSlow;
    const c = load<u8>(i);
    if (c == 93) break;
    if (c != 44) return lineSlow;
  }
  // ,"timestamps":[t, ...]: as many integers of up to 15 digits (no leading zero).
  i = skipWS(i + 1, e);
  if (!byteIs(i, e, 44)) return lineSlow;
  i = skipWS(i + 1, e);
  if (i + 12 > e || load<u64>(i) != timestampsKey0 || load<u32>(i + 8) != timestampsKey1) return lineSlow;
  i = skipWS(i + 12, e);
  if (!byteIs(i, e, 58)) return lineSlow;
  i = skipWS(i + 1, e);
  if (!byteIs(i, e, 91)) return lineSlow;
  let m: i32 = 0;
  while (true) {
    i = skipWS(i + 1, e);
    const neg = byteIs(i, e, 45);
    if (neg) i++;
    const start = i;
    let t: u64 = 0;
    while (i < e) {
      const d = <u32>load<u8>(i) - 48;
      if (d > 9) break;
      t = t * 10 + <u64>d;
      i++;
    }
    const digits = i - start;
    if (digits == 0 || digits > 15 || (digits > 1 && load<u8>(start) == 48)) return lineSlow;
    if (byteIs(i, e, 46) || byteIs(i, e, 101) || byteIs(i, e, 69) || m == n) return lineSlow;
    const ts = <f64>t;
    store<f64>(rowTs + (<usize>(rows + m) << 3), neg ? -ts : ts);
    m++;
    i = skipWS(i, e);
    if (i >= e) return lineSlow;
    const c = load<u8>(i);
    if (c == 93) break;
    if (c != 44) return lineSlow;
  }
  if (m != n) return lineSlow;
  i = skipWS(i + 1, e);
  if (!byteIs(i, e, 125) || skipWS(i + 1, e) != e) return lineSlow;
  return n;
}

/**
 * Scans the JSON lines of [p, end) for series context ctx, as influxScan does (same ctl, statuses and
 * return value): empty lines are skipped, and a line whose rows do not fit in the row buffer after the
 * rows before it stops the scan with statusRowsFull (statusSlow when it alone has more).
 */
export function vmimportScan(p: usize, end: usize, ctx: u32): usize {
  let rows: i32 = 0;
  let lines: i32 = 0;
  let status = statusDone;
  while (p < end) {
    const q = nextLine(p, end, false);
    const lineEnd = curLineEnd;
    if (lineEnd == p) {
      lines++;
      p = q + 1;
      continue;
    }
    const n = importLine(p, lineEnd, ctx, rows);
    if (n < 0) {
      if (n == lineMiss) {
        setMissKey(metricAt, metricLen);
        status = statusMiss;
      } else status = n == lineFull && rows > 0 ? statusRowsFull : statusSlow;
      break;
    }
    rows += n;
    lines++;
    p = q + 1;
  }
  return scanEnd(p, end, status, rows, lines);
}
