// The fast path of JSON-lines import: the WebAssembly scanner (../../wasm/assembly/vmimport.ts) takes the
// lines of the usual shape whose metric text it has seen before and whose values and timestamps it reads
// exactly as parser.ts scanLine does; KeyedLineScanner (../../wasm/lines.ts) runs it and hands every other
// line to the caller's JavaScript path, which may register the series it resolved. Pure code.
import type { ChunkScan } from '../../wasm/lines.js';
import { wasm } from '../../wasm/module.js';

/** The JSON-lines import scanner for context ctx. */
export function vmimportChunkScan(ctx: number): ChunkScan {
  return (p, end) => wasm.vmimportScan(p, end, ctx);
}
