// AssemblyScript (compiled to WebAssembly by `npm run build`; not TypeScript for tsc).
//
// The fast path of OpenTSDB telnet ingestion (../../protoparser/opentsdb/fast.ts drives it): lines of the
// exact shape `put metric timestamp value[ tags]` (single spaces up to the tags, a plain decimal value, a
// timestamp of digits) whose metric and tags text were seen before become (route id, value, timestamp)
// rows; any other line stops the scan for the JavaScript parser (protoparser/opentsdb/parser.ts), which
// takes it exactly as before. The key of a line is its metric, a space and its tags text as written, the
// pair the JavaScript route cache keys it by. Shares the regions, the table and the helpers of influx.ts.
import {
  ctl,
  findEither,
  keyRoute,
  linePass,
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

// Where a line's key is put together; longer keys go to the JavaScript path.
const keyCap: usize = 4096;
const keyBuf = memory.data(<i32>keyCap);

// `put ` read as a little-endian u32.
const putPrefix: u32 = 0x20747570;

/**
 * Scans the lines of [p, end) for series context ctx, as influxScan does (same ctl, statuses and return
 * value). nowMs is "now" in whole seconds as milliseconds; trimMs > 1000 trims timestamps to it.
 */
export function opentsdbScan(p: usize, end: usize, ctx: u32, nowMs: f64, trimMs: f64): usize {
  let rows: i32 = 0;
  let lines: i32 = 0;
  let status = statusDone;
  while (p < end) {
    if (rows >= rowCap) {
      status = statusRowsFull;
      break;
    }
    const q = linePass(p, end, false);
    store<i32>(ctl, <i32>q, 12);
    let lineEnd = q;
    if (lineEnd > p && load<u8>(lineEnd - 1) == 13) lineEnd--;
    if (lineEnd == p) {
      lines++;
      p = q + 1;
      continue;
    }
    // put metric ts value[ tags]: one space each, no field empty.
    const m = p + 4;
    if (lineEnd <= m || load<u32>(p) != putPrefix) {
      status = statusSlow;
      break;
    }
    const s1 = findEither(m, lineEnd, 32, 32);
    const s2 = s1 < lineEnd ? findEither(s1 + 1, lineEnd, 32, 32) : lineEnd;
    const s3 = s2 < lineEnd ? findEither(s2 + 1, lineEnd, 32, 32) : lineEnd;
    if (s1 == m || s2 >= lineEnd || s2 == s1 + 1 || s3 == s2 + 1) {
      status = statusSlow;
      break;
    }
    const value = parseValue(s2 + 1, s3, false);
    // Up to 13 digits: seconds below 2^32, else milliseconds; 0 means now.
    const t = parseDigits(s1 + 1, s2, 13);
    if (!numberOk || t < 0) {
      status = statusSlow;
      break;
    }
    let ts = t == 0 ? nowMs : t < 4294967296 ? t * 1e3 : t;
    if (trimMs > 1000) ts -= ts % trimMs;
    // The key: metric, a space, the tags text (empty when the line has none).
    const mn = s1 - m;
    const tags = s3 < lineEnd ? s3 + 1 : lineEnd;
    const tn = lineEnd - tags;
    if (mn + 1 + tn > keyCap) {
      status = statusSlow;
      break;
    }
    memory.copy(keyBuf, m, mn);
    store<u8>(keyBuf + mn, 32);
    memory.copy(keyBuf + mn + 1, tags, tn);
    const r = keyRoute(ctx, keyBuf, mn + 1 + tn);
    if (r < 0) {
      setMissKey(keyBuf, mn + 1 + tn);
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
