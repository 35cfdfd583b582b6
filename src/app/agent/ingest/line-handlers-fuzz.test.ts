// The cached graphite, OpenTSDB, Prometheus text and JSON-lines import handlers against their parsers: fuzzed inputs pushed
// through one handler (so its route cache stays warm from input to input) must give the rows and line
// errors that parsing each input whole gives. A route cached under the wrong key would show up as wrong
// labels here. Each runs twice: into a plain sink, and into one that offers the WebAssembly output
// (lib/wasm/rows.ts), whose rows, decoded from the staged remote-write bytes, come in input order per
// series. With the output, the handlers read many lines of known series with their WebAssembly scanners
// (lib/wasm/assembly/{graphite,opentsdb,prometheus,vmimport}.ts), and a scanner that finds a key other than the
// parser's would register or look up the wrong route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupLogger } from '../../../lib/logger/logger.js';
import type { Label } from '../../../lib/prompb/types.js';
import { parseGraphiteLines } from '../../../lib/protoparser/graphite/parser.js';
import { parseOpenTSDBLines } from '../../../lib/protoparser/opentsdb/parser.js';
import { parseText } from '../../../lib/protoparser/prometheus/parser.js';
import { parseSeriesKey } from '../../../lib/protoparser/prometheus/series-key.js';
import { fuzzInputs } from '../../../lib/protoparser/protoparserutil/fuzz-input.js';
import { forEachLineRange } from '../../../lib/protoparser/protoparserutil/lines.js';
import type { LineErrorHandler, Tag } from '../../../lib/protoparser/protoparserutil/lines.js';
import { parseVMImportLine } from '../../../lib/protoparser/vmimport/parser.js';
import { lineFastPath } from '../../../lib/wasm/lines.js';
import { CollectingSink } from '../../../testing/ingest-sink.js';
import { LineErrors } from './common.js';
import { defaultIngestConfig } from './flags.js';
import { makeGraphiteStreamHandler } from './graphite.js';
import { makeOpenTSDBStreamHandler } from './opentsdb.js';
import { makePrometheusTextImporter } from './prometheusimport.js';
import { makeVMImportStreamHandler } from './vmimport.js';

setupLogger({ sink: () => {} });

const inputs = 50_000;
const alphabet = ' ,=\\"\n\r\t;#abcxyz019.-+eiuTFEN_{}[]:pt';

type ParseLines = (
  text: string,
  opts: { nowMs: number; trimMs?: number },
  // metric undefined: the tags hold __name__ (if any) in the order the series' labels have.
  onRow: (r: { metric?: string; tags: Tag[]; value: number; timestampMs: number }) => void,
  onError: LineErrorHandler,
) => void;

type Push = (chunks: Iterable<Buffer>, errors: LineErrors) => Promise<void>;

// Every third input comes in three chunks cut at places that vary with i, so that a stream has several
// blocks and the lines of later blocks are numbered after the earlier blocks' counts.
function split(b: Buffer, i: number): Buffer[] {
  if (i % 3 !== 1 || b.length < 3) return [b];
  const x = 1 + ((i * 7919) % (b.length - 1));
  const y = 1 + ((i * 104729) % (b.length - 1));
  const [p, q] = x < y ? [x, y] : [y, x];
  return [b.subarray(0, p), b.subarray(p, q), b.subarray(q)];
}

