// The cached graphite and OpenTSDB handlers against their parsers: fuzzed inputs pushed through one
// handler (so its route cache stays warm from input to input) must give the rows and line errors that
// parsing each input whole gives. A route cached under the wrong key would show up as wrong labels here.
// Each runs twice: into a plain sink, and into one that offers the WebAssembly output (lib/wasm/rows.ts),
// whose rows, decoded from the staged remote-write bytes, come in input order per series. The graphite
// handler reads most lines of known series with its WebAssembly scanner (lib/wasm/assembly/graphite.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupLogger } from '../../../lib/logger/logger.js';
import { parseGraphiteLines } from '../../../lib/protoparser/graphite/parser.js';
import { parseOpenTSDBLines } from '../../../lib/protoparser/opentsdb/parser.js';
import { fuzzInputs } from '../../../lib/protoparser/protoparserutil/fuzz-input.js';
import type { LineErrorHandler, Tag } from '../../../lib/protoparser/protoparserutil/lines.js';
import { lineFastPath } from '../../../lib/wasm/lines.js';
import { CollectingSink } from '../../../testing/ingest-sink.js';
import { LineErrors } from './common.js';
import { defaultIngestConfig } from './flags.js';
import { makeGraphiteStreamHandler } from './graphite.js';
import { makeOpenTSDBStreamHandler } from './opentsdb.js';

setupLogger({ sink: () => {} });

const inputs = 20_000;
const alphabet = ' ,=\\"\n\r\t;#abcxyz019.-+eiuTFEN_{}[]:pt';

type ParseLines = (
  text: string,
  opts: { nowMs: number; trimMs?: number },
  onRow: (r: { metric: string; tags: Tag[]; value: number; timestampMs: number }) => void,
  onError: LineErrorHandler,
) => void;

type Push = (chunks: Iterable<Buffer>, errors: LineErrors) => Promise<void>;

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
      await push([Buffer.from(input)], errors);
      // "now" is read per block: retry the rare input that straddled a second.
      if (Math.floor(Date.now() / 1000) !== Math.floor(nowMs / 1000)) continue;
      const want: string[] = [];
      const wantErrors: string[] = [];
      parse(
        input,
        { nowMs, trimMs: 60_000 },
        (r) =>
          want.push(
            `__name__=${r.metric}${r.tags.map((t) => `,${t.key}=${t.value}`).join('')} ${r.value} ${r.timestampMs}`,
          ),
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

const sinks = [
  { kind: '', make: () => new CollectingSink() },
  { kind: ', WebAssembly output', make: () => new CollectingSink({ wasmSlots: 2 }) },
];

for (const { kind, make } of sinks) {
  test(`graphite handler = parser over ${inputs} fuzzed inputs${kind}`, async () => {
    const sink = make();
    const push = makeGraphiteStreamHandler(defaultIngestConfig({ graphiteTrimTimestampMs: 60_000 }), sink);
    const before = lineFastPath().rowsTaken;
    const rows = await compare(
      'graphite',
      ['foo.bar;a=b;c=d 1.5 1700000000', 'x 1', 'a;b=c\tb\t3'],
      7,
      parseGraphiteLines,
      push,
      sink,
    );
    // Lines of known series in plain shapes were read by the WebAssembly scanner.
    const taken = lineFastPath().rowsTaken - before;
    assert.ok(taken > rows / 8, `the graphite fast path took ${taken} of ${rows} rows`);
  });

  test(`opentsdb handler = parser over ${inputs} fuzzed inputs${kind}`, async () => {
    const sink = make();
    const push = makeOpenTSDBStreamHandler(defaultIngestConfig({ opentsdbTrimTimestampMs: 60_000 }), sink);
    await compare(
      'opentsdb',
      ['put sys.cpu 1700000000 42 host=a dc=b', 'put m 1700000000123 1 a=b', 'put sys.cpu 0 1 dc=b'],
      8,
      parseOpenTSDBLines,
      push,
      sink,
    );
  });
}
