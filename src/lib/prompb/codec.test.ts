import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { compressSync } from 'snappy';
import { startVictoriaMetrics, type VictoriaMetrics } from '../../../e2e/harness/victoria-metrics.js';
import { fuzzCount, fuzzInputs, makeRand } from '../protoparser/protoparserutil/fuzz-input.js';
import { decodeWriteRequest } from './decode.js';
import { WriteRequestScan, type LabelsKey } from './scan.js';
import { encodeLabels, encodeWriteRequest, hashLabels, WriteRequestBuffer } from './encode.js';
import { isStaleNaN, staleNaN, type TimeSeries } from './types.js';

test('encode/decode round-trip', () => {
  const f = (series: TimeSeries[]) =>
    assert.deepEqual(decodeWriteRequest(encodeWriteRequest(series)), series);
  f([]);
  f([{ labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestampMs: 1700000000123 }] }]);
  f([{ labels: [{ name: 'a', value: 'ü€😀' }], samples: [{ value: -1.5e300, timestampMs: -5 }] }]);
  const edges = [
    127,
    128,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 35 + 5,
    2 ** 49,
    2 ** 53 - 1,
    -1,
    -(2 ** 40),
  ];
  f([{ labels: [], samples: edges.map((t) => ({ value: t, timestampMs: t })) }]);
  f([
    { labels: [{ name: 'x', value: 'y'.repeat(300) }], samples: [] },
    {
      labels: [],
      samples: [
        { value: 0, timestampMs: 0 },
        { value: Infinity, timestampMs: 2 ** 52 },
      ],
    },
  ]);
});

test('encodeLabels writes UTF-8 exactly as TextEncoder does', () => {
  const te = new TextEncoder();
  const f = (value: string) => {
    const got = encodeLabels([{ name: 'n', value }]);
    const v = te.encode(value);
    const want = Buffer.concat([Buffer.from([0x0a]), varint(5 + v.length + (v.length >= 128 ? 1 : 0))]);
    assert.deepEqual(
      Buffer.from(got),
      Buffer.concat([want, Buffer.from([0x0a, 1, 0x6e, 0x12]), varint(v.length), v]),
    );
  };
  const varint = (n: number) => Buffer.from(n < 128 ? [n] : [(n & 0x7f) | 0x80, n >> 7]);
  f('');
  f('plain');
  f('ü€😀');
  f('\u07ff\u0800\uffff');
  f('lone \ud800 high');
  f('lone \udc00 low');
  f('end \ud83d');
  f('\udc00\ud800');
  f('€'.repeat(60));
});

test('WriteRequestBuffer builds the same series as encodeWriteRequest', () => {
  const labels = [
    { name: '__name__', value: 'm' },
    { name: 'job', value: 'j' },
  ];
  const w = new WriteRequestBuffer(64);
  const enc = encodeLabels(labels);
  for (let i = 0; i < 100; i++) w.appendSample(enc, i / 3, 1700000000000 + i);
  w.appendSample(enc, 1, -(2 ** 40));
  w.appendSample(enc, 2, 2 ** 53 - 1);
  assert.equal(w.rows, 102);
  const got = decodeWriteRequest(w.bytes());
  assert.equal(got.length, 102);
  assert.deepEqual(
    got.slice(100).map((s) => s.samples[0]),
    [
      { value: 1, timestampMs: -(2 ** 40) },
      { value: 2, timestampMs: 2 ** 53 - 1 },
    ],
  );
  assert.deepEqual(got[42], { labels, samples: [{ value: 42 / 3, timestampMs: 1700000000042 }] });
  w.reset();
  assert.equal(w.byteLength, 0);
  w.appendSample(enc, staleNaN(), 5);
  assert.ok(isStaleNaN(decodeWriteRequest(w.bytes())[0]!.samples[0]!.value));
  // Runs of one timestamp (its varint is encoded once) between others, on both append paths.
  w.reset();
  const tss = [7, 7, 7, 1700000000000, 1700000000000, -3, -3, 0, 2 ** 40, 2 ** 40, 7];
  tss.forEach((ts, i) =>
    i % 2 ? w.appendSample(enc, i, ts) : w.appendSampleRange(enc, 0, enc.length, i, ts),
  );
  assert.deepEqual(
    decodeWriteRequest(w.bytes()).map((s) => s.samples[0]!.timestampMs),
    tss,
  );
});

test('hashLabels is FNV-1a', () => {
  assert.equal(hashLabels(new Uint8Array()), 0x811c9dc5);
  assert.equal(hashLabels(new TextEncoder().encode('a')), 0xe40c292c);
});