async function compare(
  name: string,
  seeds: string[],
  seed: number,
  parse: ParseLines,
  push: Push,
  sink: CollectingSink,
): Promise<number> {
  const wasm = sink.wasmRouteParts !== undefined;
  // Rows grouped by series, each series in its own order (a stable sort).
  const bySeries = (rows: string[]): string[] => {
    if (!wasm) return rows;
    const key = (r: string): string => r.slice(0, r.indexOf(' '));
    return rows.slice().sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  };
  const got: string[] = [];
  sink.onSample = (ts) => {
    const s = ts.samples.at(-1)!;
    got.push(`${ts.labels.map((l) => `${l.name}=${l.value}`).join(',')} ${s.value} ${s.timestampMs}`);
  };
  let i = 0;
  let rows = 0;
  for (const input of fuzzInputs(seeds, alphabet, inputs, seed)) {
    for (;;) {
      got.length = 0;
      const nowMs = Date.now();
      const errors = new LineErrors(name);
      await push(split(Buffer.from(input), i), errors);
      // "now" is read per block: retry the rare input that straddled a second.
      if (Math.floor(Date.now() / 1000) !== Math.floor(nowMs / 1000)) continue;
      const want: string[] = [];
      const wantErrors: string[] = [];
      parse(
        input,
        { nowMs, trimMs: 60_000 },
        (r) => {
          const labels = r.tags.map((t) => `${t.key}=${t.value}`);
          if (r.metric !== undefined) labels.unshift(`__name__=${r.metric}`);
          want.push(`${labels.join(',')} ${r.value} ${r.timestampMs}`);
        },
        (n, line, msg) =>
          wantErrors.push(
            `line ${n}: cannot parse ${JSON.stringify(line.length > 200 ? line.slice(0, 200) + '...' : line)}: ${msg}`,
          ),
      );
      const what = `${name} input #${i} ${JSON.stringify(input)}`;
      assert.deepEqual(bySeries(got), bySeries(want), what);
      assert.deepEqual(errors.first, wantErrors.slice(0, errors.first.length), what);
      assert.equal(errors.count, wantErrors.length, what);
      rows += want.length;
      break;
    }
    i++;
  }
  assert.ok(rows > inputs / 4, `${name}: only ${rows} good rows`);
  // Most rows repeat a series seen before: the cache was used, not just filled.
  assert.ok(sink.routes < rows / 2, `${name}: ${sink.routes} routes for ${rows} rows`);
  if (wasm) assert.ok(sink.wasmRows > rows / 4, `${name}: the output wrote ${sink.wasmRows} of ${rows} rows`);
  return rows;
}

// Prometheus text rows without a timestamp get this one (the importer takes "now" as an argument).
const promNowMs = 1_700_000_000_123;

// parseText's rows as the importer makes them: the key split into labels (a bad key rejects its line).
const parsePromLines: ParseLines = (text, _opts, onRow, onError) =>
  parseText(
    text,
    (key, value, timestampMs) => {
      let labels;
      try {
        labels = parseSeriesKey(key);
      } catch (err) {
        return (err as Error).message;
      }
      const tags = labels.slice(1).map((l) => ({ key: l.name, value: l.value }));
      onRow({ metric: labels[0]!.value, tags, value, timestampMs: timestampMs || promNowMs });
      return undefined;
    },
    onError,
  );

// The import lines as the reference parser reads them, one row per value.
const parseImportLines: ParseLines = (text, _opts, onRow, onError) =>
  forEachLineRange(
    text,
    (from, to) => {
      const row = parseVMImportLine(text.slice(from, to));
      for (let i = 0; i < row.values.length; i++)
        onRow({ tags: row.tags, value: row.values[i]!, timestampMs: row.timestampsMs[i]! });
    },
    onError,
  );

// Asserts that a WebAssembly scanner took more than 1/8 of the rows run() pushed (when the sink offers the
// output).
async function assertScanned(name: string, sink: CollectingSink, run: () => Promise<number>): Promise<void> {
  const before = lineFastPath().rowsTaken;
  const rows = await run();
  const taken = lineFastPath().rowsTaken - before;
  if (sink.wasmRouteParts !== undefined)
    assert.ok(taken > rows / 8, `the ${name} fast path took ${taken} of ${rows} rows`);
}

const sinks = [
  { kind: '', make: () => new CollectingSink() },
  { kind: ', WebAssembly output', make: () => new CollectingSink({ wasmSlots: 2 }) },
];

