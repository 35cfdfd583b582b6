// Push-ingestion throughput.
//
//   node dist/bench/ingest.bench.js                      parse+convert rows/s per protocol, in process, one core
//   node dist/bench/ingest.bench.js --pipeline           the same into a real Fanout and remote-write client
//                                                        (on-disk queue, in-process blackhole), plus the
//                                                        remote-write half alone ("output only")
//   node dist/bench/ingest.bench.js --target=http://127.0.0.1:8429 [--graphite=127.0.0.1:2003]
//        [--influx-tcp=127.0.0.1:8089] [--opentsdb=127.0.0.1:4242] [--seconds=5] [--concurrency=2]
//                                                        push the same payloads to a running agent
//   node dist/bench/ingest.bench.js --spawn-vmagent      start vmagent (GOMAXPROCS=1, remote write into a
//                                                        blackhole) and push to it: vmagent's figures
//   node dist/bench/ingest.bench.js --spawn-lookout      the same with `lookout agent`: its end-to-end figures
//   node dist/bench/ingest.bench.js --spawn-both [--rounds=5]
//                                                        both agents on CPU 0, taking turns per protocol and
//                                                        round; prints each round's ratio and the medians
//        [--only=influx-http,graphite-tcp,...]           only these protocols (names as printed, - for space)
//                                                        (prometheus = /api/v1/import/prometheus)
// The spawn modes re-run the script pinned to CPU 1 (the pushing client), away from the agents' core.
//
// Rows are what vmagent_rows_inserted_total counts (influx: one per field). With --target the agent's
// /metrics is read before and after, so the figure is rows the agent accepted, not rows sent.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import snappy from 'snappy';
import { defaultIngestConfig } from '../src/app/agent/ingest/flags.js';
import type { IngestSink } from '../src/app/agent/ingest/common.js';
import { makeInfluxStreamHandler } from '../src/app/agent/ingest/influx.js';
import { makeGraphiteStreamHandler } from '../src/app/agent/ingest/graphite.js';
import { makeOpenTSDBStreamHandler } from '../src/app/agent/ingest/opentsdb.js';
import { makePrometheusTextImporter } from '../src/app/agent/ingest/prometheusimport.js';
import { makeVMImportStreamHandler } from '../src/app/agent/ingest/vmimport.js';
import { LineErrors } from '../src/app/agent/ingest/common.js';
import { parseText } from '../src/lib/protoparser/prometheus/parser.js';
import { parseSeriesKey } from '../src/lib/protoparser/prometheus/series-key.js';
import { parseVMImportLines } from '../src/lib/protoparser/vmimport/parser.js';
import { decodeExportMetricsServiceRequest } from '../src/lib/protoparser/opentelemetry/pb.js';
import { convertOtlpMetrics } from '../src/lib/protoparser/opentelemetry/parser.js';
import { encodeExportMetricsServiceRequest } from '../src/lib/protoparser/opentelemetry/encode.js';
import type { Metric } from '../src/lib/protoparser/opentelemetry/pb.js';
import { encodeWriteRequest } from '../src/lib/prompb/encode.js';
import { freePort, lookoutCli } from '../e2e/harness/proc.js';
import { remoteWriteSeries } from './workload.js';
import { Fanout } from '../src/app/agent/remotewrite.js';
import { RemoteWriteClient } from '../src/lib/remotewrite/client.js';

const rowsPerBlock = 2000;
const nowSec = Math.floor(Date.now() / 1000) - 60;

