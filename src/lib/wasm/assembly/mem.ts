// AssemblyScript (compiled to WebAssembly by `npm run build`; not TypeScript for tsc).
//
// Copies and compares of short byte ranges (series keys, encoded label sets: tens of bytes, per row).
// memory.copy is a call into the engine's memmove, whose fixed cost is most of the work at these sizes.
// Here a range is covered by 16-byte (copies) or 8-byte (compares) accesses, the last one overlapping
// the one before, so nothing is read or written outside the range and no byte-at-a-time tail is left.
// (A 16-byte compare was no faster than the 8-byte one in the pipeline bench.)

// Above this size memory.copy wins.
const largeCopy: usize = 256;

/** Copies [s, s+n) to [d, d+n); the ranges must not overlap. */
@inline export function copyBytes(d: usize, s: usize, n: usize): void {
  if (n >= 16) {
    if (n > largeCopy) {
      memory.copy(d, s, n);
      return;
    }
    for (let k: usize = 0; k + 16 < n; k += 16) v128.store(d + k, v128.load(s + k));
    v128.store(d + n - 16, v128.load(s + n - 16));
  } else if (n >= 8) {
    const head = load<u64>(s);
    const tail = load<u64>(s + n - 8);
    store<u64>(d, head);
    store<u64>(d + n - 8, tail);
  } else if (n >= 4) {
    const head = load<u32>(s);
    const tail = load<u32>(s + n - 4);
    store<u32>(d, head);
    store<u32>(d + n - 4, tail);
  } else {
    for (let k: usize = 0; k < n; k++) store<u8>(d + k, load<u8>(s + k));
  }
}

/** Whether [a, a+n) and [b, b+n) hold the same bytes. */
export function bytesEqual(a: usize, b: usize, n: usize): bool {
  if (n >= 8) {
    for (let k: usize = 0; k + 8 < n; k += 8) if (load<u64>(a + k) != load<u64>(b + k)) return false;
    return load<u64>(a + n - 8) == load<u64>(b + n - 8);
  }
  if (n >= 4) return load<u32>(a) == load<u32>(b) && load<u32>(a + n - 4) == load<u32>(b + n - 4);
  for (let k: usize = 0; k < n; k++) if (load<u8>(a + k) != load<u8>(b + k)) return false;
  return true;
}
