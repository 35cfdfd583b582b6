// AssemblyScript (compiled to WebAssembly by `npm run build`; not TypeScript for tsc).
//
// The fast path of InfluxDB line protocol ingestion (../../protoparser/influx/fast.ts drives it): scans a
// chunk of lines in linear memory, looks each line's series text and field keys up in a table of the
// series the JavaScript side resolved before, parses values and timestamps, and writes one
// (route id, value, timestamp) row per field. Any line it cannot take exactly as the JavaScript parser
// would (escapes, quotes, exponents, booleans, unsigned, signs on timestamps, non-ASCII, an unknown series
// or field) stops the scan at that line, and the JavaScript side handles it. Routes are the JavaScript
// side's numbers; nothing here knows labels.

import { bytesEqual } from './mem';

// Status of a scan (ctl[0]).
export const statusDone = 0; // every line of the chunk was taken
export const statusRowsFull = 1; // the row buffer is full: drain it and scan again from the returned position
export const statusMiss = 2; // an unknown series or field: the JavaScript side takes the line and registers it
export const statusSlow = 3; // a line only the JavaScript parser takes

// Regions (addresses from influxInit; the other line scanners share them and the table).
export let ctl: usize = 0; // i32 [status, rows, lines, lineEnd]
export let rowRoute: usize = 0; // i32 per row
export let rowValue: usize = 0; // f64 per row
export let rowTs: usize = 0; // f64 per row
export let rowCap: i32 = 0;
// The series table: open-addressing slots (u32: entry index + 1, 0 free) over 32-byte entries in the order
// they were added (hash, ctx, keyOff, keyLen, firstField (index + 1), keyed route + 1). Pushers send their
// series in the same order every time, so a lookup first tries the entry after the one found last: in that
// order the entries are read one after the other, and neither the key's hash nor a slot (a cache miss
// each under load) is needed.
let slots: usize = 0;
let entries: usize = 0;
let tableMask: u32 = 0;
let seriesCount: u32 = 0;
let lastEntry: u32 = 0; // the entry found or added last, + 1 (0: none)
let freeSlot: usize = 0; // where the series findSeries did not find would go
let fields: usize = 0; // 16-byte entries: next (index + 1), keyOff, keyLen | single << 31, route
let fieldCount: u32 = 0;
let fieldCap: u32 = 0;
let arena: usize = 0;
let arenaPos: usize = 0;
let arenaEnd: usize = 0;

/** Sets the regions (JavaScript reserved them, fresh and zeroed). */
export function influxInit(
  ctlAt: usize,
  rowsAt: usize,
  rows: i32,
  tableAt: usize,
  tableBits: u32,
  fieldsAt: usize,
  fieldsCap: u32,
  arenaAt: usize,
  arenaBytes: usize,
): void {
  ctl = ctlAt;
  rowCap = rows;
  rowRoute = rowsAt;
  rowValue = rowsAt + (<usize>rows << 2);
  rowTs = rowValue + (<usize>rows << 3);
  slots = tableAt;
  entries = tableAt + (<usize>4 << tableBits);
  tableMask = (1 << tableBits) - 1;
  fields = fieldsAt;
  fieldCap = fieldsCap;
  arena = arenaAt;
  arenaEnd = arenaAt + arenaBytes;
  // Fresh regions are zero already: filling the table would only make its pages resident.
  seriesCount = 0;
  lastEntry = 0;
  fieldCount = 0;
  arenaPos = arena;
}

/** The bytes of the table region for 2^tableBits slots: the slots, and entries for half as many series. */
export function influxTableBytes(tableBits: u32): usize {
  return (<usize>4 << tableBits) + (<usize>32 << (tableBits - 1));
}

/** Forgets every series and field. */
export function influxReset(): void {
  memory.fill(slots, 0, (<usize>tableMask + 1) << 2);
  seriesCount = 0;
  lastEntry = 0;
  fieldCount = 0;
  arenaPos = arena;
}