/** Payloads of rowsPerBlock rows each, realistic label sets (6 labels, 100 hosts). */
export function buildPayloads(): Record<string, { body: Buffer; rows: number }> {
  const lines = (f: (i: number) => string): Buffer =>
    Buffer.from(Array.from({ length: rowsPerBlock }, (_, i) => f(i)).join('\n') + '\n');
  const host = (i: number): string => `host-${i % 100}`;
  const series = remoteWriteSeries(rowsPerBlock, nowSec);
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

// The stream handlers the TCP/UDP listeners use, fed one payload per call (as one datagram would be).
async function measureStreamHandlers(sink: IngestSink, seconds: number): Promise<void> {
  const cfg = defaultIngestConfig();
  const p = buildPayloads();
  const influx = makeInfluxStreamHandler(cfg, sink);
  await measure('influx', p.influx!.rows, seconds, () => influx([p.influx!.body]));
  // The same without the WebAssembly fast path (-ingest.wasmFastPath=false), for the ratio.
  const influxJS = makeInfluxStreamHandler({ ...cfg, wasmFastPath: false }, sink);
  await measure('influx (JS)', p.influx!.rows, seconds, () => influxJS([p.influx!.body]));
  const graphite = makeGraphiteStreamHandler(cfg, sink);
  await measure('graphite', p.graphite!.rows, seconds, () => graphite([p.graphite!.body]));
  const otsdb = makeOpenTSDBStreamHandler(cfg, sink);
  await measure('opentsdb', p.opentsdb!.rows, seconds, () => otsdb([p.opentsdb!.body]));
  // Prometheus text import, the body as one chunk (as /api/v1/import/prometheus reads it, block by block).
  const importText = makePrometheusTextImporter(cfg, { parseText, parseSeriesKey });
  const errors = new LineErrors('prometheus');
  await measure('prometheus', p.prometheus!.rows, seconds, () =>
    importText([p.prometheus!.body], [], Date.now(), sink, errors),
  );
  // JSON-lines import, the body already decompressed (as /api/v1/import streams it).
  const vmimport = makeVMImportStreamHandler(cfg);
  const importErrors = new LineErrors('vmimport');
  await measure('vmimport', p.vmimport!.rows, seconds, () =>
    vmimport([p.vmimport!.body], [], sink, importErrors),
  );
}

/** A remote-write receiver in this process that takes everything (204): the agents' blackhole. */
async function startBlackhole(): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/api/v1/write`, close: () => server.close() };
}

async function benchInProcess(seconds: number): Promise<void> {
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
  await measureStreamHandlers(sink, seconds);
  const vmText = p.vmimport!.body.toString('utf8');
  await measure('vmimport parse', p.vmimport!.rows, seconds, () =>
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

/**
 * In process, end to end without HTTP or sockets: the stream handlers feed a real Fanout and
 * RemoteWriteClient (on-disk queue in a temp dir, sending to a blackhole in this process), so the figure
 * includes relabel routing, WriteRequest encoding, snappy, the queue and the sender. "output only" pushes
 * the same 4,000 cached routes straight into the Fanout: the cost of the remote-write half alone.
 */
async function benchPipeline(seconds: number): Promise<void> {
  const blackhole = await startBlackhole();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pipeline-'));
  const client = new RemoteWriteClient({
    url: blackhole.url,
    urlIndex: 0,
    queues: 1,
    flushIntervalMs: 1000,
    maxBlockBytes: 8 << 20,
    maxRowsPerBlock: 10_000,
    sendTimeoutMs: 60_000,
    retryMinIntervalMs: 1000,
    retryMaxIntervalMs: 60_000,
    queueDir: dir,
    maxDiskBytes: 0,
    headers: () => ({}),
  });
  const fanout = new Fanout([client], [], undefined, [undefined]);
  try {
    console.log(
      `# in-process pipeline to remote write, node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}`,
    );
    await measureStreamHandlers(fanout, seconds);
    const routes = Array.from({ length: 4000 }, (_, i) =>
      fanout.pushRoute([
        { name: '__name__', value: `cpu_usage_${i % 2 ? 'user' : 'system'}` },
        { name: 'host', value: `host-${i % 100}` },
        { name: 'dc', value: 'eu-1' },
        { name: 'cpu', value: `cpu${i % 8}` },
        { name: 'id', value: String(i >> 1) },
      ]),
    );
    const ts = nowSec * 1000;
    // Yields now and then so that the sender can drain the queue, as between requests.
    let calls = 0;
    await measure('output only', routes.length, seconds, async () => {
      for (let i = 0; i < routes.length; i++) fanout.pushSample(routes[i]!, i * 0.5, ts);
      if (++calls % 20 === 0) await new Promise((r) => setImmediate(r));
    });
  } finally {
    await fanout.close();
    blackhole.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
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

/** Sends one payload (resolves when the agent took it, or the socket can take more); close() ends it. */
interface Sender {
  send: () => Promise<void>;
  close: () => void;
}

function httpSender(url: string, body: Buffer, headers: Record<string, string>): Sender {
  const agent = new http.Agent({ keepAlive: true });
  const send = (): Promise<void> =>
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
  return { send, close: () => agent.destroy() };
}

function tcpSender(addr: string, body: Buffer): Sender {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  let sock: net.Socket | undefined;
  let failed: Error | undefined;
  // The pending write's reject: a connection that fails or closes ends the bench instead of hanging it.
  let pending: ((err: Error) => void) | undefined;
  const fail = (err: Error): void => {
    failed ??= err;
    pending?.(failed);
  };
  const send = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (failed) return reject(failed);
      sock ??= net
        .connect(port, host)
        .on('error', fail)
        .on('close', () => fail(new Error(`${addr}: connection closed`)));
      pending = reject;
      if (sock.write(body)) resolve();
      else sock.once('drain', resolve);
    });
  const close = (): void => {
    failed ??= new Error(`${addr}: sender closed`);
    sock?.removeAllListeners('close').on('error', () => {});
    sock?.end();
  };
  return { send, close };
}

