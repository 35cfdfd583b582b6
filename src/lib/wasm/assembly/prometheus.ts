// AssemblyScript (compiled to WebAssembly by `npm run build`; not TypeScript for tsc).
//
// The fast path of Prometheus text import (keyed.ts runs it; ../../protoparser/prometheus/fast.ts binds
// it): sample lines of the exact shape `key value[ timestamp]` (one space each, a plain decimal value, a
// timestamp of digits) become rows (comment and blank lines are skipped by keyed.ts); any other line is
// left to the JavaScript parser (protoparser/prometheus/parser.ts), which takes it exactly as before. The
// key is found as that parser finds it (the metric name up to a space, tab or `{`, then a label block
// whose quoted values may hold anything), so a line's key is the text the JavaScript route cache keys it
// by.
import { findEither, numberOk, parseDigits, parseValue, setLine } from './influx';

// The first space, tab or `{` of [p, end), or end; 16 bytes at a time (reads up to 15 bytes past end).
@inline function nameEnd(p: usize, end: usize): usize {
  while (p < end) {
    const v = v128.load(p);
    const m = i8x16.bitmask(
      v128.or(v128.or(i8x16.eq(v, i8x16.splat(32)), i8x16.eq(v, i8x16.splat(9))), i8x16.eq(v, i8x16.splat(123))),
    );
    if (m != 0) {
      const at = p + <usize>ctz(m);
      return at < end ? at : end;
    }
    p += 16;
  }
  return end;
}

// labelBlockEnd for a block with backslashes: quote by quote.
function labelBlockEndEscaped(p: usize, end: usize): usize {
  while (true) {
    const c = findEither(p, end, 125 /* } */, 34 /* " */);
    if (c >= end) return 0;
    if (load<u8>(c) == 125) return c + 1;
    let q = c + 1;
    while (true) {
      const x = findEither(q, end, 34, 92 /* \ */);
      if (x >= end) return 0;
      if (load<u8>(x) == 34) {
        p = x + 1;
        break;
      }
      q = x + 2;
    }
  }
}

// Just past the `}` closing the label block whose `{` is at p - 1, or 0 when the line ends first. A quoted
// value ends at the first `"` not escaped by a backslash (each backslash escapes the byte after it). 16
// bytes at a time: without backslashes, a `}` closes the block when an even number of quotes come before
// it (a prefix XOR of the quote bits, carried from block to block); with any, quote by quote.
function labelBlockEnd(p: usize, end: usize): usize {
  let inside: u32 = 0; // 0xffff when the 16 bytes at q start inside quotes
  for (let q = p; q < end; q += 16) {
    const v = v128.load(q);
    const rem = end - q;
    const valid: u32 = rem < 16 ? (<u32>1 << <u32>rem) - 1 : 0xffff;
    if ((<u32>i8x16.bitmask(i8x16.eq(v, i8x16.splat(92))) & valid) != 0) return labelBlockEndEscaped(p, end);
    let x = <u32>i8x16.bitmask(i8x16.eq(v, i8x16.splat(34))) & valid;
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x = (x ^ inside) & 0xffff;
    const out = <u32>i8x16.bitmask(i8x16.eq(v, i8x16.splat(125))) & valid & ~x;
    if (out != 0) return q + <usize>ctz(out) + 1;
    inside = (x >> 15) != 0 ? 0xffff : 0;
  }
  return 0;
}

/**
 * Reads the sample line [p, lineEnd) when it has the shape (setLine), else false. nowMs is the timestamp
 * of rows without one (or with 0).
 */
@inline export function promLine(p: usize, lineEnd: usize, nowMs: f64): bool {
  // The key: name{labels} or name, then one space, the value, and maybe one space and the timestamp.
  let keyEnd = nameEnd(p, lineEnd);
  if (keyEnd == p || keyEnd >= lineEnd) return false;
  if (load<u8>(keyEnd) == 123 && (keyEnd = labelBlockEnd(keyEnd + 1, lineEnd)) == 0) return false;
  const v = keyEnd + 1;
  const sp = v < lineEnd ? findEither(v, lineEnd, 32, 32) : lineEnd;
  if (keyEnd >= lineEnd || load<u8>(keyEnd) != 32 || sp == v || load<u8>(v) == 43 /* + */) return false;
  const value = parseValue(v, sp, false);
  // Up to 15 digits: seconds below 2^31, else milliseconds; none or 0 means now.
  const t = sp < lineEnd ? parseDigits(sp + 1, lineEnd, 15) : 0;
  if (!numberOk || t < 0) return false;
  setLine(value, t == 0 ? nowMs : t < 2147483648 ? t * 1e3 : t, p, keyEnd - p);
  return true;
}
