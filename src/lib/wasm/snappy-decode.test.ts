// The WebAssembly snappy decoder (assembly/snappy.ts snappyDecode, through RemoteWriteFastPath) against the
// snappy package's: on valid, mutated and random blocks, both decode to the same bytes or both refuse. A
// block the decoder took and the package refuses would be a request vmagent refuses and Lookout takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressSync, uncompressSync } from 'snappy';
import { makeRand } from '../protoparser/protoparserutil/fuzz-input.js';
import { encodeLabels, WriteRequestBuffer } from '../prompb/encode.js';
import { reservedBytes } from './module.js';
import { RemoteWriteFastPath } from './remotewrite.js';

const inputs = 100_000;

test(`snappy: the WebAssembly decoder = the snappy package on ${inputs} valid, mutated and random blocks`, () => {
  const fast = new RemoteWriteFastPath();
  // Decoding reserves nothing (a region reserved then could detach views up the stack).
  const top = reservedBytes();
  const rand = makeRand(21);
  const int = (n: number): number => Math.floor(rand() * n);
  const body = new WriteRequestBuffer();
  for (let i = 0; i < 2_000; i++)
    body.appendSample(encodeLabels([{ name: 'host', value: `h${i % 97}` }]), i, 1_700_000_000_000);
  const seed = body.bytes().slice();
  const counts = { same: 0, refused: 0 };
  for (let k = 0; k < inputs; k++) {
    let block: Buffer;
    if (k % 10 === 9) {
      // Random bytes, often with a small length header first.
      block = Buffer.from(Array.from({ length: int(40) }, () => int(256)));
      if (rand() < 0.7 && block.length > 0) block[0] = int(80);
    } else {
      // A slice of the body (or runs of one byte: long overlapping copies), compressed, then maybe
      // mutated: bytes overwritten, cut short, or bytes added.
      const from = int(seed.length);
      const plain =
        k % 7 === 0
          ? Buffer.alloc(int(300), int(256))
          : seed.slice(from, from + int(k % 100 === 0 ? 150_000 : 600));
      block = Buffer.from(compressSync(Buffer.from(plain)));
      for (let m = int(3); m > 0 && block.length > 0; m--) {
        const at = int(block.length);
        const r = rand();
        if (r < 0.6) block[at] = int(256);
        else if (r < 0.8) block = block.subarray(0, at);
        else block = Buffer.concat([block.subarray(0, at), Buffer.from([int(256)]), block.subarray(at)]);
      }
    }
    let want: Buffer | undefined;
    try {
      want = uncompressSync(block, { asBuffer: true }) as Buffer;
    } catch {
      want = undefined;
    }
    const n = fast.decodeSnappy(block);
    const got = n < 0 ? undefined : fast.decoded(n);
    assert.deepEqual(got, want, `block #${k} ${block.toString('hex').slice(0, 400)}`);
    if (want === undefined) counts.refused++;
    else counts.same++;
  }
  assert.equal(reservedBytes(), top);
  // Both kinds were seen often.
  assert.ok(counts.same > inputs / 4 && counts.refused > inputs / 10, JSON.stringify(counts));
});
