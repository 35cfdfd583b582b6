// The remote-write ingester with its WebAssembly scanner (lib/wasm/remotewrite.ts) against the same
// ingester without it (the JavaScript scanner, itself fuzzed against decodeWriteRequest in
// lib/prompb/codec.test.ts): fuzzed and mutated requests pushed in turn through both (so their caches
// stay warm) must give the same rows per series and the same errors. A series looked up or registered
// under the wrong bytes would show up as rows under wrong labels. It runs into a plain sink and into one
// that offers the WebAssembly output, whose rows are decoded from the staged remote-write bytes.
import { test } from 'node:test';
import { compressSync } from 'snappy';
import assert from 'node:assert/strict';
import { setupLogger } from '../../../lib/logger/logger.js';
import { encodeWriteRequest } from '../../../lib/prompb/encode.js';
import type { TimeSeries } from '../../../lib/prompb/types.js';
import { fuzzInputs, makeRand } from '../../../lib/protoparser/protoparserutil/fuzz-input.js';
import { lineFastPath } from '../../../lib/wasm/lines.js';
import { wasmRows } from '../../../lib/wasm/rows.js';
import { CollectingSink } from '../../../testing/ingest-sink.js';
import { LineErrors } from './common.js';
import { defaultIngestConfig } from './flags.js';
import { makeRemoteWriteIngest } from './promremotewrite.js';

setupLogger({ sink: () => {} });

const inputs = 50_000;

// Requests whose series overlap (so that later ones hit the caches), with odd values and timestamps.
function seedRequests(): Buffer[] {
  const rand = makeRand(3);
  const values = [1, -2.5, 0, -0, NaN, Infinity, 1e300, 0.1];
  const stamps = [1_700_000_000_000, 0, 2 ** 53, 1];
  const seeds = Array.from({ length: 5 }, (_, k) => {
    const series: TimeSeries[] = Array.from({ length: 1 + (k % 4) * 3 }, (_, i) => ({
      labels: [
        { name: '__name__', value: `m${(i + k) % 5}` },
        { name: 'i', value: String((i * 7 + k) % 9) },
      ],
      samples: Array.from({ length: 1 + (i % 3) }, () => ({
        value: values[Math.floor(rand() * values.length)]!,
        timestampMs: stamps[Math.floor(rand() * stamps.length)]!,
      })),
    }));
    return Buffer.from(encodeWriteRequest(series));
  });
  // Shapes the WebAssembly scanner leaves to JavaScript: timestamps beyond 2^53 or negative, labels in
  // two ranges, a sample whose double is cut short (malformed).
  const odd = [-5, 2 ** 53 + 2, 2 ** 60].map((timestampMs) => ({ value: 1, timestampMs }));
  seeds.push(Buffer.from(encodeWriteRequest([{ labels: [{ name: 'a', value: 'b' }], samples: odd }])));
  const label = [0x0a, 0x06, 0x0a, 0x01, 0x61, 0x12, 0x01, 0x62]; // {a="b"}
  const sample = [0x12, 0x0b, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0x05]; // 1 @ 5
  // Alone in their requests: timestamps just beyond 2^53 in 8-byte varints (2^53 + 1 is no double).
  for (const t of [2n ** 53n + 1n, 2n ** 53n + 2n]) {
    const varint: number[] = [];
    for (let v = t; ; v >>= 7n) {
      if (v < 0x80n) {
        varint.push(Number(v));
        break;
      }
      varint.push(Number(v & 0x7fn) | 0x80);
    }
    const one = [0x12, 2 + 8 + varint.length, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, ...varint];
    seeds.push(Buffer.from([0x0a, label.length + one.length, ...label, ...one]));
  }
  const short = [0x12, 0x05, 0x09, 0, 0, 0xf0, 0x3f];
  for (const fields of [
    [...label, ...sample, ...label],
    [...label, ...short, ...sample],
  ])
    seeds.push(Buffer.from([0x0a, fields.length, ...fields]));
  return seeds;
}

type Ingest = ReturnType<typeof makeRemoteWriteIngest>;

// The rows (grouped by series, each in its order) and the error of pushing buf (a snappy block with
// `snappy`).
function run(
  ingest: Ingest,
  sink: CollectingSink,
  buf: Buffer,
  snappy = false,
): { rows: string[]; error: string } {
  const rows: string[] = [];
  sink.onSample = (ts) => {
    const s = ts.samples.at(-1)!;
    rows.push(`${ts.labels.map((l) => `${l.name}=${l.value}`).join(',')} ${s.value} ${s.timestampMs}`);
  };
  let error = '';
  try {
    if (snappy) ingest.snappy(buf, sink, [], new LineErrors('promremotewrite'));
    else ingest(buf, sink, [], new LineErrors('promremotewrite'));
  } catch (err) {
    error = (err as Error).message;
  }
  const key = (r: string): string => r.slice(0, r.indexOf(' '));
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { rows, error };
}

