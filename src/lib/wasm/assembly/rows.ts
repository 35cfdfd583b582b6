// AssemblyScript (compiled to WebAssembly by `npm run build`; not TypeScript for tsc).
//
// The row buffer the fast-path scanners write (route id, value, timestamp) rows into, and the output
// that turns those rows into remote-write bytes without a JavaScript call per row (../rows.ts drives
// it): a route id names the encoded label sets of its series and the slot (one remote-write shard
// buffer of one URL) each goes to; outEmit appends `TimeSeries{labels, samples: [one]}` fields, the same
// bytes prompb/encode.ts WriteRequestBuffer writes, to each slot's staging area, which the JavaScript
// side then moves into that shard's buffer. Routes the JavaScript side keeps (limits broken, dropped
// series) and rows with timestamps other than whole milliseconds in [0, 2^53) are listed back to it.

import { copyBytes } from './mem';

// Regions (addresses from outInit). The JavaScript side empties a dirty slot (staged bytes and rows to 0)
// after every outEmit.
let ctl: usize = 0; // i32 [emitted, jsRows, dirtySlots]
let rowCap: usize = 0; // a row buffer: rowCap i32 route ids, rowCap f64 values, rowCap f64 timestamps
let jsRows: usize = 0; // i32 row index per row left to the JavaScript side
let routes: usize = 0; // 8-byte entries: first part, parts (-1: the JavaScript side's)
let routeCap: i32 = 0;
let parts: usize = 0; // 12-byte entries: labels address, labels length, slot
let partCap: u32 = 0;
let partCount: u32 = 0;
let labels: usize = 0;
let labelsPos: usize = 0;
let labelsEnd: usize = 0;
let slots: usize = 0; // 8-byte entries: staged bytes, staged rows
let stage: usize = 0; // slot s stages at stage + s * stageCap
let stageCap: u32 = 0;
let dirty: usize = 0; // i32 slot per slot with staged rows

/** Sets the regions (JavaScript reserved them, fresh and zeroed). */
export function outInit(
  ctlAt: usize,
  rows: i32,
  jsRowsAt: usize,
  routesAt: usize,
  routesCap: i32,
  partsAt: usize,
  partsCap: u32,
  labelsAt: usize,
  labelsBytes: usize,
  slotsAt: usize,
  stageAt: usize,
  stageBytes: u32,
  dirtyAt: usize,
): void {
  ctl = ctlAt;
  rowCap = <usize>rows;
  jsRows = jsRowsAt;
  routes = routesAt;
  routeCap = routesCap;
  parts = partsAt;
  partCap = partsCap;
  labels = labelsAt;
  labelsPos = labelsAt;
  labelsEnd = labelsAt + labelsBytes;
  slots = slotsAt;
  stage = stageAt;
  stageCap = stageBytes;
  dirty = dirtyAt;
  outReset();
}

/** Forgets every route (ids are given out again from 0 by the scanners' tables). */
export function outReset(): void {
  partCount = 0;
  labelsPos = labels;
}

/** Room for n bytes of encoded labels: their address, or 0 when the labels region is full (reset). */
export function outLabels(n: usize): usize {
  if (labelsPos + n > labelsEnd) return 0;
  const at = labelsPos;
  labelsPos += n;
  return at;
}

/** Makes route `id` the JavaScript side's (its rows are listed back). False when id is beyond the table. */
export function outRouteJS(id: i32): bool {
  if (id < 0 || id >= routeCap) return false;
  const e = routes + (<usize>id << 3);
  store<u32>(e, 0);
  store<i32>(e, -1, 4);
  return true;
}

/**
 * Starts route `id` with no parts (its rows are counted as written and go nowhere, as a series every URL's
 * relabeling dropped); outAddPart adds them. False when id is beyond the table.
 */
export function outRouteStart(id: i32): bool {
  if (id < 0 || id >= routeCap) return false;
  const e = routes + (<usize>id << 3);
  store<u32>(e, partCount);
  store<i32>(e, 0, 4);
  return true;
}

/**
 * Adds a part to route `id` (the last one started): labels [at, at+n) from outLabels go to slot s.
 * False when the parts table is full (reset).
 */
export function outAddPart(id: i32, at: usize, n: u32, s: i32): bool {
  if (partCount >= partCap) return false;
  const e = routes + (<usize>id << 3);
  const pe = parts + (<usize>partCount << 2) * 3;
  store<u32>(pe, <u32>at);
  store<u32>(pe, n, 4);
  store<i32>(pe, s, 8);
  partCount++;
  store<i32>(e, load<i32>(e, 4) + 1, 4);
  return true;
}