/** Rows the agent accepted per CPU-second of the agent, and per wall second. */
interface PushResult {
  perCPU: number;
  perWall: number;
  accepted: number;
  sent: number;
}

async function pushFor(
  rows: number,
  send: Sender,
  seconds: number,
  concurrency: number,
  metricsURL: string,
): Promise<PushResult> {
  const before = await agentCounters(metricsURL);
  const start = Date.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() - start < seconds * 1000) {
        await send.send();
        sent += rows;
      }
    }),
  );
  send.close();
  // TCP data is parsed after the write returns: wait (bounded) for the counter to settle.
  let after = await agentCounters(metricsURL);
  for (let i = 0; i < 50 && after.rows - before.rows < sent; i++) {
    await new Promise((r) => setTimeout(r, 200));
    after = await agentCounters(metricsURL);
  }
  const elapsed = (Date.now() - start) / 1000;
  const accepted = after.rows - before.rows;
  const cpu = after.cpuSec - before.cpuSec;
  return { perCPU: cpu > 0 ? accepted / cpu : NaN, perWall: accepted / elapsed, accepted, sent };
}

const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

function printResult(name: string, r: PushResult): void {
  console.log(
    `${name.padEnd(16)} ${fmt(r.perCPU).padStart(12)} rows per agent CPU-second  (${fmt(r.perWall)} rows/s wall, ${r.accepted} of ${r.sent} accepted)`,
  );
}

function arg(name: string): string | undefined {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`) || x === `--${name}`);
  if (a === undefined) return undefined;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : 'true';
}

/** Where an agent listens: its HTTP base URL and the host:port of its TCP listeners ('' when none). */
interface Endpoints {
  http: string;
  graphite: string;
  influxTCP: string;
  opentsdb: string;
}

/** One protocol's push: its printed name, the rows per send, the concurrency, and a sender per agent. */
interface Push {
  name: string;
  rows: number;
  concurrency: number;
  /** The listener a TCP push needs (skipped when the agent has none). */
  listener?: 'graphite' | 'influxTCP' | 'opentsdb';
  sender: (e: Endpoints) => Sender;
}

// The protocols pushed, in order; --only keeps some (names as printed, - for space), --otlp adds OTLP.
function pushes(concurrency: number): Push[] {
  const p = buildPayloads();
  const http = (name: string, path: string, key: string, headers: Record<string, string> = {}): Push => ({
    name,
    rows: p[key]!.rows,
    concurrency,
    sender: (e) => httpSender(`${e.http}${path}`, p[key]!.body, headers),
  });
  const tcp = (name: string, key: string, listener: 'graphite' | 'influxTCP' | 'opentsdb'): Push => ({
    name,
    rows: p[key]!.rows,
    concurrency: 1,
    listener,
    sender: (e) => tcpSender(e[listener], p[key]!.body),
  });
  const all: Push[] = [
    http('influx http', '/write', 'influx'),
    http('vmimport', '/api/v1/import', 'vmimport'),
    http('promremotewrite', '/api/v1/write', 'promremotewrite', { 'Content-Encoding': 'snappy' }),
    http('prometheus', '/api/v1/import/prometheus', 'prometheus'),
  ];
  if (arg('otlp') !== undefined) {
    all.push(
      http('opentelemetry', '/opentelemetry/v1/metrics', 'opentelemetry', {
        'Content-Type': 'application/x-protobuf',
      }),
    );
  }
  all.push(
    tcp('graphite tcp', 'graphite', 'graphite'),
    tcp('influx tcp', 'influx', 'influxTCP'),
    tcp('opentsdb tcp', 'opentsdb', 'opentsdb'),
  );
  const only = arg('only');
  return all.filter((x) => only === undefined || only.split(',').includes(x.name.replace(' ', '-')));
}

async function benchTarget(e: Endpoints, seconds: number, concurrency: number): Promise<void> {
  console.log(`# pushing to ${e.http} for ${seconds}s per protocol, concurrency ${concurrency}`);
  for (const x of pushes(concurrency)) {
    if (x.listener !== undefined && e[x.listener] === '') continue;
    printResult(x.name, await pushFor(x.rows, x.sender(e), seconds, x.concurrency, `${e.http}/metrics`));
  }
}

