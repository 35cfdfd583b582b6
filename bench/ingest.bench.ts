// Push-ingestion throughput.
//
//   node dist/bench/ingest.bench.js                      parse+convert rows/s per protocol, in process, one core
//   node dist/bench/ingest.bench.js --target=http://127.0.0.1:8429 [--graphite=127.0.0.1:2003]
//        [--influx-tcp=127.0.0.1:8089] [--opentsdb=127.0.0.1:4242] [--seconds=5] [--concurrency=2]
//                                                        push the same payloads to a running agent
//   node dist/bench/ingest.bench.js --spawn-vmagent      start vmagent (GOMAXPROCS=1, remote write into a
//                                                        blackhole) and push to it: vmagent's figures
//   node dist/bench/ingest.bench.js --spawn-lookout      the same with `lookout agent`: its end-to-end figures
//        [--only=influx-http,graphite-tcp,...]           only these protocols (names as printed, - for space)
//                                                        (prometheus = /api/v1/import/prometheus)
//
// Rows are what vmagent_rows_inserted_total counts (influx: one per field). With --target the agent's
// /metrics is read before and after, so the figure is rows the agent accepted, not rows sent.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import snappy from 'snappy';
import type { TimeSeries } from '../src/lib/prompb/types.js';
import { defaultIngestConfig } from '../src/app/agent/ingest/flags.js';
import type { IngestSink } from '../src/app/agent/ingest/common.js';
import { makeInfluxStreamHandler } from '../src/app/agent/ingest/influx.js';
import { makeGraphiteStreamHandler } from '../src/app/agent/ingest/graphite.js';
import { makeOpenTSDBStreamHandler } from '../src/app/agent/ingest/opentsdb.js';
import { parseVMImportLines } from '../src/lib/protoparser/vmimport/parser.js';
import { decodeExportMetricsServiceRequest } from '../src/lib/protoparser/opentelemetry/pb.js';
import { convertOtlpMetrics } from '../src/lib/protoparser/opentelemetry/parser.js';
import { encodeExportMetricsServiceRequest } from '../src/lib/protoparser/opentelemetry/encode.js';
import type { Metric } from '../src/lib/protoparser/opentelemetry/pb.js';
import { encodeWriteRequest } from '../src/lib/prompb/encode.js';
import { freePort, lookoutCli } from '../e2e/harness/proc.js';

const rowsPerBlock = 2000;
const nowSec = Math.floor(Date.now() / 1000) - 60;

