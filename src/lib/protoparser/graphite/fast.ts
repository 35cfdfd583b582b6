// The fast path of graphite ingestion: the WebAssembly scanner (../../wasm/assembly/graphite.ts) takes the
// lines `series value[ timestamp]` whose series text it has seen before and whose value and timestamp it
// reads exactly as parser.ts does; KeyedLineScanner (../../wasm/lines.ts) runs it and hands every other line to
// the caller's JavaScript path, which may register the series it resolved. Pure code.
import type { ChunkScan } from '../../wasm/lines.js';
import { wasm } from '../../wasm/module.js';

/** The graphite scanner for context ctx, with "now" and -graphiteTrimTimestamp as scanGraphiteLines takes them. */
export function graphiteChunkScan(ctx: number, opts: { nowMs: number; trimMs?: number }): ChunkScan {
  const nowMs = Math.floor(opts.nowMs / 1e3) * 1e3;
  const trimMs = opts.trimMs ?? 1000;
  return (p, end) => wasm.keyedScan(p, end, ctx, 0, nowMs, trimMs);
}
