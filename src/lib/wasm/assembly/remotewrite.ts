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

// A failed lenAt.
const bad: u64 = 0xffffffffffffffff;

// The length prefix (a varint of at most 5 bytes) at q of a field that must end by end: the length in the
// high half and the position after the prefix in the low half, or `bad`. Positions are locals, not module
// globals: V8 keeps a WebAssembly global in memory, and a global position made the scan a third slower.
@inline function lenAt(q: usize, end: usize): u64 {
  if (q < end) {
    // One byte: the usual label, and a sample.
    const b = <u64>load<u8>(q);
    if (b < 0x80) return b > <u64>(end - q - 1) ? bad : (b << 32) | <u64>(q + 1);
  }
  let v: u64 = 0;
  let shift: u64 = 0;
  for (let i = 0; i < 5; i++) {
    if (q >= end) return bad;
    const b = load<u8>(q++);
    v |= <u64>(b & 0x7f) << shift;
    if (b < 0x80) return v > <u64>(end - q) ? bad : (v << 32) | <u64>q;
    shift += 7;
  }
  return bad;
}

const maxTimestamp: u64 = <u64>1 << 53;

/**
 * Scans the WriteRequest [p, p+n) for series context ctx. Returns the number of series (their entries
 * hold the route id of the key, -1 when unknown), or -1 when JavaScript must take the request.
 */
export function rwScan(p: usize, n: usize, ctx: u32): i32 {
  const end = p + n;
  const entries = series;
  const vals = values;
  const ts = stamps;
  let q = p;
  let count: u32 = 0;
  let samples: u32 = 0;
  emitSeries = 0;
  emitSample = 0;
  while (q < end) {
    if (load<u8>(q) != 0x0a || count >= seriesCap) return -1;
    let r = lenAt(q + 1, end);
    if (r == bad) return -1;
    q = <usize>(<u32>r);
    const seriesEnd = q + <usize>(r >>> 32);
    const e = entries + (<usize>count << 4);
    store<u32>(e, samples, 12);
    let ls: usize = 0;
    let le: usize = 0;
    while (q < seriesEnd) {
      const start = q;
      const tag = load<u8>(q);
      r = lenAt(q + 1, seriesEnd);
      if (r == bad) return -1;
      q = <usize>(<u32>r);
      const fe = q + <usize>(r >>> 32);
      if (tag == 0x0a) {
        // A label: the labels must be one range.
        if (le == 0) ls = start;
        else if (le != start) return -1;
        le = fe;
      } else if (tag == 0x12) {
        if (samples >= sampleCap) return -1;
        let v: f64 = 0;
        let t: u64 = 0;
        while (q < fe) {
          const st = load<u8>(q++);
          if (st == 0x09 && fe - q >= 8) {
            v = load<f64>(q);
            q += 8;
          } else if (st == 0x10) {
            // A varint of at most 10 bytes, up to 2^53. One of up to 8 bytes within the field (any
            // timestamp up to 2^53 written without padding) is read in one 8-byte load: its bytes up to the
            // first one below 0x80, their 7-bit groups put together.
            const x = load<u64>(q); // may read past fe (the body region has room); masked below
            const stops = ~x & 0x8080808080808080;
            const k = <usize>ctz(stops) >> 3; // the last byte's index (8 when none of the 8 ends it)
            if (stops != 0 && k < fe - q) {
              const w = k == 7 ? x : x & ((<u64>1 << (<u64>(k + 1) << 3)) - 1);
              t =
                (w & 0x7f) |
                ((w >> 1) & 0x3f80) |
                ((w >> 2) & 0x1fc000) |
                ((w >> 3) & 0xfe00000) |
                ((w >> 4) & 0x7f0000000) |
                ((w >> 5) & 0x3f800000000) |
                ((w >> 6) & 0x1fc0000000000) |
                ((w >> 7) & 0xfe000000000000);
              q += k + 1;
              if (t > maxTimestamp) return -1;
              continue;
            }
            t = 0;
            let shift: u64 = 0;
            let done = false;
            for (let i = 0; i < 10 && q < fe; i++) {
              const b = load<u8>(q++);
              t |= <u64>(b & 0x7f) << shift;
              if (b < 0x80) {
                done = true;
                break;
              }
              shift += 7;
            }
            if (!done || t > maxTimestamp) return -1;
          } else {
            return -1;
          }
        }
        store<f64>(vals + (<usize>samples << 3), v);
        store<f64>(ts + (<usize>samples << 3), <f64>t);
        samples++;
      } else {
        return -1;
      }
      q = fe;
    }
    if (le == 0) return -1;
    store<i32>(e, keyRoute(ctx, ls, le - ls));
    store<u32>(e, <u32>(ls - p), 4);
    store<u32>(e, <u32>(le - p), 8);
    count++;
  }
  store<u32>(entries + (<usize>count << 4), samples, 12);
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