/** Payloads of rowsPerBlock rows each, realistic label sets (6 labels, 100 hosts). */
export function buildPayloads(): Record<string, { body: Buffer; rows: number }> {
  const lines = (f: (i: number) => string): Buffer =>
    Buffer.from(Array.from({ length: rowsPerBlock }, (_, i) => f(i)).join('\n') + '\n');
  const host = (i: number): string => `host-${i % 100}`;
  const series: TimeSeries[] = Array.from({ length: rowsPerBlock }, (_, i) => ({
    labels: [
      { name: '__name__', value: `rw_metric_${i % 50}` },
      { name: 'host', value: host(i) },
      { name: 'job', value: 'node' },
      { name: 'dc', value: 'eu-1' },
      { name: 'instance', value: `10.0.${i % 7}.${i % 251}:9100` },
      { name: 'id', value: String(i) },
    ],
    samples: [{ value: i * 1.5, timestampMs: nowSec * 1000 }],
  }));
  const metrics: Metric[] = Array.from({ length: rowsPerBlock / 10 }, (_, m) => ({
    name: `otlp_metric_${m}`,
    gauge: {
      dataPoints: Array.from({ length: 10 }, (_, i) => ({
        attributes: [
          { key: 'host', value: host(i) },
          { key: 'dc', value: 'eu-1' },
          { key: 'id', value: String(m * 10 + i) },
        ],
        timeUnixNano: BigInt(nowSec) * 1_000_000_000n,
        value: i * 1.5,
        flags: 0,
      })),
    },
  }));
  return {
    influx: {
      body: lines(
        (i) =>
          `cpu,host=${host(i)},dc=eu-1,cpu=cpu${i % 8},id=${i} usage_user=${i * 0.5},usage_system=1.25 ${nowSec}000000000`,
      ),
      rows: rowsPerBlock * 2,
    },
    graphite: {
      body: lines((i) => `servers.${host(i)}.cpu.${i % 8}.usage;dc=eu-1;id=${i} ${i * 0.5} ${nowSec}`),
      rows: rowsPerBlock,
    },
    opentsdb: {
      body: lines(
        (i) => `put sys.cpu.usage ${nowSec} ${i * 0.5} host=${host(i)} dc=eu-1 cpu=${i % 8} id=${i}`,
      ),
      rows: rowsPerBlock,
    },
    vmimport: {
      body: lines((i) =>
        JSON.stringify({
          metric: { __name__: 'imp_metric', host: host(i), dc: 'eu-1', id: String(i) },
          values: [i],
          timestamps: [nowSec * 1000],
        }),
      ),
      rows: rowsPerBlock,
    },
    promremotewrite: { body: snappy.compressSync(encodeWriteRequest(series)), rows: rowsPerBlock },
    prometheus: {
      body: lines((i) => `prom_metric{host="${host(i)}",dc="eu-1",id="${i}"} ${i * 0.5} ${nowSec}000`),
      rows: rowsPerBlock,
    },
    opentelemetry: {
      body: encodeExportMetricsServiceRequest([
        { resourceAttributes: [{ key: 'service.name', value: 'bench' }], metrics },
      ]),
      rows: rowsPerBlock,
    },
  };
}

// Reports rows per CPU-second of this process (user+system), which stays meaningful on a shared,
// loaded machine where wall-clock rates swing with other jobs.
async function measure(name: string, rows: number, seconds: number, fn: () => unknown): Promise<void> {
  const warmUntil = Date.now() + 500; // warm-up: let the JIT settle before measuring
  while (Date.now() < warmUntil) await fn();
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let n = 0;
  let elapsed = 0;
  do {
    await fn();
    n++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < seconds);
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
  const perCPU = Math.round((n * rows) / cpuSec).toLocaleString('en-US');
  const perWall = Math.round((n * rows) / elapsed).toLocaleString('en-US');
  console.log(
    `${name.padEnd(16)} ${perCPU.padStart(12)} rows per CPU-second  (${perWall} rows/s wall, rss ${rss} MiB)`,
  );
}

async function benchInProcess(seconds: number): Promise<void> {
  const cfg = defaultIngestConfig();
  const p = buildPayloads();
  let sunk = 0;
  // Counts samples; routes are plain objects (the fan-out's encoding is not part of this figure).
  const sink: IngestSink = {
    acceptsPush: () => true,
    routeVersion: () => '',
    pushRoute: (labels) => ({ labels }),
    pushSample: () => void sunk++,
  };
  console.log(`# in-process parse+convert, node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}`);
  // The stream handlers the TCP/UDP listeners use, fed one payload per call (as one datagram would be).
  const influx = makeInfluxStreamHandler(cfg, sink);
  await measure('influx', p.influx!.rows, seconds, () => influx([p.influx!.body]));
  const graphite = makeGraphiteStreamHandler(cfg, sink);
  await measure('graphite', p.graphite!.rows, seconds, () => graphite([p.graphite!.body]));
  const otsdb = makeOpenTSDBStreamHandler(cfg, sink);
  await measure('opentsdb', p.opentsdb!.rows, seconds, () => otsdb([p.opentsdb!.body]));
  const vmText = p.vmimport!.body.toString('utf8');
  await measure('vmimport', p.vmimport!.rows, seconds, () =>
    parseVMImportLines(
      vmText,
      () => sunk++,
      () => {},
    ),
  );
  const otlp = p.opentelemetry!.body;
  await measure('opentelemetry', p.opentelemetry!.rows, seconds, () => {
    sunk += convertOtlpMetrics(decodeExportMetricsServiceRequest(otlp), {
      nowMs: Date.now(),
      onDrop: () => {},
    }).length;
  });
  if (sunk === 0) throw new Error('BUG: nothing parsed');
}

