// AssemblyScript (compiled to WebAssembly by `npm run build`; not TypeScript for tsc).
//
// The fast path of Graphite plaintext ingestion (../../protoparser/graphite/fast.ts drives it): lines of
// the exact shape `series value[ timestamp]` (single spaces, a plain decimal value, whole seconds) whose
// series text was seen before become (route id, value, timestamp) rows; any other line stops the scan
// for the JavaScript parser (protoparser/graphite/parser.ts), which takes it exactly as before. Shares
// the regions, the table and the helpers of influx.ts.
import {
  ctl,
  keyRoute,
  linePass,
  lineOdd,
  lineSp1,
  lineSp2,
  lineSpaces,
  numberOk,
  parseDigits,
  parseValue,
  rowCap,
  rowRoute,
  rowTs,
  rowValue,
  scanEnd,
  setMissKey,
  statusDone,
  statusMiss,
  statusRowsFull,
  statusSlow,
} from './influx';

/**
 * Scans the lines of [p, end) for series context ctx, as influxScan does (same ctl, statuses and return
 * value). nowMs is "now" in whole seconds as milliseconds; trimMs > 1000 trims timestamps to it.
 */
export function graphiteScan(p: usize, end: usize, ctx: u32, nowMs: f64, trimMs: f64): usize {
  let rows: i32 = 0;
  let lines: i32 = 0;
  let status = statusDone;
  while (p < end) {
    if (rows >= rowCap) {
      status = statusRowsFull;
      break;
    }
    const q = linePass(p, end, true);
    store<i32>(ctl, <i32>q, 12);
    let lineEnd = q;
    if (lineEnd > p && load<u8>(lineEnd - 1) == 13) lineEnd--;
    if (lineEnd == p) {
      lines++;
      p = q + 1;
      continue;
    }
    const sp1 = lineSp1;
    const spaces = lineSpaces;
    const vEnd = spaces == 2 ? lineSp2 : lineEnd;
    if (lineOdd != 0 || spaces == 0 || spaces > 2 || sp1 == p || vEnd == sp1 + 1 || (spaces == 2 && vEnd + 1 >= lineEnd)) {
      status = statusSlow;
      break;
    }
    const value = parseValue(sp1 + 1, vEnd, false);
    if (!numberOk) {
      status = statusSlow;
      break;
    }
    let ts = nowMs;
    if (spaces == 2) {
      // Whole seconds of at most 12 digits; 0 means now.
      const sec = parseDigits(vEnd + 1, lineEnd, 12);
      if (sec < 0) {
        status = statusSlow;
        break;
      }
      if (sec != 0) ts = sec * 1e3;
    }
    if (trimMs > 1000) ts -= ts % trimMs;
    const r = keyRoute(ctx, p, sp1 - p);
    if (r < 0) {
      setMissKey(p, sp1 - p);
      status = statusMiss;
      break;
    }
    store<i32>(rowRoute + (<usize>rows << 2), r);
    store<f64>(rowValue + (<usize>rows << 3), value);
    store<f64>(rowTs + (<usize>rows << 3), ts);
    rows++;
    lines++;
    p = q + 1;
  }
  return scanEnd(p, end, status, rows, lines);
}
