// Snappy block compression (the raw format, not the framing format) with the encoder of golang/snappy
// that VictoriaMetrics uses for remote write, compiled to WebAssembly (../wasm/assembly/snappy.ts): the
// same 64 KiB blocks, hash table and skipping heuristic, so the output has the same size as Go's and
// decodes with any snappy decoder. reference.ts is the JavaScript port it replaced, kept as the tests'
// oracle: both write the same bytes.
//
// Why hand-written: every remote-write block is compressed, and the `snappy` package (napi-rs over the
// Rust snap crate, still used for decompression) compressed 1 MB WriteRequest bodies at 160-180 MB/s on
// the benchmark machine; the JavaScript port at 450-550 MB/s, the WebAssembly build at 850-1,070 MB/s
// (docs/BENCHMARKS.md). At ~100 bytes per row that is 100-200 ns of CPU per pushed row.
import { memoryBytes, reserve, wasm } from '../wasm/module.js';

const maxBlockSize = 65536;

/** The largest compressed size of n bytes (Go's MaxEncodedLen). */
export function maxEncodedLen(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

// Scratch regions of the module's memory: one input piece, and its compressed form, each with the 16
// bytes the encoder may read or write past its end (snappyEncodePieces).
const inAt = reserve(maxBlockSize + 16);
const outAt = reserve(maxEncodedLen(maxBlockSize) + 16);

// Compresses src[p:end) (at most one 64 KiB piece) into dst at d; returns the new end of dst. The piece
// is copied in and out of the module's memory: two 64 KiB copies, ~10% of the compression itself.
function encodePiece(dst: Uint8Array, d: number, src: Uint8Array, p: number, end: number): number {
  const mem = memoryBytes();
  mem.set(src.subarray(p, end), inAt);
  const n = wasm.snappyEncodePieces(inAt, end - p, outAt);
  dst.set(mem.subarray(outAt, outAt + n), d);
  return d + n;
}

function putUvarint(dst: Uint8Array, d: number, n: number): number {
  while (n >= 0x80) {
    dst[d++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  dst[d++] = n;
  return d;
}

let scratch = new Uint8Array(64 * 1024);

/** Compresses src into a new Uint8Array in the snappy block format. */
export function compress(src: Uint8Array): Uint8Array {
  return compressWith(src, encodePiece);
}

/** Encodes src[p:end), one 64 KiB piece or the last shorter one, into dst at d; returns the new end. */
export type PieceEncoder = (dst: Uint8Array, d: number, src: Uint8Array, p: number, end: number) => number;

/** compress() with another piece encoder (reference.ts, the tests' oracle). */
export function compressWith(src: Uint8Array, encode: PieceEncoder): Uint8Array {
  const need = maxEncodedLen(src.length);
  if (scratch.length < need) scratch = new Uint8Array(Math.max(need, scratch.length * 2));
  const dst = scratch;
  let d = putUvarint(dst, 0, src.length);
  for (let p = 0; p < src.length; p += maxBlockSize) {
    d = encode(dst, d, src, p, Math.min(src.length, p + maxBlockSize));
  }
  return dst.slice(0, d);
}

/**
 * Compresses a stream in the snappy block format piece by piece, as its writer produces it: the encoder
 * works on independent 64 KiB pieces anyway, so a writer can hand over each piece as soon as it is full
 * and keep only that much uncompressed data. finish() gives exactly what compress() gives for the whole
 * input. Why: a remote-write queue's pending buffer then stays at 64-128 KiB instead of growing to the
 * block's size (~1 MB uncompressed at 10,000 rows). CPU per row did not change measurably.
 */
export class SnappyStream {
  static readonly pieceSize = maxBlockSize;
  #out = new Uint8Array(maxEncodedLen(maxBlockSize));
  #outLen = 0;
  #inLen = 0;

  /** Uncompressed bytes taken so far. */
  get inputLength(): number {
    return this.#inLen;
  }

  /** Compresses src[start:end), at most pieceSize bytes; every piece but the last must be pieceSize long. */
  write(src: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    const need = this.#outLen + maxEncodedLen(end - start);
    if (need > this.#out.length) {
      const out = new Uint8Array(Math.max(need, this.#out.length * 2));
      out.set(this.#out.subarray(0, this.#outLen));
      this.#out = out;
    }
    this.#outLen = encodePiece(this.#out, this.#outLen, src, start, end);
    this.#inLen += end - start;
  }

  /** The compressed block of everything written since the last reset (a new array). */
  finish(): Uint8Array {
    const head = new Uint8Array(10);
    const h = putUvarint(head, 0, this.#inLen);
    const block = new Uint8Array(h + this.#outLen);
    block.set(head.subarray(0, h));
    block.set(this.#out.subarray(0, this.#outLen), h);
    return block;
  }

  /** Starts a new block, keeping the memory. */
  reset(): void {
    this.#outLen = 0;
    this.#inLen = 0;
  }
}
