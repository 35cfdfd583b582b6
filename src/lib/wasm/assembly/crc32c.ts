// AssemblyScript (compiled to WebAssembly by `npm run build`; not TypeScript for tsc).
//
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) by slicing-by-8, for the persistent queue's record
// checksums (../../persistentqueue/crc32c.ts copies a buffer in and calls it). The tables (8 × 256 words)
// are made on first use.
const tables = memory.data(8 * 256 * 4);
let ready = false;

function makeTables(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    store<u32>(tables + (<usize>i << 2), c);
  }
  for (let t: usize = 1; t < 8; t++) {
    for (let i: usize = 0; i < 256; i++) {
      const prev = load<u32>(tables + (((t - 1) << 8) + i) * 4);
      store<u32>(tables + ((t << 8) + i) * 4, (prev >>> 8) ^ load<u32>(tables + (<usize>(prev & 0xff) << 2)));
    }
  }
  ready = true;
}

// Entry b of table t.
@inline function tab(t: usize, b: u32): u32 {
  return load<u32>(tables + (t << 10) + (<usize>b << 2));
}

/** The CRC-32C of [p, p+n), continuing from `crc` (a previous result; 0 to start). */
export function crc32c(p: usize, n: usize, crc: u32): u32 {
  if (!ready) makeTables();
  let c = ~crc;
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) {
    const lo = load<u32>(p + i) ^ c;
    const hi = load<u32>(p + i + 4);
    c =
      tab(7, lo & 0xff) ^
      tab(6, (lo >>> 8) & 0xff) ^
      tab(5, (lo >>> 16) & 0xff) ^
      tab(4, lo >>> 24) ^
      tab(3, hi & 0xff) ^
      tab(2, (hi >>> 8) & 0xff) ^
      tab(1, (hi >>> 16) & 0xff) ^
      tab(0, hi >>> 24);
  }
  for (; i < n; i++) c = tab(0, (c ^ load<u8>(p + i)) & 0xff) ^ (c >>> 8);
  return ~c;
}
