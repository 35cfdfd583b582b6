// The push handlers end to end over real HTTP with a collecting sink: what each path turns into.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import snappy from 'snappy';
import type { TimeSeries } from '../../../lib/prompb/types.js';
import { CollectingSink } from '../../../testing/ingest-sink.js';
import { setupLogger } from '../../../lib/logger/logger.js';
import { encodeWriteRequest } from '../../../lib/prompb/encode.js';
import { encodeExportMetricsServiceRequest } from '../../../lib/protoparser/opentelemetry/encode.js';
import { defaultIngestConfig } from './flags.js';
import type { IngestConfig } from './flags.js';
import { makeIngestRouter } from './router.js';
import { parsePushgatewayPath } from './prometheusimport.js';

setupLogger({ sink: () => {} });

const sink = new CollectingSink();
const servers: http.Server[] = [];

async function start(cfg: IngestConfig): Promise<string> {
  const route = makeIngestRouter(cfg, sink, {
    prometheus: {
      parseText: (body, onRow) =>
        body.split('\n').forEach((l) => l && onRow(l.split(' ')[0]!, Number(l.split(' ')[1]), undefined)),
      parseSeriesKey: (key) => [{ name: '__name__', value: key }],
    },
  });
  const server = http.createServer((req, res) => void (route(req, res) || res.writeHead(404).end()));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let base = '';
let skipBase = '';
before(async () => {
  base = await start(defaultIngestConfig());
  skipBase = await start(
    defaultIngestConfig({
      influxSkipSingleField: true,
      influxMeasurementFieldSeparator: '.',
      influxDBLabel: 'database',
    }),
  );
});
after(() => servers.forEach((s) => s.close()));

const show = (ts: TimeSeries): string =>
  `${ts.labels.map((l) => `${l.name}=${l.value}`).join(',')} ${ts.samples.map((s) => `${s.value}@${s.timestampMs}`).join(' ')}`;

async function push(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<[number, string[]]> {
  sink.clear();
  const res = await fetch(url, { method: 'POST', body, headers });
  await res.text();
  return [res.status, sink.series.map(show)];
}

test('influx naming flags and db label', async () => {
  const f = async (url: string, body: string, want: string[]): Promise<void> =>
    assert.deepEqual(await push(url, body), [204, want], url);
  await f(`${base}/write?db=tg`, 'm,h=a v=1 1700000000', ['__name__=m_v,h=a,db=tg 1@1700000000000']);
  await f(`${skipBase}/write?db=tg`, 'm,h=a v=1 1700000000', ['__name__=m,h=a,database=tg 1@1700000000000']);
  await f(`${skipBase}/write`, 'm a=1,b=2 1700000000', [
    '__name__=m.a 1@1700000000000',
    '__name__=m.b 2@1700000000000',
  ]);
  await f(`${base}/write?extra_label=h=x&extra_label=e=1`, 'm,h=a v=1 1700000000', [
    '__name__=m_v,h=x,e=1 1@1700000000000',
  ]);
});

test('influx auxiliary endpoints', async () => {
  assert.equal((await fetch(`${base}/ping`)).status, 204);
  assert.equal((await fetch(`${base}/influx/health`)).status, 200);
  const q = await fetch(`${base}/query?q=show+databases`);
  assert.equal(
    await q.text(),
    '{"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"],"values":[["_internal"]]}]}]}',
  );
});

test('prometheus import: Pushgateway paths become labels', async () => {
  assert.deepEqual(
    await push(`${base}/api/v1/import/prometheus/metrics/job/j1/instance/i1?timestamp=1700000000`, 'up 1\n'),
    [204, ['__name__=up,job=j1,instance=i1 1@1700000000000']],
  );
  const f = (path: string, want: string): void =>
    assert.equal(
      parsePushgatewayPath(path)
        .map((l) => `${l.name}=${l.value}`)
        .join(','),
      want,
      path,
    );
  f('/api/v1/import/prometheus', '');
  f('/api/v1/import/prometheus/metrics/job/a', 'job=a');
  f('/api/v1/import/prometheus/metrics/job/a/x@base64/L3Zhci90bXA', 'job=a,x=/var/tmp');
  assert.throws(() => parsePushgatewayPath('/api/v1/import/prometheus/metrics/job'), /must contain/);
  assert.throws(() => parsePushgatewayPath('/api/v1/import/prometheus/other'), /unsupported path/);
});

test('remote write and OTLP reach the sink with extra labels', async () => {
  const rw = encodeWriteRequest([
    { labels: [{ name: '__name__', value: 'rw' }], samples: [{ value: 1, timestampMs: 5 }] },
  ]);
  assert.deepEqual(
    await push(
      `${base}/api/v1/write?extra_label=env=p`,
      new Uint8Array(snappy.compressSync(Buffer.from(rw))),
    ),
    [204, ['__name__=rw,env=p 1@5']],
  );
  const otlp = encodeExportMetricsServiceRequest([
    {
      resourceAttributes: [],
      metrics: [
        {
          name: 'g',
          gauge: { dataPoints: [{ attributes: [], timeUnixNano: 7_000_000n, value: 3, flags: 0 }] },
        },
      ],
    },
  ]);
  assert.deepEqual(
    await push(`${base}/opentelemetry/v1/metrics?extra_label=env=p`, new Uint8Array(otlp), {
      'Content-Type': 'application/x-protobuf',
    }),
    [200, ['__name__=g,env=p 3@7']],
  );
});

test('large bodies: the queues are asked again every 10,000 rows', async () => {
  const lines = Array.from({ length: 25_000 }, (_, i) => `m,i=${i} v=${i} 1700000000`).join('\n');
  const big = new CollectingSink();
  let asked = 0;
  big.acceptsPush = () => (asked++, true);
  const route = makeIngestRouter(defaultIngestConfig(), big);
  const server = http.createServer((req, res) => void route(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/write`, {
    method: 'POST',
    body: lines,
  });
  assert.equal(res.status, 204);
  assert.equal(big.series.length, 25_000);
  // Once before the block, then after rows 10,000 and 20,000.
  assert.equal(asked, 3);
});
