// The push handlers' route cache: series pushed again skip resolving, a relabel reload re-resolves them,
// label limits stay counted per row, and the memory budget bounds it.
import { after, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import snappy from 'snappy';
import { setupLogger } from '../../../lib/logger/logger.js';
import { defaultRegistry } from '../../../lib/metrics/registry.js';
import { decodeWriteRequest } from '../../../lib/prompb/decode.js';
import { encodeWriteRequest } from '../../../lib/prompb/encode.js';
import type { TimeSeries } from '../../../lib/prompb/types.js';
import { parseText } from '../../../lib/protoparser/prometheus/parser.js';
import { parseSeriesKey } from '../../../lib/protoparser/prometheus/series-key.js';
import { CollectingSink } from '../../../testing/ingest-sink.js';
import { defaultIngestConfig } from './flags.js';
import type { IngestConfig } from './flags.js';
import { makeInfluxStreamHandler } from './influx.js';
import { RouteCache, detachString } from './route-cache.js';
import { Fanout } from '../remotewrite.js';
import { RemoteWriteClient } from '../../../lib/remotewrite/client.js';
import { makeIngestRouter } from './router.js';

setupLogger({ sink: () => {} });

const servers: http.Server[] = [];
after(() => servers.forEach((s) => s.close()));

type Post = (
  path: string,
  body: string | Uint8Array,
  headers?: Record<string, string>,
) => Promise<[number, string]>;

// Serves the push paths into sink on 127.0.0.1; post() answers [status, body].
async function serve(cfg: IngestConfig, sink: CollectingSink): Promise<Post> {
  const route = makeIngestRouter(cfg, sink, { prometheus: { parseText, parseSeriesKey } });
  const server = http.createServer((req, res) => void (route(req, res) || res.writeHead(404).end()));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return async (path, body, headers = {}) => {
    const res = await fetch(base + path, { method: 'POST', body, headers });
    return [res.status, await res.text()];
  };
}

// One line per series: `name{a=b,...} v@t v@t`.
const show = (sink: CollectingSink): string[] =>
  sink.series.map(
    (s) =>
      `${s.labels.map((l) => `${l.name}=${l.value}`).join(',')} ${s.samples.map((x) => `${x.value}@${x.timestampMs}`).join(' ')}`,
  );

const rw = (series: TimeSeries[]): Uint8Array =>
  new Uint8Array(snappy.compressSync(Buffer.from(encodeWriteRequest(series))));
const rwSeries = (n: number, from = 0): TimeSeries[] =>
  Array.from({ length: n }, (_, i) => ({
    labels: [
      { name: '__name__', value: 'm' },
      { name: 'i', value: String(from + i) },
    ],
    samples: [
      { value: i, timestampMs: 1 },
      { value: -i, timestampMs: 2 },
    ],
  }));

const lines = (n: number, from = 0): Buffer =>
  Buffer.from(
    Array.from({ length: n }, (_, i) => `cpu,host=h${from + i} a=${i},b=2 1700000000000000000`).join('\n'),
  );

test('influx: a series pushed again is not resolved again; a new route version resolves it anew', async () => {
  const sink = new CollectingSink();
  const push = makeInfluxStreamHandler(defaultIngestConfig(), sink);
  await push([lines(100)]);
  assert.equal(sink.routes, 200); // two fields per line
  await push([lines(100)]);
  assert.equal(sink.routes, 200);
  assert.equal(sink.series.length, 400);
  sink.version = 'reloaded';
  await push([lines(100)]);
  assert.equal(sink.routes, 400);
  // A field seen for the first time on a cached series is resolved once.
  await push([Buffer.from('cpu,host=h1 a=1,c=3 1700000000000000000\ncpu,host=h1 c=4 1700000000000000000')]);
  assert.equal(sink.routes, 401);
  assert.deepEqual(
    sink.series.slice(-2).map((s) => `${s.labels[0]!.value}=${s.samples.map((x) => x.value).join('/')}`),
    ['cpu_a=1', 'cpu_c=3/4'],
  );
});

test('influx: -influxSkipSingleField names single-field lines of a cached series apart', async () => {
  const sink = new CollectingSink();
  const push = makeInfluxStreamHandler(defaultIngestConfig({ influxSkipSingleField: true }), sink);
  await push([Buffer.from('m,h=a v=1 1\nm,h=a v=2,w=3 1\nm,h=a v=4 1\n')]);
  assert.deepEqual(
    sink.series.map((s) => `${s.labels[0]!.value}=${s.samples.map((x) => x.value).join('/')}`),
    ['m=1', 'm_v=2', 'm_w=3', 'm=4'],
  );
});

test('influx: a cached series over a label limit is ignored and counted on every row', async () => {
  const sink = new CollectingSink();
  const ignored = defaultRegistry.counter('vm_rows_ignored_total{reason="too_many_labels"}');
  const before = ignored.value;
  const push = makeInfluxStreamHandler(defaultIngestConfig({ maxLabelsPerTimeseries: 2 }), sink);
  const body = Buffer.from('m,a=1,b=2 v=1 1\n'.repeat(3));
  await push([body]);
  await push([body]);
  assert.equal(ignored.value - before, 6);
  assert.equal(sink.series.length, 0);
  assert.equal(sink.routes, 0);
});

test('route cache: the byte budget bounds it; emptied caches refill', () => {
  const sink = new CollectingSink();
  const a = new RouteCache<number>(sink, 64 * 1024);
  const b = new RouteCache<number>(sink, 1); // the first cache of a sink sets the shared budget
  const ma = a.context('');
  const mb = b.context('x');
  for (let i = 0; i < 10_000; i++) {
    a.add(ma, `series-${i}-${'x'.repeat(50)}`, i, 100);
    b.add(mb, `other-${i}`, i, 0);
    assert.ok(a.size + b.size < 400, `entries ${a.size + b.size} after ${i}`);
  }
  assert.ok(a.size > 0 && b.size > 0);
  // A route version change empties every cache of the sink at the next context().
  sink.version = 'v2';
  assert.equal(a.context('').size, 0);
  assert.equal(b.size, 0);
});

test('route cache: keys do not keep the text they were sliced from', () => {
  const big = 'y'.repeat(1 << 20) + 'cpu,host=a';
  const key = detachString(big.slice(big.length - 10));
  assert.equal(key, 'cpu,host=a');
  const long = big.slice(5, 40);
  assert.equal(detachString(long), long);
});

test('route cache: its size estimate follows the memory the agent really spends per series', async (t) => {
  // The -ingest.routeCacheSize budget is only as good as this estimate: within 2x of heap plus
  // off-heap growth for 20,000 two-field influx series resolved by the real fan-out.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const client = new RemoteWriteClient({
    url: 'http://127.0.0.1:1/api/v1/write',
    urlIndex: 0,
    queues: 1,
    flushIntervalMs: 3_600_000,
    maxBlockBytes: 8 << 20,
    maxRowsPerBlock: 10_000,
    sendTimeoutMs: 1000,
    retryMinIntervalMs: 3_600_000,
    retryMaxIntervalMs: 3_600_000,
    queueDir: '/nonexistent', // a memory queue: nothing is written
    maxDiskBytes: 0,
    disableOnDiskQueue: true,
    memoryQueueBytes: 1 << 30,
    headers: () => ({}),
  });
  const fanout = new Fanout([client], [], undefined, [undefined]);
  try {
    const push = makeInfluxStreamHandler(defaultIngestConfig({ routeCacheSize: 1 << 30 }), fanout);
    const n = 20_000;
    const bodies = Array.from({ length: n / 1000 }, (_, b) =>
      Buffer.from(
        Array.from(
          { length: 1000 },
          (_, i) =>
            `cpu,host=host-${i},dc=eu-1,rack=r${b},id=${b * 1000 + i} usage_user=${i},usage_system=1 1`,
        ).join('\n'),
      ),
    );
    const gauge = defaultRegistry.gauge('lookout_ingest_route_cache_bytes');
    await push([Buffer.from('warm,a=b v=1 1')]);
    gc();
    const m0 = process.memoryUsage();
    const e0 = gauge.get();
    for (const b of bodies) await push([b]);
    gc();
    const m1 = process.memoryUsage();
    const real = m1.heapUsed - m0.heapUsed + (m1.external - m0.external);
    const estimate = gauge.get() - e0;
    t.diagnostic(`per series: estimate ${Math.round(estimate / n)} bytes, measured ${Math.round(real / n)}`);
    assert.ok(estimate > real / 2 && estimate < real * 2, `estimate ${estimate}, measured ${real}`);
  } finally {
    await fanout.close();
  }
});