// A 32-bit hash of ctx and [p, p+n), never 0 (0 marks a free slot). Two independent 64-bit lanes take 16
// bytes a step, so the multiply chain is an eighth of a 4-byte-step hash's (series keys are 40-130 bytes;
// the chain was ~40% of the remote-write scan per series).
function hashKey(ctx: u32, p: usize, n: usize): u32 {
  let a: u64 = 0x9e3779b97f4a7c15 ^ <u64>n;
  let b: u64 = (<u64>ctx + 1) * 0xc2b2ae3d27d4eb4f;
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    a = rotl<u64>(a ^ (load<u64>(p + i) * 0x87c37b91114253d5), 31) * 0x4cf5ad432745937f;
    b = rotl<u64>(b ^ (load<u64>(p + i + 8) * 0x4cf5ad432745937f), 33) * 0x87c37b91114253d5;
  }
  if (i + 8 <= n) {
    a = rotl<u64>(a ^ (load<u64>(p + i) * 0x87c37b91114253d5), 31) * 0x4cf5ad432745937f;
    i += 8;
  }
  if (i + 4 <= n) {
    b = rotl<u64>(b ^ (<u64>load<u32>(p + i) * 0x4cf5ad432745937f), 33) * 0x87c37b91114253d5;
    i += 4;
  }
  for (; i < n; i++) a = (a ^ <u64>load<u8>(p + i)) * 0x100000001b3;
  let h = a ^ rotl<u64>(b, 29);
  h ^= h >>> 33;
  h *= 0xff51afd7ed558ccd;
  h ^= h >>> 29;
  return <u32>(h ^ (h >>> 32)) | 1;
}

// Whether entry e is series [p, p+n) of ctx.
@inline function entryIs(e: usize, ctx: u32, p: usize, n: usize): bool {
  return load<u32>(e, 4) == ctx && load<u32>(e, 12) == <u32>n && bytesEqual(<usize>load<u32>(e, 8), p, n);
}

// The entry of series [p, p+n) in ctx, or 0 (freeSlot is then where it would go): the entry after the
// last one found, else by hash.
function findSeries(ctx: u32, p: usize, n: usize): usize {
  if (lastEntry < seriesCount) {
    const e = entries + (<usize>lastEntry << 5);
    if (entryIs(e, ctx, p, n)) {
      lastEntry++;
      return e;
    }
  }
  const h = hashKey(ctx, p, n);
  let i = h & tableMask;
  while (true) {
    const s = slots + (<usize>i << 2);
    const x = load<u32>(s);
    if (x == 0) {
      freeSlot = s;
      return 0;
    }
    const e = entries + (<usize>(x - 1) << 5);
    if (load<u32>(e) == h && entryIs(e, ctx, p, n)) {
      lastEntry = x;
      return e;
    }
    i = (i + 1) & tableMask;
  }
}

// Adds series [p, p+n) of ctx where findSeries said (it found nothing just before); returns its entry, or
// 0 when the table is full.
function addSeries(ctx: u32, p: usize, n: usize): usize {
  if (seriesCount >= (tableMask + 1) >> 1 || arenaPos + n > arenaEnd) return 0;
  memory.copy(arenaPos, p, n);
  const e = entries + (<usize>seriesCount << 5);
  store<u32>(e, hashKey(ctx, p, n));
  store<u32>(e, ctx, 4);
  store<u32>(e, <u32>arenaPos, 8);
  store<u32>(e, <u32>n, 12);
  store<u32>(e, 0, 16);
  store<i32>(e, 0, 20);
  arenaPos += n;
  seriesCount++;
  store<u32>(freeSlot, seriesCount);
  lastEntry = seriesCount;
  return e;
}

// The route of field [p, p+n) of series entry e, or -1.
function findField(e: usize, p: usize, n: usize, single: u32): i32 {
  const want = <u32>n | (single << 31);
  let f = load<u32>(e, 16);
  while (f != 0) {
    const fe = fields + (<usize>(f - 1) << 4);
    if (load<u32>(fe, 8) == want && bytesEqual(<usize>load<u32>(fe, 4), p, n)) return load<i32>(fe, 12);
    f = load<u32>(fe);
  }
  return -1;
}

/**
 * Registers series [p, p+n) in ctx (found or added) and its field [fp, fp+fn) with `single` (alone on its
 * line under -influxSkipSingleField) as `route`. Returns 1 when the field was added, 2 when it was known
 * already (route is not used), 0 when the table is full: reset and retry.
 */
