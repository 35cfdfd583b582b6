// AssemblyScript (compiled to WebAssembly by `npm run build`; not TypeScript for tsc).
//
// The fast path of OpenTSDB telnet ingestion (keyed.ts runs it; ../../protoparser/opentsdb/fast.ts binds
// it): lines of the exact shape `put metric timestamp value[ tags]` (single spaces up to the tags, a plain
// decimal value, a timestamp of digits) become rows; any other line is left to the JavaScript parser
// (protoparser/opentsdb/parser.ts), which takes it exactly as before. The key of a line is its metric, a
// space and its tags text as written, the pair the JavaScript route cache keys it by (the space keeps
// `put ab 1 1 c=d` and `put a 1 1 bc=d` apart).
import { findEither, numberOk, parseDigits, parseValue, setLine } from './influx';
import { copyBytes } from './mem';

// Where a line's key is put together; longer keys go to the JavaScript path.
const keyCap: usize = 4096;
const keyBuf = memory.data(<i32>keyCap);

// `put ` read as a little-endian u32.
const putPrefix: u32 = 0x20747570;

/**
 * Reads the line [p, lineEnd) when it has the shape (setLine), else false. nowMs is "now" in whole
 * seconds as milliseconds; trimMs > 1000 trims timestamps to it.
 */
@inline export function opentsdbLine(p: usize, lineEnd: usize, nowMs: f64, trimMs: f64): bool {
  // put metric ts value[ tags]: one space each, no field empty.
  const m = p + 4;
  if (lineEnd <= m || load<u32>(p) != putPrefix) return false;
  const s1 = findEither(m, lineEnd, 32, 32);
  const s2 = s1 < lineEnd ? findEither(s1 + 1, lineEnd, 32, 32) : lineEnd;
  const s3 = s2 < lineEnd ? findEither(s2 + 1, lineEnd, 32, 32) : lineEnd;
  if (s1 == m || s2 >= lineEnd || s2 == s1 + 1 || s3 == s2 + 1) return false;
  const value = parseValue(s2 + 1, s3, false);
  // Up to 13 digits: seconds below 2^32, else milliseconds; 0 means now.
  const t = parseDigits(s1 + 1, s2, 13);
  if (!numberOk || t < 0) return false;
  let ts = t == 0 ? nowMs : t < 4294967296 ? t * 1e3 : t;
  if (trimMs > 1000) ts -= ts % trimMs;
  // The key: metric, a space, the tags text (empty when the line has none).
  const mn = s1 - m;
  const tags = s3 < lineEnd ? s3 + 1 : lineEnd;
  const tn = lineEnd - tags;
  if (mn + 1 + tn > keyCap) return false;
  copyBytes(keyBuf, m, mn);
  store<u8>(keyBuf + mn, 32);
  copyBytes(keyBuf + mn + 1, tags, tn);
  setLine(value, ts, keyBuf, mn + 1 + tn);
  return true;
}