// Sums the agent's vmagent_rows_inserted_total and reads process_cpu_seconds_total from its /metrics.
async function agentCounters(metricsURL: string): Promise<{ rows: number; cpuSec: number }> {
  const text = await (await fetch(metricsURL)).text();
  let rows = 0;
  let cpuSec = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('vmagent_rows_inserted_total{')) rows += Number(line.split(' ').pop());
    else if (line.startsWith('process_cpu_seconds_total ')) cpuSec = Number(line.split(' ').pop());
  }
  return { rows, cpuSec };
}

type Sender = () => Promise<void>;

function httpSender(url: string, body: Buffer, headers: Record<string, string>): Sender {
  const agent = new http.Agent({ keepAlive: true });
  return () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        url,
        { method: 'POST', agent, headers: { ...headers, 'Content-Length': String(body.length) } },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode! < 300 ? resolve() : reject(new Error(`${url}: HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

function tcpSender(addr: string, body: Buffer): Sender {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  let sock: net.Socket | undefined;
  return () =>
    new Promise<void>((resolve, reject) => {
      sock ??= net.connect(port, host).on('error', reject);
      if (sock.write(body)) resolve();
      else sock.once('drain', resolve);
    });
}

async function pushFor(
  name: string,
  rows: number,
  send: Sender,
  seconds: number,
  concurrency: number,
  metricsURL: string,
): Promise<void> {
  const before = await agentCounters(metricsURL);
  const start = Date.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() - start < seconds * 1000) {
        await send();
        sent += rows;
      }
    }),
  );
  // TCP data is parsed after the write returns: wait (bounded) for the counter to settle.
  let after = await agentCounters(metricsURL);
  for (let i = 0; i < 50 && after.rows - before.rows < sent; i++) {
    await new Promise((r) => setTimeout(r, 200));
    after = await agentCounters(metricsURL);
  }
  const elapsed = (Date.now() - start) / 1000;
  const accepted = after.rows - before.rows;
  const cpu = after.cpuSec - before.cpuSec;
  const perCPU = cpu > 0 ? Math.round(accepted / cpu).toLocaleString('en-US') : 'n/a';
  console.log(
    `${name.padEnd(16)} ${perCPU.padStart(12)} rows per agent CPU-second  (${Math.round(accepted / elapsed).toLocaleString('en-US')} rows/s wall, ${accepted} of ${sent} accepted)`,
  );
}

function arg(name: string): string | undefined {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`) || x === `--${name}`);
  if (a === undefined) return undefined;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : 'true';
}