export function influxAddField(ctx: u32, p: usize, n: usize, fp: usize, fn: usize, single: u32, route: i32): i32 {
  let e = findSeries(ctx, p, n);
  if (e == 0 && (e = addSeries(ctx, p, n)) == 0) return 0;
  if (findField(e, fp, fn, single) >= 0) return 2;
  if (fieldCount >= fieldCap || arenaPos + fn > arenaEnd) return 0;
  memory.copy(arenaPos, fp, fn);
  const fe = fields + (<usize>fieldCount << 4);
  store<u32>(fe, load<u32>(e, 16));
  store<u32>(fe, <u32>arenaPos, 4);
  store<u32>(fe, <u32>fn | (single << 31), 8);
  store<i32>(fe, route, 12);
  arenaPos += fn;
  fieldCount++;
  store<u32>(e, fieldCount, 16);
  return 1;
}

// The first byte of [p, end) that is a or b, or end; 16 bytes at a time (reads up to 15 bytes past end).
@inline export function findEither(p: usize, end: usize, a: u8, b: u8): usize {
  while (p < end) {
    const v = v128.load(p);
    const m = i8x16.bitmask(v128.or(i8x16.eq(v, i8x16.splat(a)), i8x16.eq(v, i8x16.splat(b))));
    if (m != 0) {
      const at = p + <usize>ctz(m);
      return at < end ? at : end;
    }
    p += 16;
  }
  return end;
}

// What linePass found: the first and the last space, the number of spaces, and whether the line has a
// byte a fast path leaves alone (\ " non-ASCII, and with `tabs` a tab).
export let lineSp1: usize = 0;
export let lineSp2: usize = 0;
export let lineSpaces: i32 = 0;
export let lineOdd: u32 = 0;

/**
 * One pass over the line at p, 16 bytes at a time: returns its end (its newline, or end), and sets the
 * line* globals. Bytes past `end` are read (the caller's region has room) but masked.
 */
@inline export function linePass(p: usize, end: usize, tabs: bool): usize {
  let sp1: usize = 0;
  let sp2: usize = 0;
  let spaces: i32 = 0;
  let odd: u32 = 0;
  let q = p;
  while (true) {
    const v = v128.load(q);
    let nl = i8x16.bitmask(i8x16.eq(v, i8x16.splat(10)));
    let sp = i8x16.bitmask(i8x16.eq(v, i8x16.splat(32)));
    let oddBytes = v128.or(v128.or(i8x16.eq(v, i8x16.splat(92)), i8x16.eq(v, i8x16.splat(34))), v);
    if (tabs) oddBytes = v128.or(oddBytes, i8x16.eq(v, i8x16.splat(9)));
    let od = i8x16.bitmask(oddBytes);
    const rem = end - q;
    if (rem < 16) nl |= <i32>1 << <i32>rem; // the end of the chunk ends the line as a newline would
    let k: i32 = 16;
    if (nl != 0) {
      k = ctz(nl);
      const below = (<i32>1 << k) - 1;
      sp &= below;
      od &= below;
    }
    if (sp != 0) {
      if (spaces == 0) sp1 = q + <usize>ctz(sp);
      sp2 = q + <usize>(31 - clz(sp));
      spaces += popcnt(sp);
    }
    odd |= od;
    if (k < 16) {
      q += <usize>k;
      break;
    }
    q += 16;
  }
  lineSp1 = sp1;
  lineSp2 = sp2;
  lineSpaces = spaces;
  lineOdd = odd;
  return q;
}

// The end of the line nextLine found, without its \r.
export let curLineEnd: usize = 0;

/**
 * Finds the line at p (linePass), records its break in ctl[3] and its end without a \r in curLineEnd;
 * returns its break (a newline, or end).
 */
@inline export function nextLine(p: usize, end: usize, tabs: bool): usize {
  const q = linePass(p, end, tabs);
  store<i32>(ctl, <i32>q, 12);
  let e = q;
  if (e > p && load<u8>(e - 1) == 13) e--;
  curLineEnd = e;
  return q;
}