type AgentKind = 'vmagent' | 'lookout';

/** A started agent: where it listens, and how to stop it. */
interface RunningAgent {
  kind: AgentKind;
  endpoints: Endpoints;
  stop: () => void;
}

// Starts `kind` pinned to CPU 0 (vmagent also with GOMAXPROCS=1), remote-writing into a local blackhole
// that answers 204, with its own temp dir; waits (bounded) for /health.
async function startAgent(kind: AgentKind): Promise<RunningAgent> {
  const blackhole = await startBlackhole();
  const [httpPort, graphite, influx, otsdb] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${kind}-`));
  // BENCH_LOOKOUT_NODE_ARGS adds node flags, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile.
  const nodeArgs = (process.env.BENCH_LOOKOUT_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const cmd = kind === 'vmagent' ? ['vmagent'] : [process.execPath, ...nodeArgs, lookoutCli, 'agent'];
  const child = spawn(
    'taskset',
    [
      '-c',
      '0',
      ...cmd,
      `-remoteWrite.url=${blackhole.url}`,
      `-remoteWrite.tmpDataPath=${dir}`,
      `-httpListenAddr=127.0.0.1:${httpPort}`,
      `-graphiteListenAddr=127.0.0.1:${graphite}`,
      `-influxListenAddr=127.0.0.1:${influx}`,
      `-opentsdbListenAddr=127.0.0.1:${otsdb}`,
      '-loggerLevel=ERROR',
    ],
    { stdio: 'ignore', env: { ...process.env, GOMAXPROCS: '1' } },
  );
  const stop = (): void => {
    // A profiled Lookout must stop gracefully to write its profile.
    child.kill(kind === 'lookout' && nodeArgs.length > 0 ? 'SIGTERM' : 'SIGKILL');
    blackhole.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${httpPort}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i === 100) {
      stop();
      throw new Error(`${kind} did not answer ${base}/health within 10s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    kind,
    stop,
    endpoints: {
      http: base,
      graphite: `127.0.0.1:${graphite}`,
      influxTCP: `127.0.0.1:${influx}`,
      opentsdb: `127.0.0.1:${otsdb}`,
    },
  };
}

async function agentRSS(a: RunningAgent): Promise<string> {
  const m = (await (await fetch(`${a.endpoints.http}/metrics`)).text()).match(
    /^process_resident_memory_bytes (\S+)/m,
  );
  return m ? `${Math.round(Number(m[1]) / 1024 / 1024)} MiB` : 'n/a';
}

async function spawnAgent(kind: AgentKind, seconds: number, concurrency: number): Promise<void> {
  const a = await startAgent(kind);
  try {
    console.log(
      kind === 'vmagent'
        ? '# vmagent (Debian package), GOMAXPROCS=1, pinned to CPU 0'
        : '# lookout agent, pinned to CPU 0',
    );
    await benchTarget(a.endpoints, seconds, concurrency);
    console.log(`${kind} RSS after the run: ${await agentRSS(a)}`);
  } finally {
    a.stop();
  }
}