test('remote write: a series pushed again is not resolved again; a new route version resolves it anew', async () => {
  const sink = new CollectingSink();
  const post = await serve(defaultIngestConfig(), sink);
  assert.deepEqual(await post('/api/v1/write', rw(rwSeries(100))), [204, '']);
  assert.equal(sink.routes, 100);
  assert.deepEqual(show(sink).slice(0, 2), ['__name__=m,i=0 0@1 0@2', '__name__=m,i=1 1@1 -1@2']);
  assert.deepEqual(await post('/api/v1/write', rw(rwSeries(150))), [204, '']);
  assert.equal(sink.routes, 150);
  assert.equal(sink.series.length, 250);
  assert.equal(sink.series.at(-1)!.samples.length, 2);
  sink.version = 'reloaded';
  await post('/api/v1/write', rw(rwSeries(100)));
  assert.equal(sink.routes, 250);
  // The same labels in another order are another key, resolved on their own, with the same result.
  sink.clear();
  const swapped = rwSeries(1).map((s) => ({ ...s, labels: s.labels.slice().reverse() }));
  await post('/api/v1/write', rw(swapped));
  assert.equal(sink.routes, 251);
  assert.deepEqual(show(sink), ['i=0,__name__=m 0@1 0@2']);
});

test('remote write: extra_label contexts are cached apart', async () => {
  const sink = new CollectingSink();
  const post = await serve(defaultIngestConfig(), sink);
  const body = rw(rwSeries(2));
  for (let round = 0; round < 2; round++) {
    sink.clear();
    await post('/api/v1/write', body);
    await post('/api/v1/write?extra_label=env=a', body);
    await post('/api/v1/write?extra_label=env=b&extra_label=i=x', body);
    assert.deepEqual(show(sink), [
      '__name__=m,i=0 0@1 0@2',
      '__name__=m,i=1 1@1 -1@2',
      '__name__=m,i=0,env=a 0@1 0@2',
      '__name__=m,i=1,env=a 1@1 -1@2',
      '__name__=m,env=b,i=x 0@1 0@2',
      '__name__=m,env=b,i=x 1@1 -1@2',
    ]);
    assert.equal(sink.routes, 6);
  }
});

