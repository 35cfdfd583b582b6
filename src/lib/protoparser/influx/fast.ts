// The fast path of influx ingestion: the WebAssembly scanner (../../wasm/assembly/influx.ts) takes the
// lines whose series and fields it has seen before and whose values and timestamps it reads exactly as
// parser.ts does; every other line goes to the caller's JavaScript path, which may register what it
// resolved so that the next line of that series stays in WebAssembly. The table, the chunking and the
// output are shared with the other line scanners (../../wasm/lines.ts, ../../wasm/rows.ts). Pure code.
//
// Why: in the JavaScript path a pushed row costs ~1 µs of scanning, slicing and Map lookups before it
// reaches the remote-write buffer, and vmagent's whole budget per row is ~0.9 µs.
import { LineScanner } from '../../wasm/lines.js';
import type { FastSink } from '../../wasm/lines.js';
import { wasm } from '../../wasm/module.js';
import { precisionScale } from './parser.js';

/** How a block is read: as scanInfluxLines' options, plus -influxSkipSingleField. */
export interface InfluxFastOptions {
  precision?: string;
  nowMs: number;
  trimMs?: number;
  skipSingleField: boolean;
}

/**
 * Registers what the JavaScript path resolved for a line it was handed: the series text is
 * line[0:seriesEnd), the field key line[keyStart:keyEnd) (positions in the line's bytes, which are
 * ASCII), `single` as -influxSkipSingleField saw it.
 */
export type InfluxRegister<R> = (
  seriesEnd: number,
  keyStart: number,
  keyEnd: number,
  single: boolean,
  route: R,
) => void;

/**
 * Receives a line for the JavaScript path: its bytes (valid during the call), its 1-based number, and
 * a registrar when the line is one the fast path could take once its series and fields are known.
 */
export type InfluxSlowLine<R> = (
  line: Buffer,
  lineNum: number,
  register: InfluxRegister<R> | undefined,
) => void;

/** The influx scanner on the process' line fast path. */
export class InfluxFastPath<R> extends LineScanner {
  /**
   * Scans `bytes` (whole lines; the first is line `firstLineNum`) in context ctx: rows of known series go to
   * sink, other lines to onSlowLine, in the order of the input (for each series). Returns the number of
   * lines.
   */
  scan(
    bytes: Buffer,
    firstLineNum: number,
    ctx: number,
    opts: InfluxFastOptions,
    sink: FastSink<R>,
    onSlowLine: InfluxSlowLine<R>,
  ): number {
    const precision = opts.precision ?? '';
    const scale = Object.hasOwn(precisionScale, precision) ? precisionScale[precision] : undefined;
    const unit = scale ? scale[1] : 1;
    const nowTs = unit > 1 ? opts.nowMs - (opts.nowMs % unit) : opts.nowMs;
    // -2: auto-detect by magnitude.
    const [k, mul] = scale ?? [-2, 1];
    const trimMs = opts.trimMs ?? 1;
    const skipSingle = opts.skipSingleField ? 1 : 0;
    return this.lines.scan(
      bytes,
      firstLineNum,
      (p, end) => wasm.influxScan(p, end, ctx, skipSingle, k, mul, nowTs, trimMs),
      sink,
      (line, lineNum, at) =>
        onSlowLine(line, lineNum, at === undefined ? undefined : this.#registrar(ctx, at, sink)),
    );
  }

  #registrar(ctx: number, line: number, sink: FastSink<R>): InfluxRegister<R> {
    return (seriesEnd, keyStart, keyEnd, single, route) =>
      this.lines.register(sink, route, (id) =>
        wasm.influxAddField(ctx, line, seriesEnd, line + keyStart, keyEnd - keyStart, single ? 1 : 0, id),
      );
  }
}