test('decodeWriteRequest rejects malformed input', () => {
  const good = encodeWriteRequest([
    { labels: [{ name: 'a', value: 'b' }], samples: [{ value: 1, timestampMs: 1 }] },
  ]);
  const f = (buf: Uint8Array, want: RegExp) => assert.throws(() => decodeWriteRequest(buf), want);
  f(good.subarray(0, good.length - 1), /^Error: cannot parse WriteRequest: /);
  f(Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f), /field length \d+ exceeds/);
  f(Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), /too long varint/);
  f(Uint8Array.of(0x0b), /unsupported wire type 3/);
  f(Uint8Array.of(0x0a, 0x03, 0x12, 0x01, 0x09), /unexpected end of double/);
  // Unknown fields are skipped: metadata (field 3) before the series.
  const withMeta = Uint8Array.of(0x1a, 0x02, 0x08, 0x01, ...good);
  assert.equal(decodeWriteRequest(withMeta).length, 1);
  // Every truncation of a valid message either decodes or throws the documented error: never anything else.
  for (let i = 0; i < good.length; i++) {
    try {
      decodeWriteRequest(good.subarray(0, i));
    } catch (err) {
      assert.match(String(err), /^Error: cannot parse WriteRequest: /);
    }
  }
});

// The series as the push path sees them through a WriteRequestScan (labels decoded for every series).
function viaScan(scan: WriteRequestScan, buf: Uint8Array): TimeSeries[] {
  scan.scan(buf);
  const out: TimeSeries[] = [];
  for (let i = 0; i < scan.seriesCount; i++) {
    const samples = [];
    for (let j = scan.sampleStart[i]!; j < scan.sampleStart[i + 1]!; j++) {
      samples.push({ value: scan.values[j]!, timestampMs: scan.timestampsMs[j]! });
    }
    out.push({ labels: scan.labels(i), samples });
  }
  return out;
}

test('WriteRequestScan gives the series decodeWriteRequest gives', () => {
  const scan = new WriteRequestScan();
  const f = (buf: Uint8Array) => assert.deepEqual(viaScan(scan, buf), decodeWriteRequest(buf));
  const series: TimeSeries[] = Array.from({ length: 300 }, (_, i) => ({
    labels: [
      { name: '__name__', value: `m${i % 7}` },
      { name: 'i', value: 'ü'.repeat(i % 5) + String(i) },
    ],
    samples: Array.from({ length: i % 4 }, (_, j) => ({
      value: i / (j + 1),
      timestampMs: 1700000000000 - j,
    })),
  }));
  f(encodeWriteRequest(series)); // grows every array
  f(encodeWriteRequest([]));
  f(encodeWriteRequest([{ labels: [], samples: [{ value: NaN, timestampMs: -(2 ** 40) }] }]));
  // Labels after samples, unknown fields in between, a repeated label field: the key is the label fields'
  // bytes in order, whatever is between them.
  const label = [0x0a, 0x06, 0x0a, 0x01, 0x61, 0x12, 0x01, 0x62]; // {a="b"}
  const sample = [0x12, 0x0b, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0x05]; // 1 @ 5
  const mixed = [...sample, ...label, 0x18, 0x07, ...label, ...sample];
  f(Uint8Array.of(0x0a, mixed.length, ...mixed, 0x1a, 0x00));
  const other = [0x0a, 0x06, 0x0a, 0x01, 0x61, 0x12, 0x01, 0x63]; // {a="c"}
  scan.scan(
    Uint8Array.of(
      ...[0x0a, mixed.length, ...mixed],
      ...[0x0a, 2 * label.length, ...label, ...label],
      ...[0x0a, 2 * label.length, ...label, ...other],
      ...[0x0a, 9, 0x0a, 0x07, 0x0a, 0x01, 0x61, 0x12, 0x02, 0x62, 0x63], // {a="bc"}: 9 bytes, a tail
      ...[0x0a, 9, 0x0a, 0x07, 0x0a, 0x01, 0x61, 0x12, 0x02, 0x62, 0x64], // {a="bd"}
    ),
  );
  assert.ok(scan.labelsMatch(3, scan.labelsKey(3)));
  assert.ok(!scan.labelsMatch(4, scan.labelsKey(3)));
  const key = scan.labelsKey(0);
  assert.equal(key.byteLength, 2 * label.length);
  assert.equal(scan.labelsHash(0), scan.labelsHash(1));
  assert.ok(scan.labelsMatch(1, key));
  assert.ok(!scan.labelsMatch(2, key));
  assert.notEqual(scan.labelsHash(0), scan.labelsHash(2));
  assert.throws(
    () => scan.scan(Uint8Array.of(0x0a, 0x02, 0x12, 0x05)),
    /^Error: cannot parse WriteRequest: /,
  );
  // A malformed label is found when the series' labels are decoded.
  scan.scan(Uint8Array.of(0x0a, 0x04, 0x0a, 0x02, 0x0b, 0x00));
  assert.throws(() => scan.labels(0), /^Error: cannot parse WriteRequest: unsupported wire type 3/);
});