const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Both agents at once, both pinned to CPU 0, taking turns: per round and protocol, one agent gets the
 * load for `seconds`, then the other (the order alternates between rounds). The machine's speed drifts
 * (by up to 1.5x within an hour on the shared VMs measured here), so a ratio is only taken between the
 * two runs of one round, and the table reports the median over rounds.
 */
async function spawnBoth(seconds: number, concurrency: number, rounds: number): Promise<void> {
  const agents = [await startAgent('lookout'), await startAgent('vmagent')];
  try {
    console.log(
      `# lookout agent and vmagent (GOMAXPROCS=1), both pinned to CPU 0, taking turns: ${rounds} rounds × ${seconds}s per protocol and agent, concurrency ${concurrency}`,
    );
    const list = pushes(concurrency);
    const ratios = list.map((): number[] => []);
    const perAgent = list.map(() => ({ lookout: [] as number[], vmagent: [] as number[] }));
    for (let r = 0; r < rounds; r++) {
      for (const [i, x] of list.entries()) {
        const order = r % 2 === 0 ? agents : [...agents].reverse();
        const got: Partial<Record<AgentKind, number>> = {};
        for (const a of order) {
          const res = await pushFor(
            x.rows,
            x.sender(a.endpoints),
            seconds,
            x.concurrency,
            `${a.endpoints.http}/metrics`,
          );
          if (res.accepted < res.sent)
            throw new Error(`${a.kind} accepted ${res.accepted} of ${res.sent} ${x.name} rows`);
          got[a.kind] = res.perCPU;
          perAgent[i]![a.kind].push(res.perCPU);
        }
        ratios[i]!.push(got.lookout! / got.vmagent!);
        console.log(
          `round ${r + 1} ${x.name.padEnd(16)} lookout ${fmt(got.lookout!).padStart(10)}  vmagent ${fmt(got.vmagent!).padStart(10)}  ratio ${(got.lookout! / got.vmagent!).toFixed(2)}`,
        );
      }
    }
    console.log(
      '\n| protocol | lookout (median rows/CPU-s) | vmagent | lookout / vmagent: median (min-max) |',
    );
    console.log('| --- | --- | --- | --- |');
    for (const [i, x] of list.entries()) {
      const rs = ratios[i]!;
      console.log(
        `| ${x.name} | ${fmt(median(perAgent[i]!.lookout))} | ${fmt(median(perAgent[i]!.vmagent))} | ${median(rs).toFixed(2)} (${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)}) |`,
      );
    }
    console.log(`| RSS after the run | ${await agentRSS(agents[0]!)} | ${await agentRSS(agents[1]!)} | |`);
  } finally {
    for (const a of agents) a.stop();
  }
}

async function main(): Promise<void> {
  // The agents run on CPU 0; the pushing client goes to CPU 1 so that it does not share their core.
  const spawns = ['spawn-both', 'spawn-vmagent', 'spawn-lookout'].some((k) => arg(k) !== undefined);
  if (spawns && os.cpus().length > 1 && process.env.LOOKOUT_BENCH_CLIENT_PINNED === undefined) {
    const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, LOOKOUT_BENCH_CLIENT_PINNED: '1' },
    });
    process.exitCode = r.status ?? 1;
    return;
  }
  const seconds = Number(arg('seconds') ?? 3);
  const concurrency = Number(arg('concurrency') ?? 2);
  const target = arg('target');
  if (arg('spawn-both') !== undefined) await spawnBoth(seconds, concurrency, Number(arg('rounds') ?? 5));
  else if (arg('spawn-vmagent') !== undefined) await spawnAgent('vmagent', seconds, concurrency);
  else if (arg('spawn-lookout') !== undefined) await spawnAgent('lookout', seconds, concurrency);
  else if (target !== undefined) {
    await benchTarget(
      {
        http: target.replace(/\/$/, ''),
        graphite: arg('graphite') ?? '',
        influxTCP: arg('influx-tcp') ?? '',
        opentsdb: arg('opentsdb') ?? '',
      },
      seconds,
      concurrency,
    );
  } else if (arg('pipeline') !== undefined) await benchPipeline(seconds);
  else await benchInProcess(seconds);
}

// Runs only as a script: tests and ad-hoc drivers import buildPayloads.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
