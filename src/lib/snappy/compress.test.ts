// The hand-written snappy encoder: what it writes decodes with the snappy package (the Rust snap crate)
// to the input, for edge sizes, random and repetitive data, and WriteRequest bodies; and the WebAssembly
// build writes the same bytes as the JavaScript port (reference.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uncompressSync } from 'snappy';
import { makeRand } from '../protoparser/protoparserutil/fuzz-input.js';
import { encodeLabels, WriteRequestBuffer } from '../prompb/encode.js';
import { compress, maxEncodedLen } from './compress.js';
import { compressReference } from './reference.js';

function roundtrip(src: Uint8Array, what: string): Uint8Array {
  const c = compress(src);
  assert.deepEqual(c, compressReference(src), `${what}: differs from the JavaScript port`);
  assert.ok(c.length <= maxEncodedLen(src.length), `${what}: ${c.length} > max`);
  const back = uncompressSync(Buffer.from(c)) as Buffer;
  assert.ok(Buffer.from(src).equals(back), `${what}: roundtrip differs`);
  return c;
}

test('snappy: sizes around the block and margin edges roundtrip', () => {
  const rand = makeRand(1);
  const data = new Uint8Array(200_000);
  for (let i = 0; i < data.length; i++) data[i] = rand() < 0.5 ? 97 + (i % 5) : Math.floor(rand() * 256);
  for (const n of [0, 1, 2, 15, 16, 17, 18, 100, 65_535, 65_536, 65_537, 131_072, 131_073, 200_000])
    roundtrip(data.subarray(0, n), `n=${n}`);
});

test('snappy: random, constant and periodic data roundtrip; repetitive data shrinks', () => {
  const rand = makeRand(2);
  for (let k = 0; k < 200; k++) {
    const n = Math.floor(rand() * 5000);
    const alphabet = 1 + Math.floor(rand() * 255);
    const a = new Uint8Array(n);
    for (let i = 0; i < n; i++) a[i] = Math.floor(rand() * alphabet);
    roundtrip(a, `random #${k}`);
  }
  const zeros = roundtrip(new Uint8Array(1 << 20), 'zeros');
  assert.ok(zeros.length < (1 << 20) / 20, `zeros: ${zeros.length}`);
  const period = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
  roundtrip(period, 'periodic');
});

test('snappy: WriteRequest bodies compress like the snappy package', async () => {
  const { compressSync } = await import('snappy');
  const buf = new WriteRequestBuffer();
  for (let i = 0; i < 10_000; i++) {
    const enc = encodeLabels([
      { name: '__name__', value: `metric_${i % 50}` },
      { name: 'host', value: `host-${i % 100}` },
      { name: 'id', value: String(i) },
    ]);
    buf.appendSample(enc, i * 0.5, 1_700_000_000_000 + i);
  }
  const ours = roundtrip(buf.bytes(), 'write request');
  const theirs = compressSync(Buffer.from(buf.bytes()));
  assert.ok(ours.length <= theirs.length * 1.05, `ours ${ours.length}, snappy package ${theirs.length}`);
});

test('snappy: a WriteRequestBuffer compressing 64 KiB pieces as it goes gives compress() of the whole body', () => {
  const rand = makeRand(3);
  const streaming = new WriteRequestBuffer(256, { snappy: true });
  for (let block = 0; block < 30; block++) {
    const plain = new WriteRequestBuffer(256);
    const rows = Math.floor(rand() * (block % 3 === 0 ? 40 : 4000));
    for (let i = 0; i < rows; i++) {
      // Mostly small rows, now and then one of several pieces' size (a 4096-byte value × 40 labels).
      const big = rand() < 0.002;
      const labels = Array.from({ length: big ? 40 : 1 + Math.floor(rand() * 6) }, (_, k) => ({
        name: `l${k}`,
        value: big ? 'v'.repeat(4096) : `v${Math.floor(rand() * 1000)}`,
      }));
      const enc = encodeLabels(labels);
      const value = rand() * 1e6;
      const ts = 1_700_000_000_000 + Math.floor(rand() * 3) * 1000;
      if (rand() < 0.5) {
        plain.appendSample(enc, value, ts);
        streaming.appendSample(enc, value, ts);
      } else {
        const arena = new Uint8Array(enc.length + 7);
        arena.set(enc, 3);
        plain.appendSampleRange(arena, 3, enc.length, value, ts);
        streaming.appendSampleRange(arena, 3, enc.length, value, ts);
      }
      assert.equal(streaming.byteLength, plain.byteLength);
    }
    assert.equal(streaming.rows, plain.rows);
    const got = streaming.compressed();
    assert.deepEqual(got, compress(plain.bytes()), `block ${block}: ${plain.byteLength} bytes`);
    assert.ok(Buffer.from(plain.bytes()).equals(uncompressSync(Buffer.from(got)) as Buffer));
    streaming.reset();
    assert.equal(streaming.byteLength, 0);
  }
});

test('snappy: the WebAssembly encoder writes what the JavaScript port writes, on 20,000 mutated inputs', () => {
  const rand = makeRand(4);
  const body = new WriteRequestBuffer();
  for (let i = 0; i < 2_000; i++)
    body.appendSample(encodeLabels([{ name: 'host', value: `h${i % 97}` }]), i, 1_700_000_000_000);
  const seed = body.bytes().slice();
  for (let k = 0; k < 20_000; k++) {
    // A slice of the body at a random place, with random bytes overwritten or runs repeated.
    const from = Math.floor(rand() * seed.length);
    const a = seed.slice(from, from + Math.floor(rand() * (k % 100 === 0 ? 150_000 : 600)));
    for (let m = Math.floor(rand() * 4); m > 0 && a.length > 0; m--) {
      const at = Math.floor(rand() * a.length);
      if (rand() < 0.5) a[at] = Math.floor(rand() * 256);
      else a.copyWithin(at, Math.floor(rand() * a.length), a.length);
    }
    assert.deepEqual(compress(a), compressReference(a), `input #${k} (${a.length} bytes)`);
  }
});