/** nextLine for a parser that needs only the line's end (Prometheus text): one compare per 16 bytes. */
@inline export function nextBreak(p: usize, end: usize): usize {
  const q = findEither(p, end, 10, 10);
  store<i32>(ctl, <i32>q, 12);
  let e = q;
  if (e > p && load<u8>(e - 1) == 13) e--;
  curLineEnd = e;
  return q;
}

// What a keyed line parser (graphite.ts, opentsdb.ts, prometheus.ts) found in a line of its shape: the
// row's value and timestamp and the line's key [keyAt, keyAt + keyLen).
export let lineValue: f64 = 0;
export let lineTs: f64 = 0;
export let keyAt: usize = 0;
export let keyLen: usize = 0;

/** Records what a keyed line parser found (see lineValue). */
@inline export function setLine(value: f64, ts: f64, at: usize, n: usize): void {
  lineValue = value;
  lineTs = ts;
  keyAt = at;
  keyLen = n;
}

/** Writes row i of the row buffer. */
@inline export function putRow(i: i32, route: i32, value: f64, ts: f64): void {
  store<i32>(rowRoute + (<usize>i << 2), route);
  store<f64>(rowValue + (<usize>i << 3), value);
  store<f64>(rowTs + (<usize>i << 3), ts);
}

/**
 * The route of key [p, p+n) in ctx (a series without fields, as the other scanners keep, its route in its
 * entry), or -1.
 */
export function keyRoute(ctx: u32, p: usize, n: usize): i32 {
  const e = findSeries(ctx, p, n);
  return e == 0 ? -1 : load<i32>(e, 20) - 1;
}

/** Registers key [p, p+n) in ctx as `route`; returns as influxAddField. */
export function keyAdd(ctx: u32, p: usize, n: usize, route: i32): i32 {
  let e = findSeries(ctx, p, n);
  if (e == 0 && (e = addSeries(ctx, p, n)) == 0) return 0;
  if (load<i32>(e, 20) != 0) return 2;
  store<i32>(e, route + 1, 20);
  return 1;
}

// The key of the line the last keyed scan (graphite, OpenTSDB, Prometheus text) stopped at with
// statusMiss: the JavaScript side registers the route it resolved for that line under it (missKeyAdd).
let missKeyAt: usize = 0;
let missKeyLen: usize = 0;

/** Records the key of the line a keyed scan stops at with statusMiss (the key stays where it is). */
@inline export function setMissKey(at: usize, n: usize): void {
  missKeyAt = at;
  missKeyLen = n;
}

/** Registers the key of the last missed line in ctx as `route`; returns as influxAddField. */
export function missKeyAdd(ctx: u32, route: i32): i32 {
  return keyAdd(ctx, missKeyAt, missKeyLen, route);
}

// The powers of ten a 15-digit decimal is scaled by exactly (as protoparserutil/numbers.ts).
const pow10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
  1e19, 1e20, 1e21, 1e22,
];

export let numberOk = false;

// A value as the JavaScript parsers read it (protoparserutil/numbers.ts), for the forms they read exactly
// the same way: [+-]digits[.digits] with at most 15 digits, and with `ints` [-]digits`i` with at most 15
// digits. Anything else clears numberOk.
export function parseValue(p: usize, e: usize, ints: bool): f64 {
  numberOk = false;
  if (p >= e) return 0;
  let intSuffix = false;
  if (ints && load<u8>(e - 1) == 105 /* i */) {
    intSuffix = true;
    e--;
  }
  let i = p;
  const c0 = load<u8>(i);
  const neg = c0 == 45;
  if (neg || (c0 == 43 && !intSuffix)) i++;
  // Integer accumulation: exact for the 15 digits taken, as the JavaScript parser's floating-point one.
  let mant: u64 = 0;
  let digits = 0;
  let scale = 0;
  for (; i < e; i++) {
    const d = <u32>load<u8>(i) - 48;
    if (d > 9) break;
    mant = mant * 10 + <u64>d;
    digits++;
  }
  if (i < e && load<u8>(i) == 46 && !intSuffix) {
    const f = ++i;
    for (; i < e; i++) {
      const d = <u32>load<u8>(i) - 48;
      if (d > 9) break;
      mant = mant * 10 + <u64>d;
    }
    digits += <i32>(i - f);
    scale = <i32>(f - i);
  }
  if (i < e || digits == 0 || digits > 15 || scale < -22) return 0;
  numberOk = true;
  const v = scale == 0 ? <f64>mant : <f64>mant / unchecked(pow10[-scale]);
  return neg ? -v : v;
}

