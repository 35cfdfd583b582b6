// The fast path of graphite ingestion: the WebAssembly scanner (../../wasm/assembly/graphite.ts) takes the
// lines `series value[ timestamp]` whose series text it has seen before and whose value and timestamp it
// reads exactly as parser.ts does; every other line goes to the caller's JavaScript path, which may
// register the series it resolved. Shares the table, chunking and output of ../../wasm/lines.ts. Pure code.
import { LineScanner } from '../../wasm/lines.js';
import type { FastSink } from '../../wasm/lines.js';
import { wasm } from '../../wasm/module.js';

/** Registers the route the JavaScript path resolved for a handed-over line's series text, line[0:seriesEnd). */
export type GraphiteRegister<R> = (seriesEnd: number, route: R) => void;

/** The graphite scanner on the process' line fast path. */
export class GraphiteFastPath<R> extends LineScanner {
  /**
   * Scans `bytes` (whole lines; the first is line `firstLineNum`) in context ctx, "now" and -graphiteTrimTimestamp
   * as scanGraphiteLines takes them: rows of known series go to sink, other lines to onSlowLine (with a
   * registrar when the series was only unknown), in the order of the input (for each series).
   */
  scan(
    bytes: Buffer,
    firstLineNum: number,
    ctx: number,
    opts: { nowMs: number; trimMs?: number },
    sink: FastSink<R>,
    onSlowLine: (line: Buffer, lineNum: number, register: GraphiteRegister<R> | undefined) => void,
  ): void {
    const nowMs = Math.floor(opts.nowMs / 1e3) * 1e3;
    const trimMs = opts.trimMs ?? 1000;
    this.lines.scan(
      bytes,
      firstLineNum,
      (p, end) => wasm.graphiteScan(p, end, ctx, nowMs, trimMs),
      sink,
      (line, lineNum, at) =>
        onSlowLine(
          line,
          lineNum,
          at === undefined
            ? undefined
            : (seriesEnd, route) =>
                this.lines.register(sink, route, (id) => wasm.keyAdd(ctx, at, seriesEnd, id)),
        ),
    );
  }
}