async function benchTarget(target: string, seconds: number, concurrency: number): Promise<void> {
  const p = buildPayloads();
  const metricsURL = `${target}/metrics`;
  console.log(`# pushing to ${target} for ${seconds}s per protocol, concurrency ${concurrency}`);
  const pushes: Array<[string, number, Sender]> = [
    ['influx http', p.influx!.rows, httpSender(`${target}/write`, p.influx!.body, {})],
    ['vmimport', p.vmimport!.rows, httpSender(`${target}/api/v1/import`, p.vmimport!.body, {})],
    [
      'promremotewrite',
      p.promremotewrite!.rows,
      httpSender(`${target}/api/v1/write`, p.promremotewrite!.body, { 'Content-Encoding': 'snappy' }),
    ],
    [
      'prometheus',
      p.prometheus!.rows,
      httpSender(`${target}/api/v1/import/prometheus`, p.prometheus!.body, {}),
    ],
  ];
  if (arg('otlp') !== undefined) {
    pushes.push([
      'opentelemetry',
      p.opentelemetry!.rows,
      httpSender(`${target}/opentelemetry/v1/metrics`, p.opentelemetry!.body, {
        'Content-Type': 'application/x-protobuf',
      }),
    ]);
  }
  const graphite = arg('graphite');
  if (graphite) pushes.push(['graphite tcp', p.graphite!.rows, tcpSender(graphite, p.graphite!.body)]);
  const influxTCP = arg('influx-tcp');
  if (influxTCP) pushes.push(['influx tcp', p.influx!.rows, tcpSender(influxTCP, p.influx!.body)]);
  const otsdb = arg('opentsdb');
  if (otsdb) pushes.push(['opentsdb tcp', p.opentsdb!.rows, tcpSender(otsdb, p.opentsdb!.body)]);
  const only = arg('only');
  for (const [name, rows, send] of pushes) {
    if (only !== undefined && !only.split(',').includes(name.replace(' ', '-'))) continue;
    await pushFor(name, rows, send, seconds, name.endsWith('tcp') ? 1 : concurrency, metricsURL);
  }
}

// Starts `kind` pinned to CPU 0 (vmagent also with GOMAXPROCS=1), remote-writing into a blackhole, and
// pushes the same payloads to it: the end-to-end figures per core, for both agents alike.
async function spawnAgent(kind: 'vmagent' | 'lookout', seconds: number, concurrency: number): Promise<void> {
  const blackhole = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  const rwPort = (blackhole.address() as net.AddressInfo).port;
  const [httpPort, graphite, influx, otsdb] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-vmagent-'));
  const cmd = kind === 'vmagent' ? ['vmagent'] : [process.execPath, lookoutCli, 'agent'];
  const child = spawn(
    'taskset',
    [
      '-c',
      '0',
      ...cmd,
      `-remoteWrite.url=http://127.0.0.1:${rwPort}/api/v1/write`,
      `-remoteWrite.tmpDataPath=${dir}`,
      `-httpListenAddr=127.0.0.1:${httpPort}`,
      `-graphiteListenAddr=127.0.0.1:${graphite}`,
      `-influxListenAddr=127.0.0.1:${influx}`,
      `-opentsdbListenAddr=127.0.0.1:${otsdb}`,
      '-loggerLevel=ERROR',
    ],
    { stdio: 'ignore', env: { ...process.env, GOMAXPROCS: '1' } },
  );
  try {
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`http://127.0.0.1:${httpPort}/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    process.argv.push(
      `--graphite=127.0.0.1:${graphite}`,
      `--influx-tcp=127.0.0.1:${influx}`,
      `--opentsdb=127.0.0.1:${otsdb}`,
    );
    console.log(
      kind === 'vmagent'
        ? '# vmagent (Debian package), GOMAXPROCS=1, pinned to CPU 0'
        : '# lookout agent, pinned to CPU 0',
    );
    await benchTarget(`http://127.0.0.1:${httpPort}`, seconds, concurrency);
    const rss = (await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text()).match(
      /^process_resident_memory_bytes (\S+)/m,
    );
    if (rss) console.log(`${kind} RSS after the run: ${Math.round(Number(rss[1]) / 1024 / 1024)} MiB`);
  } finally {
    child.kill('SIGKILL');
    blackhole.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds') ?? 3);
  const concurrency = Number(arg('concurrency') ?? 2);
  const target = arg('target');
  if (arg('spawn-vmagent') !== undefined) await spawnAgent('vmagent', seconds, concurrency);
  else if (arg('spawn-lookout') !== undefined) await spawnAgent('lookout', seconds, concurrency);
  else if (target !== undefined) await benchTarget(target.replace(/\/$/, ''), seconds, concurrency);
  else await benchInProcess(seconds);
}

await main();