// The 8 ASCII digits in x (the first in the low byte) as a number, or -1 when a byte is not a digit. All
// eight at once (SWAR, as simdjson's parse_eight_digits_unrolled): pairs, then quads, then the whole.
@inline function digits8(x: u64): i64 {
  const hi: u64 = 0xf0f0f0f0f0f0f0f0;
  if ((x & hi) != 0x3030303030303030 || ((x + 0x0606060606060606) & hi) != 0x3030303030303030) return -1;
  x = ((x & 0x0f0f0f0f0f0f0f0f) * 2561) >>> 8;
  x = ((x & 0x00ff00ff00ff00ff) * 6553601) >>> 16;
  return <i64>(((x & 0x0000ffff0000ffff) * 42949672960001) >>> 32);
}

// The n (1 to 8) digits at p as a number (-1 when a byte is not a digit): loaded as the last n of eight,
// led by '0's (reads 8 bytes at p, as the scanners may).
@inline function digitsUpTo8(p: usize, n: usize): i64 {
  const x = load<u64>(p) << (<u64>(8 - n) << 3);
  return digits8(n == 8 ? x : x | (<u64>0x3030303030303030 >>> (<u64>n << 3)));
}

/**
 * The digits [p, e) (1 to maxDigits of them, at most 16) as a number, or -1 when there are none, too many,
 * or another byte. Reads up to 8 bytes at p (the scanners' regions have room past their end).
 */
export function parseDigits(p: usize, e: usize, maxDigits: usize): f64 {
  if (e <= p || e - p > maxDigits) return -1;
  const n = e - p;
  if (n <= 8) {
    const v = digitsUpTo8(p, n);
    return v < 0 ? -1 : <f64>v;
  }
  const hi = digitsUpTo8(p, n - 8);
  const lo = digits8(load<u64>(e - 8));
  return (hi | lo) < 0 ? -1 : <f64>(hi * 100000000 + lo);
}

let timestampOk = false;

// A timestamp of digits only, converted to ms as the JavaScript parser does (influx/parser.ts
// convertTimestamp, with the same floating-point steps): scaleK -2 means auto-detect by magnitude, else
// the precision's [k, mul]. Zero means `nowTs`. Beyond what is sure to fit int64 clears timestampOk.
function parseTimestamp(p: usize, e: usize, scaleK: i32, scaleMul: f64, nowTs: f64): f64 {
  timestampOk = false;
  let i = p;
  while (i < e && load<u8>(i) == 48) i++;
  const sig = i;
  const split = <isize>e - 6;
  // Integer accumulation: exact (at most 13 + 6 digits), as the JavaScript parser's floating-point one.
  let hiN: u64 = 0;
  let loN: u64 = 0;
  for (; i < e; i++) {
    const d = <u32>load<u8>(i) - 48;
    if (d > 9) return 0;
    if (<isize>i < split) hiN = hiN * 10 + <u64>d;
    else loN = loN * 10 + <u64>d;
  }
  const hi = <f64>hiN;
  const lo6 = <f64>loN;
  const digits = <i32>(e - sig);
  if (e == p || digits > 19 || (digits == 19 && load<u8>(sig) >= 57)) return 0;
  timestampOk = true;
  if (hi == 0 && lo6 == 0) return nowTs;
  let k = scaleK;
  let mul: f64 = scaleMul;
  if (k == -2) k = digits >= 18 ? 6 : digits >= 15 ? 3 : digits >= 12 ? 0 : -1;
  if (k == 6) return hi;
  if (k == 3) return hi * 1e3 + Math.floor(lo6 / 1e3);
  const v = hi * 1e6 + lo6;
  if (k == 0) return v * mul;
  return v * 1e3;
}

/**
 * Scans the lines of [p, end) for series context ctx. Rows go to the row buffer (ctl[1] of them); ctl[2]
 * counts the lines taken. Stops at the end (statusDone), when the buffer cannot hold the next line's rows
 * (statusRowsFull), or at a line for the JavaScript side (statusMiss/statusSlow; ctl[3] is where its line
 * break is, or end). Returns the position to go on from: the stopping line's start.
 */
