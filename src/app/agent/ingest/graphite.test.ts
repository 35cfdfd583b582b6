// The graphite stream handler: series pushed again skip resolving (route cache), a relabel reload
// re-resolves them, label limits stay counted per row, bad lines are reported as the parser reports them,
// and -graphiteTrimTimestamp and "now" apply to cached series alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupLogger } from '../../../lib/logger/logger.js';
import { defaultRegistry } from '../../../lib/metrics/registry.js';
import { parseGraphiteLines } from '../../../lib/protoparser/graphite/parser.js';
import { CollectingSink } from '../../../testing/ingest-sink.js';
import { LineErrors } from './common.js';
import { defaultIngestConfig } from './flags.js';
import { makeGraphiteStreamHandler } from './graphite.js';

setupLogger({ sink: () => {} });

const lines = (n: number): Buffer =>
  Buffer.from(Array.from({ length: n }, (_, i) => `srv.h${i}.cpu;dc=eu;id=${i} ${i} 1700000000`).join('\n'));

const shown = (sink: CollectingSink): string[] =>
  sink.series.map(
    (s) =>
      `${s.labels.map((l) => `${l.name}=${l.value}`).join(',')} ${s.samples.map((x) => `${x.value}@${x.timestampMs}`).join(' ')}`,
  );

test('graphite: a series pushed again is not resolved again; a new route version resolves it anew', async () => {
  const sink = new CollectingSink();
  const push = makeGraphiteStreamHandler(defaultIngestConfig(), sink);
  await push([lines(100)]);
  assert.equal(sink.routes, 100);
  await push([lines(100)]);
  assert.equal(sink.routes, 100);
  assert.equal(sink.series.length, 200);
  assert.deepEqual(shown(sink).slice(-1), ['__name__=srv.h99.cpu,dc=eu,id=99 99@1700000000000']);
  sink.version = 'reloaded';
  await push([lines(100)]);
  assert.equal(sink.routes, 200);
  // The series text is the key: the same labels written differently are another entry, same labels.
  sink.clear();
  await push([Buffer.from('a;x=1;y=2 1 1\na;x=1;y=2;z= 2 1\na;x=1;y=2 3 1\n')]);
  assert.equal(sink.routes, 202);
  assert.deepEqual(shown(sink), [
    '__name__=a,x=1,y=2 1@1000',
    '__name__=a,x=1,y=2 2@1000',
    '__name__=a,x=1,y=2 3@1000',
  ]);
});

test('graphite: a cached series over a label limit is ignored and counted on every row', async () => {
  const sink = new CollectingSink();
  const ignored = defaultRegistry.counter('vm_rows_ignored_total{reason="too_many_labels"}');
  const inserted = defaultRegistry.counter('vmagent_rows_inserted_total{type="graphite"}');
  const [ignoredBefore, insertedBefore] = [ignored.value, inserted.value];
  const push = makeGraphiteStreamHandler(defaultIngestConfig({ maxLabelsPerTimeseries: 2 }), sink);
  const body = Buffer.from('m;a=1;b=2 1 1\n'.repeat(3) + 'ok;a=1 1 1\n');
  await push([body]);
  await push([body]);
  assert.equal(ignored.value - ignoredBefore, 6);
  assert.equal(inserted.value - insertedBefore, 2);
  assert.equal(sink.routes, 1);
  assert.deepEqual(shown(sink), ['__name__=ok,a=1 1@1000 1@1000']);
});

test('graphite: bad lines are reported with the parser messages, also for cached and new series', async () => {
  const sink = new CollectingSink();
  const push = makeGraphiteStreamHandler(defaultIngestConfig(), sink);
  const text =
    'ok 1 1\n' +
    ';a=b 1 1\n' + // a new series with a bad series text: found only when it is resolved
    'ok x 1\n' + // a cached series with a bad value
    ';a=b x 1\n' + // bad in both places: the series text is reported, as vmagent parses it first
    'foo\n' +
    'ok 1 y\n' +
    ';a=b 2 2\n' + // a bad series is not cached: reported again
    'ok 2 2\n';
  const want: string[] = [];
  parseGraphiteLines(
    text,
    { nowMs: 0 },
    () => {},
    (n, line, msg) => want.push(`line ${n}: cannot parse ${JSON.stringify(line)}: ${msg}`),
  );
  assert.equal(want.length, 6);
  const errors = new LineErrors('graphite');
  // Two chunks: line numbers count from the start of the stream.
  const cut = text.indexOf('foo');
  await push([Buffer.from(text.slice(0, cut)), Buffer.from(text.slice(cut))], errors);
  assert.deepEqual(errors.first, want);
  assert.equal(want[0], 'line 2: cannot parse ";a=b 1 1": metric cannot be empty');
  assert.equal(want[1], 'line 3: cannot parse "ok x 1": cannot unmarshal value from "x"');
  assert.deepEqual(shown(sink), ['__name__=ok 1@1000 2@2000']);
});

test('graphite: -graphiteTrimTimestamp and "now" apply to cached series', async () => {
  const sink = new CollectingSink();
  const push = makeGraphiteStreamHandler(defaultIngestConfig({ graphiteTrimTimestampMs: 60_000 }), sink);
  const before = Math.floor(Date.now() / 60_000) * 60_000;
  await push([Buffer.from('m 1 1700000061\nm 2 1700000119.9\nm 3\nm 4 0\nm 5 -1\nm 6 -2\n')]);
  const after = Math.floor(Date.now() / 60_000) * 60_000;
  const ts = sink.series[0]!.samples.map((s) => s.timestampMs);
  assert.deepEqual(ts.slice(0, 2), [1_700_000_040_000, 1_700_000_100_000]);
  for (const t of ts.slice(2, 5)) assert.ok(t >= before && t <= after && t % 60_000 === 0, String(t));
  assert.equal(ts[5], 0); // -2 s trimmed towards zero, as Go's % does
  assert.equal(sink.routes, 1);
});

test('graphite: a route cache too small for the series still delivers every row under its labels', async () => {
  const sink = new CollectingSink();
  // About a dozen series fit: the cache is emptied again and again within each block.
  const push = makeGraphiteStreamHandler(defaultIngestConfig({ routeCacheSize: 4096 }), sink);
  const got: string[] = [];
  sink.onSample = (ts) => got.push(`${ts.labels.map((l) => l.value).join(',')}=${ts.samples.at(-1)!.value}`);
  await push([lines(100)]);
  await push([lines(100)]);
  const want = Array.from({ length: 100 }, (_, i) => `srv.h${i}.cpu,eu,${i}=${i}`);
  assert.deepEqual(got, [...want, ...want]);
  assert.ok(sink.routes > 150, `${sink.routes} routes`);
});
