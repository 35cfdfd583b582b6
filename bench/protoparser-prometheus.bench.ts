// Benchmark of src/lib/protoparser/prometheus on a generated node-exporter-like body (~1000 series).
// Run: npx tsc -p tsconfig.json && node dist/bench/protoparser-prometheus.bench.js [iterations] [body-file]
// Prints ns/row and MB/s for parseText alone, parseText + a per-target Map cache lookup (the scraper's
// steady state), and parseText + parseSeriesKey on every row (every row a cache miss).
import { readFileSync } from 'node:fs';
import { parseText } from '../src/lib/protoparser/prometheus/parser.js';
import { parseSeriesKey } from '../src/lib/protoparser/prometheus/series-key.js';
import type { Label } from '../src/lib/prompb/types.js';

function family(out: string[], name: string, type: string, help: string): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

/** Builds a node-exporter-like exposition body with about 1000 series. */
export function generateNodeExporterBody(): string {
  const out: string[] = [];
  family(out, 'node_cpu_seconds_total', 'counter', 'Seconds the CPUs spent in each mode.');
  const modes = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];
  for (let cpu = 0; cpu < 32; cpu++) {
    for (const mode of modes)
      out.push(`node_cpu_seconds_total{cpu="${cpu}",mode="${mode}"} ${(cpu * 1e4 + 1234.56).toFixed(2)}`);
  }
  const fsMetrics = [
    'avail_bytes',
    'device_error',
    'files',
    'files_free',
    'free_bytes',
    'readonly',
    'size_bytes',
  ];
  for (const m of fsMetrics) {
    family(out, `node_filesystem_${m}`, 'gauge', `Filesystem ${m}.`);
    for (let fs = 0; fs < 12; fs++) {
      out.push(
        `node_filesystem_${m}{device="/dev/nvme0n1p${fs}",fstype="ext4",mountpoint="/var/lib/kubelet/pods/${fs}a1b2c3/volumes"} ${1.073741824e11 + fs * 4096}`,
      );
    }
  }
  const netMetrics = [
    'receive_bytes',
    'receive_packets',
    'receive_errs',
    'receive_drop',
    'transmit_bytes',
    'transmit_packets',
    'transmit_errs',
    'transmit_drop',
  ];
  for (const m of netMetrics) {
    family(out, `node_network_${m}_total`, 'counter', `Network device statistic ${m}.`);
    for (let d = 0; d < 20; d++)
      out.push(`node_network_${m}_total{device="veth${d}ab12cd"} ${d * 987654321}`);
  }
  family(out, 'node_disk_io_time_seconds_total', 'counter', 'Total seconds spent doing I/Os.');
  for (let d = 0; d < 40; d++) out.push(`node_disk_io_time_seconds_total{device="dm-${d}"} ${d * 12.345}`);
  family(out, 'http_request_duration_seconds', 'histogram', 'Request latency.');
  const les = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
  for (let h = 0; h < 20; h++) {
    const lbl = `handler="/api/v1/h${h}",method="GET",code="200"`;
    for (const le of les)
      out.push(`http_request_duration_seconds_bucket{${lbl},le="${le}"} ${h * 100 + les.indexOf(le)}`);
    out.push(
      `http_request_duration_seconds_sum{${lbl}} ${h * 3.25}`,
      `http_request_duration_seconds_count{${lbl}} ${h * 100}`,
    );
  }
  family(out, 'go_gc_duration_seconds', 'summary', 'GC pause durations.');
  for (const q of ['0', '0.25', '0.5', '0.75', '1'])
    out.push(`go_gc_duration_seconds{quantile="${q}"} 2.3917e-05`);
  out.push('go_gc_duration_seconds_sum 0.062208418', 'go_gc_duration_seconds_count 1532');
  for (let i = 0; i < 150; i++) {
    family(out, `node_misc_metric_${i}`, 'gauge', 'Misc gauge.');
    out.push(`node_misc_metric_${i} ${i % 3 === 0 ? 'NaN' : i * 1.5}`);
  }
  return out.join('\n') + '\n';
}

// Reports the best of 5 rounds in CPU time (user+system of this process), which is steadier than wall
// time on a shared machine; wall time of the same round is printed for reference.
function measure(label: string, body: string, iterations: number, once: () => number): void {
  for (let i = 0; i < Math.min(50, iterations); i++) once(); // warm up
  let bestCpuNs = Infinity;
  let wallNs = 0;
  let rows = 0;
  for (let round = 0; round < 5; round++) {
    const wall = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    rows = 0;
    for (let i = 0; i < iterations; i++) rows += once();
    const used = process.cpuUsage(cpu);
    const cpuNs = (used.user + used.system) * 1000;
    if (cpuNs < bestCpuNs) {
      bestCpuNs = cpuNs;
      wallNs = Number(process.hrtime.bigint() - wall);
    }
  }
  const mbPerSec = (Buffer.byteLength(body) * iterations) / 1e6 / (bestCpuNs / 1e9);
  const perRow = (ns: number) => (ns / rows).toFixed(1).padStart(7);
  console.log(
    `${label.padEnd(34)} ${perRow(bestCpuNs)} ns/row ${mbPerSec.toFixed(1).padStart(7)} MB/s  (wall ${perRow(wallNs)} ns/row)`,
  );
}

function main(): void {
  // Optional second argument: a file holding a real scrape body (e.g. curl of prometheus-node-exporter).
  const file = process.argv[3];
  const body = file === undefined ? generateNodeExporterBody() : readFileSync(file, 'utf8');
  let rowsPerBody = 0;
  parseText(
    body,
    () => void rowsPerBody++,
    (n, line, msg) => {
      throw new Error(`bench body line ${n} ${line}: ${msg}`);
    },
  );
  console.log(`body: ${rowsPerBody} series, ${Buffer.byteLength(body)} bytes; node ${process.version}`);
  const iterations = Number(process.argv[2] ?? 500);
  const noError = () => {};
  let sink = 0;
  measure('parseText', body, iterations, () => {
    let n = 0;
    parseText(
      body,
      (_k, v) => {
        n++;
        sink += v;
      },
      noError,
    );
    return n;
  });
  const cache = new Map<string, Label[]>();
  measure('parseText + cache lookup', body, iterations, () => {
    let n = 0;
    parseText(
      body,
      (k, v) => {
        let labels = cache.get(k);
        if (labels === undefined) cache.set(k, (labels = parseSeriesKey(k)));
        n++;
        sink += v + labels.length;
      },
      noError,
    );
    return n;
  });
  measure('parseText + parseSeriesKey (miss)', body, Math.ceil(iterations / 4), () => {
    let n = 0;
    parseText(
      body,
      (k, v) => {
        n++;
        sink += v + parseSeriesKey(k).length;
      },
      noError,
    );
    return n;
  });
  if (sink === 42) console.log('');
}

main();
