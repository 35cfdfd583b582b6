// The WebAssembly fast path of influx ingestion against the JavaScript path: fuzzed inputs pushed through
// a handler with it and one without (-ingest.wasmFastPath=false), each keeping its caches warm from input
// to input, must give the same rows (labels, value bits, timestamps) and line errors, with precisions,
// -influxSkipSingleField, -influxTrimTimestamp and a db label in play. A third handler's sink offers the
// WebAssembly output (lib/wasm/rows.ts, three slots): its rows, decoded from the staged remote-write
// bytes, must be the same too, in the same order for each series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupLogger } from '../../../lib/logger/logger.js';
import { fuzzInputs } from '../../../lib/protoparser/protoparserutil/fuzz-input.js';
import { CollectingSink } from '../../../testing/ingest-sink.js';
import { LineErrors } from './common.js';
import { defaultIngestConfig } from './flags.js';
import { influxFastPathRows, makeInfluxStreamHandler } from './influx.js';

setupLogger({ sink: () => {} });

const inputsPerVariant = 25_000;
const alphabet = ' ,=\\"\n\r#abcxyz0159.-+eiuTf_µ';
const seeds = [
  'cpu,host=a,dc=eu usage_user=12.5,usage_system=1.25 1700000000000000000',
  'mem,host=b used=123i,free=-45i,ratio=0.333 1700000000123',
  'disk,host=c,path=/ v=1 1700000000',
  'net,host=d bytes=99u,up=true,name="eth0" 1700000000000000',
  'temp v=0.000000000000001,w=-0,x=+3.,y=.5',
  'load,host=e v1=1,v5=2,v15=3\r\nload,host=e v1=4 1700000000000',
];

/** Both handlers' rows and errors for one input, as text. */
async function run(
  push: (chunks: Iterable<Buffer>, errors: LineErrors) => Promise<void>,
  sink: CollectingSink,
  input: string,
): Promise<{ rows: string[]; errors: string[]; count: number }> {
  const rows: string[] = [];
  const f64 = new Float64Array(1);
  const bits = new BigUint64Array(f64.buffer);
  sink.onSample = (ts) => {
    const s = ts.samples.at(-1)!;
    f64[0] = s.value;
    rows.push(`${ts.labels.map((l) => `${l.name}=${l.value}`).join(',')}\t${bits[0]} ${s.timestampMs}`);
  };
  const errors = new LineErrors('influx');
  await push([Buffer.from(input)], errors);
  return { rows, errors: errors.first, count: errors.count };
}

/** The rows grouped by series (a stable sort: each series keeps its own order). */
function bySeries(r: { rows: string[] }): string[] {
  const series = (row: string): string => row.slice(0, row.indexOf('\t'));
  return r.rows.slice().sort((a, b) => (series(a) < series(b) ? -1 : series(a) > series(b) ? 1 : 0));
}

const variants = [
  { precision: '', skipSingleField: false, trimMs: 1, db: '' },
  { precision: 's', skipSingleField: true, trimMs: 1, db: 'telegraf' },
  { precision: 'ns', skipSingleField: false, trimMs: 60_000, db: '' },
  { precision: 'ms', skipSingleField: true, trimMs: 1, db: '' },
];

test(`influx fast path = JavaScript path over ${variants.length * inputsPerVariant} fuzzed inputs`, async () => {
  const realNow = Date.now;
  Date.now = () => 1_700_000_000_123; // both paths read "now" per block
  try {
    const fastBefore = influxFastPathRows();
    let total = 0;
    let wasmWritten = 0;
    for (const [k, v] of variants.entries()) {
      const cfg = defaultIngestConfig({
        influxSkipSingleField: v.skipSingleField,
        influxTrimTimestampMs: v.trimMs,
      });
      const request = { precision: v.precision, db: v.db };
      const fastSink = new CollectingSink();
      const outSink = new CollectingSink({ wasmSlots: 3 });
      const jsSink = new CollectingSink();
      const fast = makeInfluxStreamHandler(cfg, fastSink, request);
      const out = makeInfluxStreamHandler(cfg, outSink, request);
      const js = makeInfluxStreamHandler({ ...cfg, wasmFastPath: false }, jsSink, request);
      let i = 0;
      for (const input of fuzzInputs(seeds, alphabet, inputsPerVariant, 11 + k)) {
        const got = await run(fast, fastSink, input);
        const gotOut = await run(out, outSink, input);
        const want = await run(js, jsSink, input);
        const what = `variant ${k} input #${i} ${JSON.stringify(input)}`;
        assert.deepEqual(got, want, what);
        assert.deepEqual({ ...gotOut, rows: bySeries(gotOut) }, { ...want, rows: bySeries(want) }, what);
        total += want.rows.length;
        i++;
      }
      wasmWritten += outSink.wasmRows;
    }
    // Two of the three handlers have the fast path.
    const taken = (influxFastPathRows() - fastBefore) / 2;
    assert.ok(total > inputsPerVariant, `only ${total} good rows`);
    // Most rows repeat a series and field seen before: the fast path took them, not the JavaScript one.
    assert.ok(taken > total / 4, `the fast path took ${taken} of ${total} rows`);
    // And the output wrote most of those, without a JavaScript call per row.
    assert.ok(wasmWritten > total / 8, `the output wrote ${wasmWritten} of ${total} rows`);
    console.log(`${total} rows; the fast path took ${taken}, the output wrote ${wasmWritten}`);
  } finally {
    Date.now = realNow;
  }
});