for (const { kind, make } of sinks) {
  test(`graphite handler = parser over ${inputs} fuzzed inputs${kind}`, async () => {
    const sink = make();
    const push = makeGraphiteStreamHandler(defaultIngestConfig({ graphiteTrimTimestampMs: 60_000 }), sink);
    const seeds = ['foo.bar;a=b;c=d 1.5 1700000000', 'x 1', 'a;b=c\tb\t3'];
    await assertScanned('graphite', sink, () =>
      compare('graphite', seeds, 7, parseGraphiteLines, push, sink),
    );
  });

  test(`opentsdb handler = parser over ${inputs} fuzzed inputs${kind}`, async () => {
    const sink = make();
    const push = makeOpenTSDBStreamHandler(defaultIngestConfig({ opentsdbTrimTimestampMs: 60_000 }), sink);
    const seeds = [
      'put sys.cpu 1700000000 42 host=a dc=b',
      'put m 1700000000123 1 a=b',
      'put sys.cpu 0 1 dc=b',
    ];
    await assertScanned('opentsdb', sink, () =>
      compare('opentsdb', seeds, 8, parseOpenTSDBLines, push, sink),
    );
  });

  test(`prometheus import = parser over ${inputs} fuzzed inputs${kind}`, async () => {
    const sink = make();
    const importText = makePrometheusTextImporter(defaultIngestConfig(), { parseText, parseSeriesKey });
    const push: Push = (chunks, errors) => importText(chunks, [], promNowMs, sink, errors);
    const seeds = [
      'm{a="b",c="d"} 1.5 1700000000',
      'x 1\n# HELP x y',
      'up{job="a b",i="x\\"}y"} 3 1700000000123',
      'n{} -2 0',
    ];
    await assertScanned('prometheus', sink, () =>
      compare('prometheus', seeds, 9, parsePromLines, push, sink),
    );
  });

  test(`JSON-lines import = parser over ${inputs} fuzzed inputs${kind}`, async () => {
    const sink = make();
    const importStream = makeVMImportStreamHandler(defaultIngestConfig());
    const push: Push = (chunks, errors) => importStream(chunks, [], sink, errors);
    const seeds = [
      '{"metric":{"__name__":"m","a":"b"},"values":[1,2.5,null],"timestamps":[1700000000000,1700000001000,-5]}',
      '{"metric":{"x":"y"},"values":[0],"timestamps":[0]}\r\n{"metric":{"x":"y"},"values":[-0.5],"timestamps":[7]}',
      ' { "metric" : { "__name__" : "n" } , "values" : [ -1.25e3, 4 ] , "timestamps" : [ 12 ,13 ] } ',
      // The metric text the scan finds ends early here; the line parses with another metric.
      '{"metric":{"a":{"b":1},"values":["Inf"],"timestamps":[1]},"values":[1],"timestamps":[1]}',
    ];
    await assertScanned('vmimport', sink, () => compare('vmimport', seeds, 10, parseImportLines, push, sink));
  });
}

test('prometheus import: keys with spaces, braces and escaped quotes in values are read as the parser reads them', async () => {
  const sink = new CollectingSink({ wasmSlots: 2 });
  const importText = makePrometheusTextImporter(defaultIngestConfig(), { parseText, parseSeriesKey });
  const text = [
    '# HELP m a metric',
    'm{a="x y",b="}"} 1',
    'm{a="\\"} 5"} 2 1700000000',
    'm{a="\\\\"} 3 2147483648',
    'm 4 0',
    'm{a="x y",b="}"} 5 1700000001000',
    // Quoted values across the scanner's 16-byte steps, with braces and escapes in them.
    'm{long="aaaaaaaaaaaaa} x {",b="c"} 6',
    'm{long="aaaaaaaaaaaaaaaaaaaaaaa\\"} 7",b="}"} 8',
    '',
  ].join('\n');
  const want: string[] = [];
  parsePromLines(text, { nowMs: 0 }, (r) => want.push(`${JSON.stringify(r)}`), assert.fail);
  const got: string[] = [];
  sink.onSample = (ts) => {
    const [name, ...rest] = ts.labels;
    const tags = rest.map((l) => ({ key: l.name, value: l.value }));
    const s = ts.samples.at(-1)!;
    got.push(JSON.stringify({ metric: name!.value, tags, value: s.value, timestampMs: s.timestampMs }));
  };
  // The first import resolves and registers the series, the second reads every row in WebAssembly.
  for (let i = 0; i < 2; i++) {
    got.length = 0;
    const before = lineFastPath().rowsTaken;
    const errors = new LineErrors('prometheus');
    await importText([Buffer.from(text)], [], promNowMs, sink, errors);
    assert.equal(errors.count, 0);
    assert.deepEqual(got.sort(), want.slice().sort(), `import ${i}`);
    if (i === 1) assert.equal(lineFastPath().rowsTaken - before, want.length);
  }
});