test('remote write: a cached series over a label limit is ignored and counted on every row', async () => {
  const sink = new CollectingSink();
  const ignored = defaultRegistry.counter('vm_rows_ignored_total{reason="too_many_labels"}');
  const before = ignored.value;
  const post = await serve(defaultIngestConfig({ maxLabelsPerTimeseries: 1 }), sink);
  const body = rw(rwSeries(3));
  await post('/api/v1/write', body);
  await post('/api/v1/write', body);
  assert.equal(ignored.value - before, 12); // 3 series, 2 samples each, twice
  assert.equal(sink.series.length, 0);
  assert.equal(sink.routes, 0);
});

test('remote write: a malformed request is refused whole, with the message of the decoder', async () => {
  const sink = new CollectingSink();
  const post = await serve(defaultIngestConfig(), sink);
  const good = encodeWriteRequest(rwSeries(3));
  await post('/api/v1/write', rw(rwSeries(3))); // cached: the bad label below is in a new series
  const f = async (raw: Uint8Array): Promise<void> => {
    sink.clear();
    let want = '';
    assert.throws(
      () => decodeWriteRequest(raw),
      (err: Error) => ((want = err.message), true),
    );
    const [status, text] = await post('/api/v1/write', new Uint8Array(snappy.compressSync(Buffer.from(raw))));
    assert.equal(status, 400, text);
    assert.equal(text, `cannot handle /api/v1/write: cannot unmarshal WriteRequest: ${want}\n`);
    assert.deepEqual(show(sink), []);
  };
  // A label with a bad wire type in a fourth, new series after three cached ones.
  await f(Uint8Array.of(...good, 0x0a, 0x04, 0x0a, 0x02, 0x0b, 0x00));
  // A truncated request, and one with two problems: the first in byte order is named.
  await f(good.subarray(0, good.length - 3));
  await f(Uint8Array.of(0x0a, 0x04, 0x0a, 0x02, 0x0b, 0x00, 0x0a, 0x7f));
});

