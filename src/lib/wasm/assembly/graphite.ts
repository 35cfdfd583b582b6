// AssemblyScript (compiled to WebAssembly by `npm run build`; not TypeScript for tsc).
//
// The fast path of Graphite plaintext ingestion (keyed.ts runs it; ../../protoparser/graphite/fast.ts
// binds it): lines of the exact shape `series value[ timestamp]` (single spaces, a plain decimal value,
// whole seconds) become rows keyed by their series text; any other line is left to the JavaScript parser
// (protoparser/graphite/parser.ts), which takes it exactly as before.
import { lineOdd, lineSp1, lineSp2, lineSpaces, numberOk, parseDigits, parseValue, setLine } from './influx';

/**
 * Reads the line [p, lineEnd) (linePass with tabs ran over it) when it has the shape (setLine), else
 * false. nowMs is "now" in whole seconds as milliseconds; trimMs > 1000 trims timestamps to it.
 */
@inline export function graphiteLine(p: usize, lineEnd: usize, nowMs: f64, trimMs: f64): bool {
  const sp1 = lineSp1;
  const spaces = lineSpaces;
  const vEnd = spaces == 2 ? lineSp2 : lineEnd;
  if (lineOdd != 0 || spaces == 0 || spaces > 2 || sp1 == p || vEnd == sp1 + 1 || (spaces == 2 && vEnd + 1 >= lineEnd))
    return false;
  const value = parseValue(sp1 + 1, vEnd, false);
  if (!numberOk) return false;
  let ts = nowMs;
  if (spaces == 2) {
    // Whole seconds of at most 12 digits; 0 means now.
    const sec = parseDigits(vEnd + 1, lineEnd, 12);
    if (sec < 0) return false;
    if (sec != 0) ts = sec * 1e3;
  }
  if (trimMs > 1000) ts -= ts % trimMs;
  setLine(value, ts, p, sp1 - p);
  return true;
}
