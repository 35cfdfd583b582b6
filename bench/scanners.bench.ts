// The WebAssembly scanners alone, in cache: `npx tsc -p tsconfig.json && node dist/bench/scanners.bench.js`.
// CPU nanoseconds per row of the graphite and Prometheus text line scanners (keyed.ts, the loop they share
// with OpenTSDB's) and per series of the remote-write scanner (copy into module memory
// included), over the series shapes of ingest.bench.ts, after every series was registered. Rows are not
// written (the row buffer is reused), so this is the scanners' own cost, the best of 7 runs; the
// end-to-end figures are ingest.bench.ts's. Then snappy decoding of a remote-write request, two ways.
import { compressSync, uncompressSync } from 'snappy';
import { encodeWriteRequest } from '../src/lib/prompb/encode.js';
import { graphiteChunkScan } from '../src/lib/protoparser/graphite/fast.js';
import { promChunkScan } from '../src/lib/protoparser/prometheus/fast.js';
import { lineFastPath } from '../src/lib/wasm/lines.js';
import type { ChunkScan } from '../src/lib/wasm/lines.js';
import { memoryBytes, reserve, wasm } from '../src/lib/wasm/module.js';
import { RemoteWriteFastPath } from '../src/lib/wasm/remotewrite.js';
import { remoteWriteSeries } from './workload.js';

const series = 2000;
const nowSec = Math.floor(Date.now() / 1000);
const host = (i: number): string => `host-${i % 100}`;

// The best of 7 runs of `rounds` calls of fn, in CPU ns per item (fn handles `items` items per call).
function best(items: number, rounds: number, fn: () => void): number {
  let min = Infinity;
  for (let k = 0; k < 7; k++) {
    const t0 = process.cpuUsage();
    for (let r = 0; r < rounds; r++) fn();
    const c = process.cpuUsage(t0);
    min = Math.min(min, ((c.user + c.system) * 1e3) / (rounds * items));
  }
  return min;
}

// The keyed line scanner over `lines` (a scanner bound to a context, as graphiteChunkScan's), after each
// line's key (the text before its first space) was registered under a made-up route id.
function keyedLines(lines: string[], chunkScan: (ctx: number) => ChunkScan): number {
  const body = Buffer.from(lines.join('\n') + '\n');
  const at = reserve(body.length + 16);
  memoryBytes().set(body, at);
  const ctx = lineFastPath().context({}, 0);
  for (let from = 0, i = 0; from < body.length; i++) {
    const end = body.indexOf(10, from);
    if (wasm.keyAdd(ctx, at + from, body.indexOf(32, from) - from, i) !== 1) throw new Error('BUG: keyAdd');
    from = end + 1;
  }
  const scan = chunkScan(ctx);
  return best(lines.length, 2000, () => {
    const end = at + body.length;
    for (let p = at; p < end;) {
      const q = scan(p, end);
      if (q === p) throw new Error('BUG: the scanner stopped (a series not registered)');
      p = q;
    }
  });
}

function remoteWriteRequest(): Uint8Array {
  return encodeWriteRequest(remoteWriteSeries(series, nowSec));
}

function remoteWrite(): number {
  const request = remoteWriteRequest();
  const fast = new RemoteWriteFastPath();
  const ctx = fast.context({}, 0);
  const first = fast.scan(request, ctx)!;
  for (let i = 0; i < first.count; i++) if (!fast.setRoute(i, i)) throw new Error('BUG: setRoute');
  return best(series, 2000, () => {
    if (fast.scan(request, ctx)!.routeId(series - 1) < 0) throw new Error('BUG: a series not registered');
  });
}

console.log(`# WebAssembly scanners alone, ${series} registered series, CPU ns per row (best of 7)`);
const graphite = Array.from(
  { length: series },
  (_, i) => `servers.${host(i)}.cpu.${i % 8}.usage;dc=eu-1;id=${i} ${i * 0.5} ${nowSec}`,
);
const prometheus = Array.from(
  { length: series },
  (_, i) => `prom_metric{host="${host(i)}",dc="eu-1",id="${i}"} ${i * 0.5} ${nowSec}000`,
);
const nowMs = nowSec * 1000;
const graphiteNs = keyedLines(graphite, (ctx) => graphiteChunkScan(ctx, { nowMs }));
console.log(`graphite line scanner   ${graphiteNs.toFixed(1)} ns per line`);
const promNs = keyedLines(prometheus, (ctx) => promChunkScan(ctx, nowMs));
console.log(`Prometheus text scanner ${promNs.toFixed(1)} ns per line`);
console.log(`remote-write scanner    ${remoteWrite().toFixed(1)} ns per series (copy in included)`);

// Snappy decoding of the request, MB/s of decoded bytes: the snappy package (a new Buffer each time, as
// the handlers used it) and the WebAssembly decoder into the remote-write scanner's region (copy in
// included).
const request = Buffer.from(remoteWriteRequest());
const block = compressSync(request);
const fast = new RemoteWriteFastPath();
const mbps = (ns: number): string => ((request.length / (ns * series)) * 1e3).toFixed(0);
const nativeNs = best(series, 300, () => void uncompressSync(block, { asBuffer: true }));
const wasmNs = best(series, 300, () => {
  if (fast.decodeSnappy(block) !== request.length) throw new Error('BUG: decodeSnappy');
});
console.log(`snappy decode: snappy package ${mbps(nativeNs)} MB/s, WebAssembly ${mbps(wasmNs)} MB/s`);
