// The push handlers' route cache: series pushed again skip resolving, a relabel reload re-resolves them,
// label limits stay counted per row, and the memory budget bounds it.
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import assert from 'node:assert/strict';
import { setupLogger } from '../../../lib/logger/logger.js';
import { defaultRegistry } from '../../../lib/metrics/registry.js';
import { CollectingSink } from '../../../testing/ingest-sink.js';
import { defaultIngestConfig } from './flags.js';
import { makeInfluxStreamHandler } from './influx.js';
import { RouteCache, detachString } from './route-cache.js';
import { Fanout } from '../remotewrite.js';
import { RemoteWriteClient } from '../../../lib/remotewrite/client.js';

setupLogger({ sink: () => {} });

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
