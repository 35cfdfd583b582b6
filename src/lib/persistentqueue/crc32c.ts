// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum iSCSI, ext4 and LevelDB use for records.
// node:zlib only has crc32 (not 32C) and only from Node 22. Buffers of a few hundred bytes and more (the
// queue's blocks) are checksummed in WebAssembly by slicing-by-8 (../wasm/assembly/crc32c.ts), after a copy
// into its memory: bench/remotewrite.bench.ts measured 343 MB/s for the JavaScript slicing-by-4 below and
// 1,170 MB/s that way, copy included, on the shared 2-core dev box (2026-11-22); the JavaScript one was ~4% of
// the agent's busy time in push-ingestion profiles. Short ones (record headers) stay in JavaScript.
import { memoryBytes, reserve, wasm } from '../wasm/module.js';

const tables = makeTables();

function makeTables(): Uint32Array[] {
  const t0 = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t0[i] = c >>> 0;
  }
  const out = [t0];
  for (let n = 1; n < 4; n++) {
    const prev = out[n - 1]!;
    const t = new Uint32Array(256);
    for (let i = 0; i < 256; i++) t[i] = (prev[i]! >>> 8) ^ t0[prev[i]! & 0xff]!;
    out.push(t);
  }
  return out;
}

// Below this many bytes the copy into WebAssembly memory costs more than it saves.
const wasmMinBytes = 256;
const scratchBytes = 64 << 10;
// Reserved when this module loads: a region reserved later may grow the memory, which detaches the views
// of callers up the stack (the queue writes blocks from inside the output's emission).
const scratch = reserve(scratchBytes);

/** Returns the CRC-32C of buf, continuing from `crc` (the result of a previous call) when given. */
export function crc32c(buf: Uint8Array, crc = 0): number {
  if (buf.length < wasmMinBytes) return crc32cJS(buf, crc);
  let c = crc;
  for (let i = 0; i < buf.length; i += scratchBytes) {
    const piece = buf.subarray(i, i + scratchBytes);
    memoryBytes().set(piece, scratch);
    c = wasm.crc32c(scratch, piece.length, c) >>> 0;
  }
  return c;
}

/** crc32c in JavaScript alone (slicing-by-4): short buffers, and the reference of the tests. */
export function crc32cJS(buf: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3] = tables as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let c = ~crc;
  let i = 0;
  const n4 = buf.length & ~3;
  for (; i < n4; i += 4) {
    c ^= buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    c = t3[c & 0xff]! ^ t2[(c >>> 8) & 0xff]! ^ t1[(c >>> 16) & 0xff]! ^ t0[c >>> 24]!;
  }
  for (; i < buf.length; i++) c = t0[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
