// Remote-write hot path benchmark: `npx tsc -p tsconfig.json && node dist/bench/remotewrite.bench.js`.
// 1. WriteRequestBuffer.appendSample alone (5M samples of 1000 series), with the GC count as allocation evidence.
// 2. RemoteWriteClient.appendSample end to end (block cutting + snappy + queue) into a memory queue and into
//    the on-disk PersistentQueue; the sink is a local HTTP server answering 204, only drained after the loop.
// 3. encode + snappy compress throughput, and CRC-32C throughput.
import * as fs from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { compressSync } from 'snappy';
import { crc32c, crc32cJS } from '../src/lib/persistentqueue/crc32c.js';
import { encodeLabels, hashLabels, WriteRequestBuffer } from '../src/lib/prompb/encode.js';
import { RemoteWriteClient } from '../src/lib/remotewrite/client.js';

const seriesCount = 1000;
const samples = 5_000_000;
const series = Array.from({ length: seriesCount }, (_, i) => {
  const labels = encodeLabels([
    { name: '__name__', value: 'node_cpu_seconds_total' },
    { name: 'cpu', value: String(i % 64) },
    { name: 'instance', value: `node-${i >> 6}.example.internal:9100` },
    { name: 'job', value: 'node-exporter' },
    { name: 'mode', value: ['user', 'system', 'idle', 'iowait'][i % 4]! },
  ]);
  return { labels, hash: hashLabels(labels) };
});
const t0 = 1_763_700_000_000;

let gcs = 0;
new PerformanceObserver((l) => (gcs += l.getEntries().length)).observe({ entryTypes: ['gc'] });
const settle = () => new Promise((r) => setTimeout(r, 20));

function benchBuffer(): void {
  const w = new WriteRequestBuffer(1 << 20);
  const run = (n: number): number => {
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const s = series[i % seriesCount]!;
      w.appendSample(s.labels, i * 0.5, t0 + i);
      if (w.rows === 10_000) w.reset();
    }
    return performance.now() - start;
  };
  run(200_000); // warm up and grow the buffer
  const gcBefore = gcs;
  const ms = run(samples);
  setTimeout(() => {
    const perSample = (ms * 1e6) / samples;
    console.log(
      `WriteRequestBuffer.appendSample: ${perSample.toFixed(1)} ns/sample, GC events during 5M appends: ${gcs - gcBefore}`,
    );
  }, 10);
}

async function benchClient(disk: boolean): Promise<void> {
  const sink = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const queueDir = fs.mkdtempSync(join(tmpdir(), 'lookout-bench-'));
  const c = new RemoteWriteClient({
    url: `http://127.0.0.1:${(sink.address() as { port: number }).port}/api/v1/write`,
    urlIndex: disk ? 1 : 0,
    queues: 4,
    flushIntervalMs: 1000,
    maxBlockBytes: 8 << 20,
    maxRowsPerBlock: 10_000,
    sendTimeoutMs: 30_000,
    retryMinIntervalMs: 1000,
    retryMaxIntervalMs: 60_000,
    queueDir,
    maxDiskBytes: 0,
    disableOnDiskQueue: !disk,
    memoryQueueBytes: 1 << 30,
    headers: () => ({}),
  });
  const start = performance.now();
  for (let i = 0; i < samples; i++) {
    const s = series[i % seriesCount]!;
    c.appendSample(s.labels, s.hash, i * 0.5, t0 + Math.floor(i / seriesCount) * 1000);
  }
  c.flush();
  const ms = performance.now() - start;
  const queued = c.pendingBytes;
  console.log(
    `RemoteWriteClient.appendSample (${disk ? 'PersistentQueue' : 'MemoryQueue'}): ${((ms * 1e6) / samples).toFixed(1)} ns/sample incl. block cut + snappy + queue write; ${(queued / 2 ** 20).toFixed(1)} MiB queued`,
  );
  while (c.pendingBytes > 0) await settle();
  await c.close();
  await new Promise((r) => sink.close(r));
  fs.rmSync(queueDir, { recursive: true, force: true });
}

function benchEncodeSnappy(): void {
  const w = new WriteRequestBuffer(1 << 20);
  let raw = 0;
  let compressed = 0;
  const start = performance.now();
  for (let b = 0; b < 500; b++) {
    w.reset();
    for (let i = 0; i < 10_000; i++) w.appendSample(series[i % seriesCount]!.labels, i, t0 + b * 1000);
    raw += w.byteLength;
    compressed += compressSync(w.bytes()).length;
  }
  const s = (performance.now() - start) / 1000;
  console.log(
    `encode + snappy: ${(raw / 2 ** 20 / s).toFixed(0)} MB/s of WriteRequest (${(raw / 2 ** 20) | 0} MiB -> ${(compressed / 2 ** 20) | 0} MiB, ${(5e6 / s / 1e6).toFixed(2)}M samples/s)`,
  );
  const buf = new Uint8Array(64 << 20).fill(7);
  for (const [name, f] of [
    ['crc32c', crc32c],
    ['crc32c (JavaScript)', crc32cJS],
  ] as const) {
    const t = performance.now();
    f(buf);
    console.log(`${name}: ${(64 / ((performance.now() - t) / 1000)).toFixed(0)} MB/s`);
  }
}

benchBuffer();
await settle();
benchEncodeSnappy();
await benchClient(false);
await benchClient(true);
