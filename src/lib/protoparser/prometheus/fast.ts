// The fast path of Prometheus text import: the WebAssembly scanner (../../wasm/assembly/prometheus.ts)
// takes the sample lines `key value[ timestamp]` whose series key it has seen before and whose value and
// timestamp it reads exactly as parser.ts does (text 0.0.4, not OpenMetrics), and skips comments;
// KeyedLineScanner (../../wasm/lines.ts) runs it and hands every other line to the caller's JavaScript path,
// which may register the series it resolved. Pure code.
import type { ChunkScan } from '../../wasm/lines.js';
import { wasm } from '../../wasm/module.js';

/** The Prometheus text scanner for context ctx; nowMs is the timestamp of rows without one (or with 0). */
export function promChunkScan(ctx: number, nowMs: number): ChunkScan {
  return (p, end) => wasm.keyedScan(p, end, ctx, 2, nowMs, 0);
}