test('JSON-lines import: lines of many values fill the row buffer and are read as the parser reads them', async () => {
  const sink = new CollectingSink({ wasmSlots: 2 });
  const importStream = makeVMImportStreamHandler(defaultIngestConfig());
  const line = (i: number, n: number): string =>
    JSON.stringify({
      metric: { __name__: 'm', i: String(i % 100) },
      values: Array.from({ length: n }, (_, k) => (k % 7 === 0 ? null : k * 0.25 - i)),
      timestamps: Array.from({ length: n }, (_, k) => 1_700_000_000_000 + k),
    });
  // 3 values a line across row-buffer boundaries, CRLF endings, and one line with more values than the
  // buffer holds (the JavaScript parser takes it).
  const lines = Array.from({ length: 3000 }, (_, i) => line(i, 3));
  lines.splice(1500, 0, line(1, 5000));
  const text = lines.join('\r\n') + '\n';
  const want: string[] = [];
  parseImportLines(
    text,
    { nowMs: 0 },
    (r) => want.push(`${r.tags.map((t) => `${t.key}=${t.value}`).join(',')} ${r.value} ${r.timestampMs}`),
    assert.fail,
  );
  const got: string[] = [];
  sink.onSample = (ts) => {
    const s = ts.samples.at(-1)!;
    got.push(`${ts.labels.map((l) => `${l.name}=${l.value}`).join(',')} ${s.value} ${s.timestampMs}`);
  };
  // The first import resolves and registers the series, the second reads all but the long line in
  // WebAssembly.
  for (let i = 0; i < 2; i++) {
    got.length = 0;
    const before = lineFastPath().rowsTaken;
    const errors = new LineErrors('vmimport');
    await importStream([Buffer.from(text)], [], sink, errors);
    assert.equal(errors.count, 0);
    assert.deepEqual(got.sort(), want.slice().sort(), `import ${i}`);
    if (i === 1) assert.equal(lineFastPath().rowsTaken - before, 9000);
  }
});

test('JSON-lines import: a metric text is kept only from a line of the usual shape', async () => {
  const sink = new CollectingSink({ wasmSlots: 2 });
  const importStream = makeVMImportStreamHandler(defaultIngestConfig());
  // The scan finds the metric text `{"a":{"b":1}` in both lines. The first parses (its metric is the
  // object up to the second `}`) but not in the usual shape; the second is no JSON (the top-level object is
  // not closed), and a route kept from the first would have taken it.
  const first = '{"metric":{"a":{"b":1},"values":["Inf"],"timestamps":[1]},"values":[1],"timestamps":[1]}';
  const second = '{"metric":{"a":{"b":1},"values":[5],"timestamps":[1]}';
  for (const text of [first, first, second, second]) {
    const errors = new LineErrors('vmimport');
    await importStream([Buffer.from(text + '\n')], [], sink, errors);
    assert.equal(errors.count, text === first ? 0 : 1, text);
  }
  assert.equal(
    sink.series.map((s) => s.samples.length).reduce((a, b) => a + b),
    2,
  );
});

test('prometheus import: the same series text in two request contexts keeps each context its own route', async () => {
  // The table tries the entry after the last one found first: after a body's last series under one
  // Pushgateway label set comes the first series of the other one, the same text in another context.
  const sink = new CollectingSink({ wasmSlots: 2 });
  const importText = makePrometheusTextImporter(defaultIngestConfig(), { parseText, parseSeriesKey });
  const text = 'a 1\nb 2\nc 3\n';
  const job = (name: string): Label[] => [{ name: 'job', value: name }];
  for (const name of ['x', 'y', 'x', 'x', 'y', 'y', 'x']) {
    const got: string[] = [];
    sink.onSample = (ts) => got.push(ts.labels.map((l) => `${l.name}=${l.value}`).join(','));
    const errors = new LineErrors('prometheus');
    await importText([Buffer.from(text)], job(name), promNowMs, sink, errors);
    assert.deepEqual(
      got.sort(),
      ['a', 'b', 'c'].map((m) => `__name__=${m},job=${name}`),
      `import with job=${name}`,
    );
  }
});