for (const wasmSlots of [0, 2]) {
  test(`remote write: WebAssembly scanner = JavaScript scanner over ${inputs} fuzzed requests (output slots ${wasmSlots})`, () => {
    const jsIngest = makeRemoteWriteIngest(defaultIngestConfig({ wasmFastPath: false }));
    const fastIngest = makeRemoteWriteIngest(defaultIngestConfig());
    const jsSink = new CollectingSink();
    const fastSink = new CollectingSink({ wasmSlots });
    const seeds = seedRequests();
    const rand = makeRand(11);
    const alphabet = '\x00\x01\x02\x05\x08\x09\x0a\x0b\x10\x12\x1a\x3f\x7f\x80\xff';
    const random = fuzzInputs(
      seeds.map((b) => b.toString('latin1')),
      alphabet,
      inputs / 2,
      12,
    );
    const before = lineFastPath().rowsTaken;
    let rows = 0;
    for (let n = 0; n < inputs; n++) {
      // Half whole seeds and single byte changes of them (mostly well-formed), half fuzzed inputs.
      let buf: Buffer;
      if (n % 2 === 0) {
        buf = Buffer.from(seeds[Math.floor(rand() * seeds.length)]!);
        if (rand() < 0.5) buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
      } else {
        buf = Buffer.from(random.next().value as string, 'latin1');
      }
      const want = run(jsIngest, jsSink, buf);
      const got = run(fastIngest, fastSink, buf);
      assert.deepEqual(got, want, `request #${n} ${buf.toString('hex')}`);
      fastSink.clear();
      // The same request snappy-compressed (decoded in WebAssembly memory), every 8th one mutated after
      // compression: the same rows, or the snappy package's error.
      const block = compressSync(buf);
      if (n % 8 === 0) block[Math.floor(rand() * block.length)] = Math.floor(rand() * 256);
      const wantSnappy = n % 8 === 0 ? run(jsIngest, jsSink, block, true) : want;
      assert.deepEqual(
        run(fastIngest, fastSink, block, true),
        wantSnappy,
        `snappy #${n} ${block.toString('hex')}`,
      );
      rows += want.rows.length;
      jsSink.clear();
      fastSink.clear();
    }
    const taken = lineFastPath().rowsTaken - before;
    assert.ok(rows > inputs / 2, `only ${rows} rows`);
    assert.ok(taken > rows / 4, `the WebAssembly scanner took ${taken} of ${rows} rows`);
    if (wasmSlots > 0) assert.ok(fastSink.wasmRows > rows / 4, `the output wrote ${fastSink.wasmRows}`);
  });
}

test('remote write: the output emptied while a request resolves its series sends that request the JavaScript way', () => {
  // A sink that empties the output's tables when it resolves a series labelled reset="1", as a full table would.
  class ResettingSink extends CollectingSink {
    override pushRoute(
      labels: Parameters<CollectingSink['pushRoute']>[0],
    ): ReturnType<CollectingSink['pushRoute']> {
      if (labels.some((l) => l.name === 'reset')) wasmRows().reset();
      return super.pushRoute(labels);
    }
  }
  const sink = new ResettingSink({ wasmSlots: 2 });
  const ingest = makeRemoteWriteIngest(defaultIngestConfig());
  const series = (name: string, v: number): TimeSeries => ({
    labels: [{ name: '__name__', value: name }],
    samples: [{ value: v, timestampMs: 1_700_000_000_000 }],
  });
  const rows = (reqs: TimeSeries[][]): string[] => {
    sink.clear();
    for (const r of reqs) ingest(Buffer.from(encodeWriteRequest(r)), sink, [], new LineErrors('x'));
    return sink.series.map(
      (s) => `${s.labels.map((l) => `${l.name}=${l.value}`).join(',')} ${s.samples[0]!.value}`,
    );
  };
  // a and b are registered; then a (known, its id from before) comes with a new series that empties the tables.
  rows([[series('a', 1), series('b', 2)], [series('a', 3)]]);
  const reset = {
    labels: [
      { name: '__name__', value: 'c' },
      { name: 'reset', value: '1' },
    ],
    samples: [{ value: 5, timestampMs: 1 }],
  };
  assert.deepEqual(rows([[series('a', 4), reset, series('b', 6)]]).sort(), [
    '__name__=a 4',
    '__name__=b 6',
    '__name__=c,reset=1 5',
  ]);
});
