// The JavaScript port of golang/snappy's pure-Go encoder (encode.go, encode_other.go) that compress.ts
// used before the WebAssembly one: kept as the tests' oracle, since both must write the same bytes (the
// same 64 KiB blocks, hash table and skipping heuristic as Go, so the output has Go's size).
import { compressWith } from './compress.js';

// Go's inputMargin: the encoder reads up to 4 bytes past a position it checks, keep 15 spare.
const inputMargin = 16 - 1;
const minNonLiteralBlockSize = 1 + 1 + inputMargin;
const maxTableSize = 1 << 14;
const tableMask = maxTableSize - 1;

const tagLiteral = 0x00;
const tagCopy1 = 0x01;
const tagCopy2 = 0x02;

const table = new Uint16Array(maxTableSize);

// The input being compressed, for unaligned 4-byte loads (one instruction once optimized; 1.5x the
// throughput of assembling bytes, measured on WriteRequest bodies).
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

function load32(i: number): number {
  return view.getInt32(i, true);
}

function hash(u: number, shift: number): number {
  return Math.imul(u, 0x1e35a7bd) >>> shift;
}

function emitLiteral(dst: Uint8Array, d: number, src: Uint8Array, from: number, to: number): number {
  const n = to - from - 1;
  if (n < 60) {
    dst[d++] = (n << 2) | tagLiteral;
  } else if (n < 1 << 8) {
    dst[d++] = (60 << 2) | tagLiteral;
    dst[d++] = n;
  } else {
    dst[d++] = (61 << 2) | tagLiteral;
    dst[d++] = n & 0xff;
    dst[d++] = n >>> 8;
  }
  // Short literals by loop: set(subarray()) costs a view object.
  if (to - from > 32) {
    dst.set(src.subarray(from, to), d);
    return d + to - from;
  }
  for (let i = from; i < to; i++) dst[d++] = src[i]!;
  return d;
}

function emitCopy(dst: Uint8Array, d: number, offset: number, length: number): number {
  while (length >= 68) {
    dst[d++] = (63 << 2) | tagCopy2;
    dst[d++] = offset & 0xff;
    dst[d++] = offset >>> 8;
    length -= 64;
  }
  if (length > 64) {
    dst[d++] = (59 << 2) | tagCopy2;
    dst[d++] = offset & 0xff;
    dst[d++] = offset >>> 8;
    length -= 60;
  }
  if (length >= 12 || offset >= 2048) {
    dst[d++] = ((length - 1) << 2) | tagCopy2;
    dst[d++] = offset & 0xff;
    dst[d++] = offset >>> 8;
    return d;
  }
  dst[d++] = ((offset >>> 8) << 5) | ((length - 4) << 2) | tagCopy1;
  dst[d++] = offset & 0xff;
  return d;
}

// Compresses src[start:end) (at most 64 KiB, at least minNonLiteralBlockSize bytes) into dst at d.
function encodeBlock(dst: Uint8Array, d: number, src: Uint8Array, start: number, end: number): number {
  let shift = 32 - 8;
  for (let size = 1 << 8; size < maxTableSize && size < end - start; size *= 2) shift--;
  table.fill(0);
  const sLimit = end - inputMargin;
  let nextEmit = start;
  let s = start + 1;
  let nextHash = hash(load32(s), shift);
  for (;;) {
    // Look for a 4-byte match, skipping faster the longer nothing matches.
    let skip = 32;
    let nextS = s;
    let candidate = 0;
    for (;;) {
      s = nextS;
      const step = skip >> 5;
      nextS = s + step;
      skip += step;
      if (nextS > sLimit) return nextEmit < end ? emitLiteral(dst, d, src, nextEmit, end) : d;
      candidate = table[nextHash & tableMask]! + start;
      table[nextHash & tableMask] = s - start;
      nextHash = hash(load32(nextS), shift);
      if (load32(s) === load32(candidate)) break;
    }
    d = emitLiteral(dst, d, src, nextEmit, s);
    // Emit copies while the bytes right after a match match again.
    for (;;) {
      const base = s;
      s += 4;
      let i = candidate + 4;
      for (const end4 = end - 4; s <= end4 && view.getInt32(i, true) === view.getInt32(s, true); i += 4)
        s += 4;
      for (; s < end && src[i] === src[s]; i++) s++;
      d = emitCopy(dst, d, base - candidate, s - base);
      nextEmit = s;
      if (s >= sLimit) return nextEmit < end ? emitLiteral(dst, d, src, nextEmit, end) : d;
      table[hash(load32(s - 1), shift) & tableMask] = s - 1 - start;
      const cur = load32(s);
      const h = hash(cur, shift) & tableMask;
      candidate = table[h]! + start;
      table[h] = s - start;
      if (cur !== load32(candidate)) {
        nextHash = hash(load32(s + 1), shift);
        s++;
        break;
      }
    }
  }
}

// Compresses src[p:end), one of the input's 64 KiB pieces (or its last, shorter one), into dst at d.
function encodePiece(dst: Uint8Array, d: number, src: Uint8Array, p: number, end: number): number {
  view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  return end - p < minNonLiteralBlockSize
    ? emitLiteral(dst, d, src, p, end)
    : encodeBlock(dst, d, src, p, end);
}

/** Compresses src into a new Uint8Array in the snappy block format, in JavaScript. */
export function compressReference(src: Uint8Array): Uint8Array {
  return compressWith(src, encodePiece);
}
