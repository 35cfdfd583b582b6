// AssemblyScript (compiled to WebAssembly by `npm run build`; not TypeScript for tsc).
//
// Snappy block compression in linear memory: the same port of golang/snappy's pure-Go encoder as
// ../../snappy/compress.ts (encode.go, encode_other.go: 64 KiB blocks, 16 K-entry table, the skipping
// heuristic), so the output is byte for byte the same. Why WebAssembly: unaligned 4-, 8- and 16-byte
// loads are single instructions here; a match's end is found with the trailing zeros of 8 differing bytes,
// and short literals are one 16-byte copy. A 10,000-row WriteRequest compresses 2.8-3x as fast as with the
// JavaScript port, measured side by side (docs/BENCHMARKS.md).

import { copyBytes } from './mem';

// The hash table (16 K entries of u16) lives at address 0; the module's static data starts at 64 KiB
// (--memoryBase), so the table never overlaps it.
const table: usize = 0;
const maxBlockSize: usize = 65536;
// Go's inputMargin: the encoder reads up to 8 bytes past a position it checks; keep 15 spare.
const inputMargin: usize = 15;
const minNonLiteralBlockSize: usize = 1 + 1 + inputMargin;
const maxTableSize: u32 = 1 << 14;
const tableMask: u32 = maxTableSize - 1;

@inline function hash(u: u32, shift: u32): u32 {
  return (u * 0x1e35a7bd) >>> shift;
}

@inline function slot(h: u32): usize {
  return table + ((<usize>(h & tableMask)) << 1);
}

function emitLiteral(d: usize, from: usize, to: usize): usize {
  const n = <u32>(to - from - 1);
  if (n < 60) {
    store<u8>(d, <u8>(n << 2));
    d += 1;
  } else if (n < 256) {
    store<u8>(d, 60 << 2);
    store<u8>(d, <u8>n, 1);
    d += 2;
  } else {
    store<u8>(d, 61 << 2);
    store<u16>(d, <u16>n, 1);
    d += 3;
  }
  // Short literals (most, between matches) as one 16-byte load and store: the regions have room for the
  // bytes past the end, which the next element overwrites or nobody reads.
  if (to - from <= 16) v128.store(d, v128.load(from));
  else copyBytes(d, from, to - from);
  return d + (to - from);
}

function emitCopy(d: usize, offset: u32, length: u32): usize {
  while (length >= 68) {
    store<u8>(d, (63 << 2) | 2);
    store<u16>(d, <u16>offset, 1);
    d += 3;
    length -= 64;
  }
  if (length > 64) {
    store<u8>(d, (59 << 2) | 2);
    store<u16>(d, <u16>offset, 1);
    d += 3;
    length -= 60;
  }
  if (length >= 12 || offset >= 2048) {
    store<u8>(d, <u8>(((length - 1) << 2) | 2));
    store<u16>(d, <u16>offset, 1);
    return d + 3;
  }
  store<u8>(d, <u8>(((offset >>> 8) << 5) | ((length - 4) << 2) | 1));
  store<u8>(d, <u8>offset, 1);
  return d + 2;
}

// Compresses [start, end) (at most maxBlockSize, at least minNonLiteralBlockSize bytes) to d.
function encodeBlock(d: usize, start: usize, end: usize): usize {
  let shift: u32 = 32 - 8;
  for (let size: usize = 1 << 8; size < maxTableSize && size < end - start; size <<= 1) shift--;
  memory.fill(table, 0, maxTableSize << 1);
  const sLimit = end - inputMargin;
  let nextEmit = start;
  let s = start + 1;
  let nextHash = hash(load<u32>(s), shift);
  while (true) {
    // Look for a 4-byte match, skipping faster the longer nothing matches.
    let skip: usize = 32;
    let nextS = s;
    let candidate: usize = 0;
    while (true) {
      s = nextS;
      const step = skip >> 5;
      nextS = s + step;
      skip += step;
      if (nextS > sLimit) return nextEmit < end ? emitLiteral(d, nextEmit, end) : d;
      const at = slot(nextHash);
      candidate = <usize>load<u16>(at) + start;
      store<u16>(at, <u16>(s - start));
      nextHash = hash(load<u32>(nextS), shift);
      if (load<u32>(s) == load<u32>(candidate)) break;
    }
    d = emitLiteral(d, nextEmit, s);
    // Emit copies while the bytes right after a match match again.
    while (true) {
      const base = s;
      s += 4;
      let i = candidate + 4;
      // 8 bytes a step; the first differing byte is the lowest set bit of the XOR (little-endian).
      let differs = false;
      while (s + 8 <= end) {
        const x = load<u64>(i) ^ load<u64>(s);
        if (x != 0) {
          s += <usize>(ctz(x) >> 3);
          differs = true;
          break;
        }
        s += 8;
        i += 8;
      }
      if (!differs) {
        while (s < end && load<u8>(i) == load<u8>(s)) {
          s++;
          i++;
        }
      }
      d = emitCopy(d, <u32>(base - candidate), <u32>(s - base));
      nextEmit = s;
      if (s >= sLimit) return nextEmit < end ? emitLiteral(d, nextEmit, end) : d;
      store<u16>(slot(hash(load<u32>(s - 1), shift)), <u16>(s - 1 - start));
      const cur = load<u32>(s);
      const at = slot(hash(cur, shift));
      candidate = <usize>load<u16>(at) + start;
      store<u16>(at, <u16>(s - start));
      if (cur != load<u32>(candidate)) {
        nextHash = hash(load<u32>(s + 1), shift);
        s++;
        break;
      }
    }
  }
}

