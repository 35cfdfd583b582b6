// The fast path of OpenTSDB telnet ingestion: the WebAssembly scanner (../../wasm/assembly/opentsdb.ts)
// takes the lines `put metric timestamp value[ tags]` whose metric and tags text it has seen before and
// whose value and timestamp it reads exactly as parser.ts does; KeyedLineScanner (../../wasm/lines.ts) runs it
// and hands every other line to the caller's JavaScript path, which may register the series it resolved.
// Pure code.
import type { ChunkScan } from '../../wasm/lines.js';
import { wasm } from '../../wasm/module.js';

/** The OpenTSDB scanner for context ctx, with "now" and -opentsdbTrimTimestamp as scanOpenTSDBLines takes them. */
export function openTSDBChunkScan(ctx: number, opts: { nowMs: number; trimMs?: number }): ChunkScan {
  const nowMs = Math.floor(opts.nowMs / 1e3) * 1e3;
  const trimMs = opts.trimMs ?? 1000;
  return (p, end) => wasm.keyedScan(p, end, ctx, 1, nowMs, trimMs);
}