export function influxScan(
  p: usize,
  end: usize,
  ctx: u32,
  skipSingle: u32,
  scaleK: i32,
  scaleMul: f64,
  nowTs: f64,
  trimMs: f64,
): usize {
  let rows: i32 = 0;
  let lines: i32 = 0;
  let status = statusDone;
  while (p < end) {
    const q = nextLine(p, end, false);
    const lineEnd = curLineEnd;
    const sp1 = lineSp1;
    const sp2 = lineSp2;
    const spaces = lineSpaces;
    const odd = lineOdd;
    if (lineEnd == p || load<u8>(p) == 35 /* # */) {
      lines++;
      p = q + 1;
      continue;
    }
    if (odd != 0 || spaces == 0 || spaces > 2 || sp1 == p || (spaces == 2 && (sp2 == sp1 + 1 || sp2 + 1 >= lineEnd))) {
      status = statusSlow;
      break;
    }
    // Fields: key=value[,key=value...] up to the second space or the line's end.
    const fEnd = spaces == 2 ? sp2 : lineEnd;
    let nf = 0;
    let f = sp1 + 1;
    let bad = false;
    while (true) {
      // key=value: the key ends at the first '=' (a ',' first, or none, or an empty key: slow); a value
      // with a '=' is slow too (it is no number).
      const eq = findEither(f, fEnd, 61, 44);
      const c = eq < fEnd ? findEither(eq + 1, fEnd, 44, 61) : fEnd;
      if (eq >= fEnd || eq == f || load<u8>(eq) != 61 || (c < fEnd && load<u8>(c) == 61)) {
        numberOk = false;
        bad = true;
        break;
      }
      const v = parseValue(eq + 1, c, true);
      if (!numberOk || rows + nf >= rowCap) {
        bad = true;
        break;
      }
      store<f64>(rowValue + (<usize>(rows + nf) << 3), v);
      // The key's position until the route is known: [f, eq) packed in the route slot's place.
      store<i32>(rowRoute + (<usize>(rows + nf) << 2), <i32>(f - p));
      store<f64>(rowTs + (<usize>(rows + nf) << 3), <f64>(eq - f));
      nf++;
      if (c >= fEnd) break;
      f = c + 1;
    }
    if (bad) {
      // Out of row space: drain and come back, unless the line alone has more fields than the buffer.
      status = numberOk && rows > 0 ? statusRowsFull : statusSlow;
      break;
    }
    let ts = nowTs;
    if (spaces == 2) {
      ts = parseTimestamp(sp2 + 1, lineEnd, scaleK, scaleMul, nowTs);
      if (!timestampOk) {
        status = statusSlow;
        break;
      }
    }
    if (trimMs > 1) ts -= ts % trimMs;
    // Look the series and its fields up; unknown ones go to the JavaScript side.
    const n = sp1 - p;
    const e = findSeries(ctx, p, n);
    if (e == 0) {
      status = statusMiss;
      break;
    }
    const single: u32 = skipSingle != 0 && nf == 1 ? 1 : 0;
    let miss = false;
    for (let k = 0; k < nf; k++) {
      const at = rowRoute + (<usize>(rows + k) << 2);
      const kp = p + <usize>load<i32>(at);
      const kn = <usize>load<f64>(rowTs + (<usize>(rows + k) << 3));
      const r = findField(e, kp, kn, single);
      if (r < 0) {
        miss = true;
        break;
      }
      store<i32>(at, r);
      store<f64>(rowTs + (<usize>(rows + k) << 3), ts);
    }
    if (miss) {
      status = statusMiss;
      break;
    }
    rows += nf;
    lines++;
    p = q + 1;
  }
  return scanEnd(p, end, status, rows, lines);
}

/** Ends a scan: its status, rows and lines into ctl; returns where to go on (p, at most end). */
export function scanEnd(p: usize, end: usize, status: i32, rows: i32, lines: i32): usize {
  store<i32>(ctl, status);
  store<i32>(ctl, rows, 4);
  store<i32>(ctl, lines, 8);
  return p > end ? end : p;
}