const importLines = (n: number, from = 0): string =>
  Array.from(
    { length: n },
    (_, i) => `{"metric":{"__name__":"m","i":"${from + i}"},"values":[${i},-${i}],"timestamps":[1,2]}`,
  ).join('\n');

test('JSON import: a metric pushed again is not resolved again; a new route version resolves it anew', async () => {
  const sink = new CollectingSink();
  const post = await serve(defaultIngestConfig(), sink);
  assert.deepEqual(await post('/api/v1/import', importLines(100)), [204, '']);
  assert.equal(sink.routes, 100);
  assert.deepEqual(show(sink).slice(0, 2), ['__name__=m,i=0 0@1 0@2', '__name__=m,i=1 1@1 -1@2']);
  await post('/api/v1/import', importLines(150));
  assert.equal(sink.routes, 150);
  assert.equal(sink.series.length, 250);
  sink.version = 'reloaded';
  await post('/api/v1/import', importLines(100));
  assert.equal(sink.routes, 250);
  // A line in another shape is parsed whole and resolved each time (not cached), with the same result.
  sink.clear();
  const other = '{"values":[5],"timestamps":[6],"metric":{"__name__":"m","i":"0"}}';
  await post('/api/v1/import', `${other}\n${other}`);
  assert.equal(sink.routes, 252);
  assert.deepEqual(show(sink), ['__name__=m,i=0 5@6', '__name__=m,i=0 5@6']);
});

test('JSON import: extra_label contexts are cached apart', async () => {
  const sink = new CollectingSink();
  const post = await serve(defaultIngestConfig(), sink);
  for (let round = 0; round < 2; round++) {
    sink.clear();
    await post('/api/v1/import', importLines(1));
    await post('/api/v1/import?extra_label=env=a', importLines(1));
    await post('/api/v1/import?extra_label=i=x', importLines(1));
    assert.deepEqual(show(sink), [
      '__name__=m,i=0 0@1 0@2',
      '__name__=m,i=0,env=a 0@1 0@2',
      '__name__=m,i=x 0@1 0@2',
    ]);
    assert.equal(sink.routes, 3);
  }
});

test('JSON import: a cached metric over a label limit is ignored and counted on every row', async () => {
  const sink = new CollectingSink();
  const ignored = defaultRegistry.counter('vm_rows_ignored_total{reason="too_many_labels"}');
  const before = ignored.value;
  const post = await serve(defaultIngestConfig({ maxLabelsPerTimeseries: 1 }), sink);
  await post('/api/v1/import', importLines(3));
  await post('/api/v1/import', importLines(3));
  assert.equal(ignored.value - before, 12); // 3 lines, 2 samples each, twice
  assert.equal(sink.series.length, 0);
  assert.equal(sink.routes, 0);
});

test('JSON import: a bad metric is reported with its line, every time; the lines around it arrive', async () => {
  const sink = new CollectingSink();
  const post = await serve(defaultIngestConfig(), sink);
  const body = `${importLines(1)}\n{"metric":{"a":"b",},"values":[1],"timestamps":[1]}\n${importLines(1, 1)}`;
  for (let round = 0; round < 2; round++) {
    sink.clear();
    const [status, text] = await post('/api/v1/import', body);
    assert.equal(status, 200);
    assert.match(
      text,
      /^skipped 1 invalid vmimport line\(s\); first errors:\nline 2: cannot parse .*cannot parse json line/,
    );
    assert.deepEqual(show(sink), ['__name__=m,i=0 0@1 0@2', '__name__=m,i=1 0@1 0@2']);
  }
});

