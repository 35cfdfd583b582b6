// The OpenTSDB telnet stream handler: series pushed again skip resolving (route cache keyed by metric and
// tags text), a relabel reload re-resolves them, label limits stay counted per row, bad lines are reported
// as the parser reports them, and -opentsdbTrimTimestamp and "now" apply to cached series alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupLogger } from '../../../lib/logger/logger.js';
import { defaultRegistry } from '../../../lib/metrics/registry.js';
import { parseOpenTSDBLines } from '../../../lib/protoparser/opentsdb/parser.js';
import { CollectingSink } from '../../../testing/ingest-sink.js';
import { LineErrors } from './common.js';
import { defaultIngestConfig } from './flags.js';
import { makeOpenTSDBStreamHandler } from './opentsdb.js';

setupLogger({ sink: () => {} });

const lines = (n: number): Buffer =>
  Buffer.from(
    Array.from({ length: n }, (_, i) => `put m${i % 3} 1700000000 ${i} host=h${i} dc=eu`).join('\n'),
  );

const shown = (sink: CollectingSink): string[] =>
  sink.series.map(
    (s) =>
      `${s.labels.map((l) => `${l.name}=${l.value}`).join(',')} ${s.samples.map((x) => `${x.value}@${x.timestampMs}`).join(' ')}`,
  );

test('opentsdb: a series pushed again is not resolved again; a new route version resolves it anew', async () => {
  const sink = new CollectingSink();
  const push = makeOpenTSDBStreamHandler(defaultIngestConfig(), sink);
  await push([lines(100)]);
  assert.equal(sink.routes, 100);
  await push([lines(100)]);
  assert.equal(sink.routes, 100);
  assert.equal(sink.series.length, 200);
  assert.deepEqual(shown(sink).slice(-1), ['__name__=m0,host=h99,dc=eu 99@1700000000000']);
  sink.version = 'reloaded';
  await push([lines(100)]);
  assert.equal(sink.routes, 200);
  // The metric and the tags text together are the key: same tags under another metric, or another
  // metric with the same tags, are other series.
  sink.clear();
  await push([
    Buffer.from('put a 1 1 x=1\nput b 1 2 x=1\nput a 1 3 x=2\nput a 1 4 x=1\nput  a  1  5  x=1\n'),
  ]);
  assert.equal(sink.routes, 204);
  assert.deepEqual(shown(sink), [
    '__name__=a,x=1 1@1000',
    '__name__=b,x=1 2@1000',
    '__name__=a,x=2 3@1000',
    '__name__=a,x=1 4@1000',
    '__name__=a,x=1 5@1000',
  ]);
});

test('opentsdb: the WebAssembly scanner keeps metric and tags text apart, and reads what the parser reads', async () => {
  const sink = new CollectingSink();
  const push = makeOpenTSDBStreamHandler(defaultIngestConfig(), sink);
  const text = 'put ab 1 1 c=d\nput a 1 2 bc=d\nput a 4294967296 3\nput a 0001 -4.5 \nput abc 1 5 d\n';
  const want: string[] = [];
  parseOpenTSDBLines(
    text,
    { nowMs: 0 },
    (r) => want.push(`${r.metric} ${JSON.stringify(r.tags)} ${r.value}@${r.timestampMs}`),
    () => {},
  );
  // The first push resolves and registers the series, the second is read in WebAssembly.
  for (let i = 0; i < 2; i++) {
    sink.clear();
    await push([Buffer.from(text)]);
    const got = sink.series.flatMap((s) =>
      s.samples.map(
        (x) =>
          `${s.labels[0]!.value} ${JSON.stringify(s.labels.slice(1).map((l) => ({ key: l.name, value: l.value })))} ${x.value}@${x.timestampMs}`,
      ),
    );
    assert.deepEqual(got, want, `push ${i}`);
  }
  assert.equal(sink.routes, 3);
});