/**
 * Compresses [src, src+n) into dst as a sequence of 64 KiB pieces, without the length header (the
 * caller writes it, or streams pieces); returns the number of bytes written. dst needs
 * maxEncodedLen(n) bytes, and both regions 16 more that may be read (src) or overwritten (dst): short
 * literals are copied 16 bytes at a time.
 */
export function snappyEncodePieces(src: usize, n: usize, dst: usize): usize {
  let d = dst;
  for (let p: usize = 0; p < n; p += maxBlockSize) {
    const e = min(n, p + maxBlockSize);
    d = e - p < minNonLiteralBlockSize ? emitLiteral(d, src + p, src + e) : encodeBlock(d, src + p, src + e);
  }
  return d - dst;
}

/**
 * Decodes the snappy block [src, src+n) (the length header, then literals and copies) into dst; returns
 * the decoded length, or -1 when the block is malformed (as golang/snappy's decoder finds it: a truncated
 * element, a copy from before the start or of offset 0, more or fewer bytes than the header says) or
 * longer than cap.
 */
export function snappyDecode(src: usize, n: usize, dst: usize, cap: usize): i32 {
  const end = src + n;
  let p = src;
  // The length: a varint of at most 5 bytes, below 2^32.
  let len: u64 = 0;
  let shift: u64 = 0;
  for (let i = 0; ; i++) {
    if (i == 5 || p >= end) return -1;
    const b = load<u8>(p++);
    len |= <u64>(b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7;
  }
  if (len > 0xffffffff || len > <u64>cap) return -1;
  const dend = dst + <usize>len;
  let d = dst;
  while (p < end) {
    const tag = <usize>load<u8>(p);
    const kind = tag & 3;
    let l: usize;
    if (kind == 0) {
      // A literal: its length - 1 in the tag, or in the 1 to 4 bytes after it.
      l = tag >> 2;
      p++;
      if (l >= 60) {
        const extra = l - 59;
        if (extra > end - p) return -1;
        l = extra == 1 ? <usize>load<u8>(p) : extra == 2 ? <usize>load<u16>(p) : extra == 3 ? <usize>(load<u32>(p) & 0xffffff) : <usize>load<u32>(p);
        p += extra;
      }
      // l + 1 bytes; l may be 2^32 - 1 (no overflow: usize is 32 bits, so compare l, not l + 1).
      if (l >= end - p || l >= dend - d) return -1;
      l++;
      copyBytes(d, p, l);
      d += l;
      p += l;
      continue;
    }
    let off: usize;
    if (kind == 1) {
      if (end - p < 2) return -1;
      l = 4 + ((tag >> 2) & 7);
      off = ((tag & 0xe0) << 3) | <usize>load<u8>(p, 1);
      p += 2;
    } else if (kind == 2) {
      if (end - p < 3) return -1;
      l = 1 + (tag >> 2);
      off = <usize>load<u16>(p, 1);
      p += 3;
    } else {
      if (end - p < 5) return -1;
      l = 1 + (tag >> 2);
      off = <usize>load<u32>(p, 1);
      p += 5;
    }
    if (off == 0 || off > d - dst || l > dend - d) return -1;
    if (off >= l) {
      copyBytes(d, d - off, l);
    } else {
      // Overlapping: the last `off` bytes repeat.
      for (let k: usize = 0; k < l; k++) store<u8>(d + k, load<u8>(d - off + k));
    }
    d += l;
  }
  return d == dend ? <i32>len : -1;
}
