// AssemblyScript (compiled to WebAssembly by `npm run build`; not TypeScript for tsc).
//
// The fast path of Prometheus remote-write ingestion (../remotewrite.ts drives it). rwScan reads a
// decompressed WriteRequest in linear memory: per series the byte range of its label fields (the key the
// JavaScript route cache keys it by, looked up in the shared table of influx.ts) and its samples. It takes
// only the plain shape (series of label and sample fields, samples of a value and a timestamp up to 2^53,
// the labels in one range, one-byte tags, within the capacities); for anything else it answers -1 and
// the JavaScript scanner (prompb/scan.ts) takes the request, with its exact checks and messages. The
// JavaScript side resolves the series the table did not know, then rwEmit writes every row, series by
// series, into the row buffer for the output.
import { keyRoute, putRow, rowCap } from './influx';

// Regions (addresses from rwInit): 16-byte series entries (route id, labels start and end relative to
// the request, first sample) and the samples' values and timestamps.
let series: usize = 0;
let seriesCap: u32 = 0;
let values: usize = 0;
let stamps: usize = 0;
let sampleCap: u32 = 0;
let seriesCount: u32 = 0;
// Where rwEmit goes on.
let emitSeries: u32 = 0;
let emitSample: u32 = 0;

/** Sets the regions (JavaScript reserved them). */
export function rwInit(seriesAt: usize, seriesN: u32, samplesAt: usize, samplesN: u32): void {
  series = seriesAt;
  seriesCap = seriesN;
  values = samplesAt;
  stamps = samplesAt + (<usize>samplesN << 3);
  sampleCap = samplesN;
}

let pos: usize = 0;
let ok = true;

// A varint of at most maxBytes at pos (before end); clears ok when it is not one.
@inline function varint(end: usize, maxBytes: i32): u64 {
  let v: u64 = 0;
  let shift: u64 = 0;
  for (let i = 0; i < maxBytes && pos < end; i++) {
    const b = load<u8>(pos++);
    v |= <u64>(b & 0x7f) << shift;
    if (b < 0x80) return v;
    shift += 7;
  }
  ok = false;
  return 0;
}

// A length prefix at pos whose field ends by end: the field's end, or 0 (ok cleared).
@inline function fieldEnd(end: usize): usize {
  const n = varint(end, 5);
  if (!ok || n > <u64>(end - pos)) {
    ok = false;
    return 0;
  }
  return pos + <usize>n;
}

const maxTimestamp: u64 = <u64>1 << 53;

/**
 * Scans the WriteRequest [p, p+n) for series context ctx. Returns the number of series (their entries
 * hold the route id of the key, -1 when unknown), or -1 when JavaScript must take the request.
 */
export function rwScan(p: usize, n: usize, ctx: u32): i32 {
  const end = p + n;
  pos = p;
  ok = true;
  let count: u32 = 0;
  let samples: u32 = 0;
  emitSeries = 0;
  emitSample = 0;
  while (pos < end) {
    if (load<u8>(pos++) != 0x0a || count >= seriesCap) return -1;
    const seriesEnd = fieldEnd(end);
    if (!ok) return -1;
    const e = series + (<usize>count << 4);
    store<u32>(e, samples, 12);
    let ls: usize = 0;
    let le: usize = 0;
    while (pos < seriesEnd) {
      const start = pos;
      const tag = load<u8>(pos++);
      const fe = fieldEnd(seriesEnd);
      if (!ok) return -1;
      if (tag == 0x0a) {
        // A label: the labels must be one range.
        if (le == 0) ls = start;
        else if (le != start) return -1;
        le = fe;
      } else if (tag == 0x12) {
        if (samples >= sampleCap) return -1;
        let v: f64 = 0;
        let t: u64 = 0;
        while (pos < fe) {
          const st = load<u8>(pos++);
          if (st == 0x09 && fe - pos >= 8) {
            v = load<f64>(pos);
            pos += 8;
          } else if (st == 0x10) {
            t = varint(fe, 10);
            if (!ok || t > maxTimestamp) return -1;
          } else {
            return -1;
          }
        }
        store<f64>(values + (<usize>samples << 3), v);
        store<f64>(stamps + (<usize>samples << 3), <f64>t);
        samples++;
      } else {
        return -1;
      }
      pos = fe;
    }
    if (le == 0) return -1;
    store<i32>(e, keyRoute(ctx, ls, le - ls));
    store<u32>(e, <u32>(ls - p), 4);
    store<u32>(e, <u32>(le - p), 8);
    count++;
  }
  store<u32>(series + (<usize>count << 4), samples, 12);
  seriesCount = count;
  return <i32>count;
}

/**
 * Writes the next rows of the scanned series (every route id set by then) into the row buffer, in series
 * order; returns how many (0 when all are written).
 */
export function rwEmit(): i32 {
  let rows: i32 = 0;
  while (emitSeries < seriesCount && rows < rowCap) {
    const e = series + (<usize>emitSeries << 4);
    const id = load<i32>(e);
    const last = load<u32>(e, 28); // the next entry's first sample
    while (emitSample < last && rows < rowCap) {
      const at = <usize>emitSample << 3;
      putRow(rows, id, load<f64>(values + at), load<f64>(stamps + at));
      rows++;
      emitSample++;
    }
    if (emitSample >= last) emitSeries++;
  }
  return rows;
}