@inline function varintLen(v: u64): u32 {
  let n: u32 = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

@inline function putVarint(p: usize, v: u64): usize {
  while (v >= 0x80) {
    store<u8>(p++, <u8>(v | 0x80));
    v >>= 7;
  }
  store<u8>(p++, <u8>v);
  return p;
}

// The largest timestamp written here: beyond it, floating-point milliseconds are not exact integers.
const maxTs: f64 = 9007199254740991;

/**
 * Writes rows [from, n) of the row buffer at rowsAt. A row of a JavaScript route, or with a timestamp that is not a
 * whole number in [0, 2^53), is listed in jsRows instead. Stops before a row that one of its slots has
 * no room for: the JavaScript side moves the staged bytes of the dirty slots out, then takes the listed
 * rows, and calls again from the returned row. ctl gets [rows written, rows listed, dirty slots].
 *
 * A series keeps its order: its route is either the JavaScript side's (all its rows are listed) or
 * written here, except for rows listed for their timestamps. So such a row is listed only when nothing
 * was staged before it in this call, and nothing is staged after it.
 */
export function outEmit(rowsAt: usize, from: i32, n: i32): i32 {
  const rowRoute = rowsAt;
  const rowValue = rowsAt + (rowCap << 2);
  const rowTs = rowValue + (rowCap << 3);
  let emitted = 0;
  let listed = 0;
  let dirtyCount = 0;
  let lastTs: f64 = -1;
  let tsLen: u32 = 0;
  let tsListed = false;
  let i = from;
  for (; i < n; i++) {
    const re = routes + (<usize>load<i32>(rowRoute + (<usize>i << 2)) << 3);
    const np = load<i32>(re, 4);
    const ts = load<f64>(rowTs + (<usize>i << 3));
    if (np < 0) {
      store<i32>(jsRows + (<usize>listed << 2), i);
      listed++;
      continue;
    }
    if (!(ts >= 0 && ts <= maxTs) || ts != Math.floor(ts)) {
      if (dirtyCount > 0) break;
      store<i32>(jsRows + (<usize>listed << 2), i);
      listed++;
      tsListed = true;
      continue;
    }
    if (tsListed) break;
    if (ts != lastTs) {
      lastTs = ts;
      tsLen = varintLen(<u64>ts);
    }
    const p0 = parts + (<usize>load<u32>(re) << 2) * 3;
    const pEnd = p0 + <usize>np * 12;
    // Room in every slot first, so that a row is written to all of its slots or none.
    let full = false;
    for (let pe = p0; pe < pEnd; pe += 12) {
      const seriesLen = load<u32>(pe, 4) + 12 + tsLen;
      const se = slots + (<usize>load<i32>(pe, 8) << 3);
      if (load<u32>(se) + 1 + varintLen(seriesLen) + seriesLen > stageCap) {
        full = true;
        break;
      }
    }
    if (full) break;
    const value = load<f64>(rowValue + (<usize>i << 3));
    for (let pe = p0; pe < pEnd; pe += 12) {
      const ln = load<u32>(pe, 4);
      const s = load<i32>(pe, 8);
      const se = slots + (<usize>s << 3);
      const staged = load<u32>(se);
      const rows = load<u32>(se, 4);
      if (rows == 0) {
        store<i32>(dirty + (<usize>dirtyCount << 2), s);
        dirtyCount++;
      }
      // TimeSeries{labels, Sample{value, timestamp}}, as WriteRequestBuffer.appendSample.
      let q = stage + <usize>s * stageCap + staged;
      const start = q;
      store<u8>(q++, 0x0a);
      q = putVarint(q, ln + 12 + tsLen);
      copyBytes(q, <usize>load<u32>(pe), ln);
      q += ln;
      store<u8>(q, 0x12);
      store<u8>(q, <u8>(10 + tsLen), 1);
      store<u8>(q, 0x09, 2);
      store<f64>(q, value, 3);
      store<u8>(q, 0x10, 11);
      q = putVarint(q + 12, <u64>ts);
      store<u32>(se, staged + <u32>(q - start));
      store<u32>(se, rows + 1, 4);
    }
    emitted++;
  }
  store<i32>(ctl, emitted);
  store<i32>(ctl, listed, 4);
  store<i32>(ctl, dirtyCount, 8);
  return i;
}