const promLines = (n: number, from = 0): string =>
  Array.from({ length: n }, (_, i) => `m{i="${from + i}"} ${i} 1700000000000`).join('\n') + '\n';

test('Prometheus import: a series pushed again is not resolved again; a new route version resolves it anew', async () => {
  const sink = new CollectingSink();
  const post = await serve(defaultIngestConfig(), sink);
  assert.deepEqual(await post('/api/v1/import/prometheus', promLines(100)), [204, '']);
  assert.equal(sink.routes, 100);
  assert.deepEqual(show(sink).slice(0, 2), [
    '__name__=m,i=0 0@1700000000000',
    '__name__=m,i=1 1@1700000000000',
  ]);
  await post('/api/v1/import/prometheus', promLines(150));
  assert.equal(sink.routes, 150);
  assert.equal(sink.series.length, 250);
  sink.version = 'reloaded';
  await post('/api/v1/import/prometheus', promLines(100));
  assert.equal(sink.routes, 250);
});

test('Prometheus import: Pushgateway paths and extra_label are cached apart', async () => {
  const sink = new CollectingSink();
  const post = await serve(defaultIngestConfig(), sink);
  for (let round = 0; round < 2; round++) {
    sink.clear();
    await post('/api/v1/import/prometheus', promLines(1));
    await post('/api/v1/import/prometheus/metrics/job/a', promLines(1));
    await post('/api/v1/import/prometheus/metrics/job/b', promLines(1));
    await post('/api/v1/import/prometheus/metrics/job/b?extra_label=i=x', promLines(1));
    assert.deepEqual(show(sink), [
      '__name__=m,i=0 0@1700000000000',
      '__name__=m,i=0,job=a 0@1700000000000',
      '__name__=m,i=0,job=b 0@1700000000000',
      '__name__=m,job=b,i=x 0@1700000000000',
    ]);
    assert.equal(sink.routes, 4);
  }
});

test('Prometheus import: a cached series over a label limit is ignored and counted on every row', async () => {
  const sink = new CollectingSink();
  const ignored = defaultRegistry.counter('vm_rows_ignored_total{reason="too_many_labels"}');
  const before = ignored.value;
  const post = await serve(defaultIngestConfig({ maxLabelsPerTimeseries: 1 }), sink);
  await post('/api/v1/import/prometheus', promLines(3));
  await post('/api/v1/import/prometheus', promLines(3));
  assert.equal(ignored.value - before, 6);
  assert.equal(sink.series.length, 0);
  assert.equal(sink.routes, 0);
});

test('Prometheus import: bad lines and bad keys skip their line only, every time', async () => {
  const sink = new CollectingSink();
  const post = await serve(defaultIngestConfig(), sink);
  for (let round = 0; round < 2; round++) {
    const [status, text] = await post('/api/v1/import/prometheus', `${promLines(1)}m{i="1"} x\n`);
    assert.equal(status, 200);
    assert.match(text, /line 2: cannot parse "m\{i=\\"1\\"\} x": cannot parse value "x"/);
    // A key whose labels do not parse skips its line only (vmagent does the same); the others land.
    sink.clear();
    const [status2, text2] = await post(
      '/api/v1/import/prometheus',
      `${promLines(1)}m{1="x"} 1\n${promLines(1, 1)}`,
    );
    assert.equal(status2, 200);
    assert.match(
      text2,
      /line 2: cannot parse "m\{1=\\"x\\"\} 1": cannot parse series "m\{1=\\"x\\"\}": missing or invalid label name/,
    );
    assert.deepEqual(
      sink.series.map((s) => s.labels.find((l) => l.name === 'i')?.value),
      ['0', '1'],
    );
  }
});