test(`WriteRequestScan against decodeWriteRequest: ${fuzzCount()} fuzzed requests`, () => {
  const seeds = [
    encodeWriteRequest([
      {
        labels: [
          { name: '__name__', value: 'up' },
          { name: 'job', value: 'a' },
        ],
        samples: [
          { value: 1, timestampMs: 1700000000000 },
          { value: -2.5, timestampMs: -3 },
        ],
      },
      { labels: [{ name: 'x', value: '' }], samples: [] },
    ]),
    Uint8Array.of(0x1a, 0x02, 0x08, 0x01, 0x0a, 0x09, 0x12, 0x02, 0x10, 0x01, 0x0a, 0x03, 0x0a, 0x01, 0x61),
  ].map((b) => Buffer.from(b).toString('latin1'));
  const scan = new WriteRequestScan();
  // Equal label bytes (hash and labelsMatch) must decode to equal labels, across all inputs.
  const seen = new Map<number, Array<{ key: LabelsKey; labels: string }>>();
  let good = 0;
  const check = (buf: Uint8Array): void => {
    let want: TimeSeries[] | undefined;
    try {
      want = decodeWriteRequest(buf);
    } catch {
      want = undefined;
    }
    let got: TimeSeries[] | undefined;
    try {
      got = viaScan(scan, buf);
    } catch (err) {
      assert.match(String(err), /^Error: cannot parse WriteRequest: /);
    }
    assert.deepEqual(got, want, Buffer.from(buf).toString('hex'));
    if (want === undefined) return;
    good++;
    for (let i = 0; i < scan.seriesCount; i++) {
      const labels: string = JSON.stringify(want[i]!.labels);
      const h = scan.labelsHash(i);
      let same = seen.get(h);
      if (!same) seen.set(h, (same = []));
      const hit = same.find((e) => scan.labelsMatch(i, e.key));
      if (hit) assert.equal(labels, hit.labels);
      else same.push({ key: scan.labelsKey(i), labels });
      assert.ok(scan.labelsMatch(i, scan.labelsKey(i)));
    }
  };
  const alphabet = '\x00\x01\x02\x05\x08\x09\x0a\x0b\x10\x12\x1a\x3f\x7f\x80\xff';
  for (const input of fuzzInputs(seeds, alphabet, fuzzCount(), 7)) check(Buffer.from(input, 'latin1'));
  // Single byte changes keep more requests well-formed (label bytes that still decode, other lengths).
  const rand = makeRand(8);
  for (let n = 0; n < fuzzCount() / 4; n++) {
    const buf = Buffer.from(seeds[n % seeds.length]!, 'latin1');
    buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
    check(buf);
  }
  assert.ok(good > fuzzCount() / 20, `${good} well-formed inputs`);
});

let vm: VictoriaMetrics;
before(async () => (vm = await startVictoriaMetrics()));
after(async () => vm?.stop());

async function post(body: Uint8Array): Promise<number> {
  const res = await fetch(`${vm.url}/api/v1/write`, {
    method: 'POST',
    headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf' },
    body: compressSync(body),
  });
  await res.arrayBuffer();
  return res.status;
}

test('VictoriaMetrics accepts what we encode', async () => {
  const ts = Date.now() - 60_000;
  const w = new WriteRequestBuffer();
  const enc = encodeLabels([
    { name: '__name__', value: 'codec_test' },
    { name: 'instance', value: 'a"b\\c' },
  ]);
  w.appendSample(enc, 1.25, ts);
  w.appendSample(enc, -7, ts + 1000);
  w.appendSample(enc, staleNaN(), ts + 2000);
  const multi = encodeWriteRequest([
    {
      labels: [{ name: '__name__', value: 'codec_multi' }],
      samples: [1, 2, 3].map((v) => ({ value: v, timestampMs: ts + v })),
    },
  ]);
  assert.equal(await post(w.bytes()), 204);
  assert.equal(await post(multi), 204);
  const got = await vm.export('{__name__=~"codec_.*"}');
  const byName = new Map(got.map((s) => [s.metric.__name__, s]));
  assert.deepEqual(byName.get('codec_test')?.metric, { __name__: 'codec_test', instance: 'a"b\\c' });
  assert.deepEqual(byName.get('codec_test')?.timestamps, [ts, ts + 1000, ts + 2000]);
  assert.deepEqual(byName.get('codec_test')?.values.slice(0, 2), [1.25, -7]);
  // The staleness marker is stored (exported as a non-number: VictoriaMetrics writes NaN markers as null/NaN).
  assert.notEqual(typeof byName.get('codec_test')?.values[2], 'number');
  assert.deepEqual(byName.get('codec_multi')?.values, [1, 2, 3]);
});