test('opentsdb: a cached series over a label limit is ignored and counted on every row', async () => {
  const sink = new CollectingSink();
  const ignored = defaultRegistry.counter('vm_rows_ignored_total{reason="too_long_label_value"}');
  const inserted = defaultRegistry.counter('vmagent_rows_inserted_total{type="opentsdb"}');
  const [ignoredBefore, insertedBefore] = [ignored.value, inserted.value];
  const push = makeOpenTSDBStreamHandler(defaultIngestConfig({ maxLabelValueLen: 4 }), sink);
  const body = Buffer.from('put m 1 1 a=toolong\n'.repeat(3) + 'put m 1 1 a=ok\n');
  await push([body]);
  await push([body]);
  assert.equal(ignored.value - ignoredBefore, 6);
  assert.equal(inserted.value - insertedBefore, 2);
  assert.equal(sink.routes, 1);
  assert.deepEqual(shown(sink), ['__name__=m,a=ok 1@1000 1@1000']);
});

test('opentsdb: bad lines are reported with the parser messages, also for cached and new series', async () => {
  const sink = new CollectingSink();
  const push = makeOpenTSDBStreamHandler(defaultIngestConfig(), sink);
  const text =
    'put ok 1 1 a=b\n' +
    'put ok 1 1 a=b c\n' + // a new tags text without `=`: found only when it is resolved
    'put ok 1 x a=b\n' + // a cached series with a bad value
    'get ok 1 1 a=b\n' +
    'put ok 1\n' +
    'put ok 1 1 a=b c\n' + // a bad series is not cached: reported again
    'put ok 2 2 a=b\n';
  const want: string[] = [];
  parseOpenTSDBLines(
    text,
    { nowMs: 0 },
    () => {},
    (n, line, msg) => want.push(`line ${n}: cannot parse ${JSON.stringify(line)}: ${msg}`),
  );
  assert.equal(want.length, 5);
  const errors = new LineErrors('opentsdb');
  // Two chunks: line numbers count from the start of the stream.
  const cut = text.indexOf('get');
  await push([Buffer.from(text.slice(0, cut)), Buffer.from(text.slice(cut))], errors);
  assert.deepEqual(errors.first, want);
  assert.equal(
    want[0],
    'line 2: cannot parse "put ok 1 1 a=b c": cannot unmarshal tags in "ok 1 1 a=b c": missing tag value for "c"',
  );
  assert.equal(want[1], 'line 3: cannot parse "put ok 1 x a=b": cannot parse value from "x"');
  assert.deepEqual(shown(sink), ['__name__=ok,a=b 1@1000 2@2000']);
});

test('opentsdb: -opentsdbTrimTimestamp and "now" apply to cached series', async () => {
  const sink = new CollectingSink();
  const push = makeOpenTSDBStreamHandler(defaultIngestConfig({ opentsdbTrimTimestampMs: 60_000 }), sink);
  const before = Math.floor(Date.now() / 60_000) * 60_000;
  await push([Buffer.from('put m 1700000061 1\nput m 1700000119999 2\nput m 0 3\nput m -2 4\n')]);
  const after = Math.floor(Date.now() / 60_000) * 60_000;
  const ts = sink.series[0]!.samples.map((s) => s.timestampMs);
  assert.deepEqual(ts.slice(0, 2), [1_700_000_040_000, 1_700_000_100_000]);
  assert.ok(ts[2]! >= before && ts[2]! <= after && ts[2]! % 60_000 === 0, String(ts[2]));
  assert.equal(ts[3], 0); // -2 is taken as ms, then trimmed towards zero as Go's % does
  assert.equal(sink.routes, 1);
});

test('opentsdb: a route cache too small for the series still delivers every row under its labels', async () => {
  const sink = new CollectingSink();
  // About a dozen series fit: the cache is emptied again and again within each block, also under the
  // tag sets of the metric the previous line had (one metric here).
  const push = makeOpenTSDBStreamHandler(defaultIngestConfig({ routeCacheSize: 4096 }), sink);
  const got: string[] = [];
  sink.onSample = (ts) => got.push(`${ts.labels.map((l) => l.value).join(',')}=${ts.samples.at(-1)!.value}`);
  const body = Buffer.from(Array.from({ length: 100 }, (_, i) => `put m 1 ${i} host=h${i}\n`).join(''));
  await push([body]);
  await push([body]);
  const want = Array.from({ length: 100 }, (_, i) => `m,h${i}=${i}`);
  assert.deepEqual(got, [...want, ...want]);
  assert.ok(sink.routes > 150, `${sink.routes} routes`);
});
