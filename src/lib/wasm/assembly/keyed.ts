// AssemblyScript (compiled to WebAssembly by `npm run build`; not TypeScript for tsc).
//
// The keyed line scanners (../lines.ts KeyedLineScanner drives them): graphite, OpenTSDB telnet and
// Prometheus text, one key per line. A line of its protocol's plain shape whose key is in the table
// (influx.ts, registered by the JavaScript side) becomes a (route id, value, timestamp) row; a line whose
// key is unknown stops the scan with statusMiss and its key recorded (setMissKey), so the JavaScript side
// only names the route it resolved; any other line stops it with statusSlow.
import { graphiteLine } from './graphite';
import {
  curLineEnd,
  keyAt,
  keyLen,
  keyRoute,
  lineTs,
  lineValue,
  nextBreak,
  nextLine,
  putRow,
  rowCap,
  scanEnd,
  setMissKey,
  statusDone,
  statusMiss,
  statusRowsFull,
  statusSlow,
} from './influx';
import { opentsdbLine } from './opentsdb';
import { promLine } from './prometheus';

// The protocols (the JavaScript side passes these numbers).
const graphite = 0;
const opentsdb = 1;
const prometheus = 2;

/**
 * Scans the lines of [p, end) of protocol `kind` for series context ctx, as influxScan does (same ctl,
 * statuses and return value). nowMs is "now" (graphite and OpenTSDB: whole seconds as milliseconds;
 * Prometheus: the timestamp of rows without one); trimMs > 1000 trims graphite and OpenTSDB timestamps.
 */
export function keyedScan(p: usize, end: usize, ctx: u32, kind: i32, nowMs: f64, trimMs: f64): usize {
  // One loop per protocol: inlined with a constant kind, each keeps only its own steps.
  return kind == graphite
    ? scanLoop(p, end, ctx, graphite, nowMs, trimMs)
    : kind == opentsdb
      ? scanLoop(p, end, ctx, opentsdb, nowMs, trimMs)
      : scanLoop(p, end, ctx, prometheus, nowMs, trimMs);
}

@inline function scanLoop(p: usize, end: usize, ctx: u32, kind: i32, nowMs: f64, trimMs: f64): usize {
  let rows: i32 = 0;
  let lines: i32 = 0;
  let status = statusDone;
  while (p < end) {
    if (rows >= rowCap) {
      status = statusRowsFull;
      break;
    }
    // Prometheus text needs only the line's end; graphite and OpenTSDB use what linePass finds.
    const q = kind == prometheus ? nextBreak(p, end) : nextLine(p, end, kind == graphite);
    const lineEnd = curLineEnd;
    if (lineEnd == p || (kind == prometheus && load<u8>(p) == 35) /* # */) {
      lines++;
      p = q + 1;
      continue;
    }
    const ok =
      kind == graphite
        ? graphiteLine(p, lineEnd, nowMs, trimMs)
        : kind == opentsdb
          ? opentsdbLine(p, lineEnd, nowMs, trimMs)
          : promLine(p, lineEnd, nowMs);
    if (!ok) {
      status = statusSlow;
      break;
    }
    const r = keyRoute(ctx, keyAt, keyLen);
    if (r < 0) {
      setMissKey(keyAt, keyLen);
      status = statusMiss;
      break;
    }
    putRow(rows, r, lineValue, lineTs);
    rows++;
    lines++;
    p = q + 1;
  }
  return scanEnd(p, end, status, rows, lines);
}
