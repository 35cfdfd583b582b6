// The WebAssembly hot paths (AssemblyScript sources in ./assembly, compiled by `npm run build` into
// lookout.wasm beside this file). One instance per process, created when this module is first imported;
// its linear memory is carved into fixed regions with reserve(). Pure code, no I/O but reading the
// module file once.
import { readFileSync } from 'node:fs';

// The part of the WebAssembly JS API used here (@types/node 20 does not declare it; lib.dom does).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};

/** The functions the module exports (see assembly/index.ts). */
interface Exports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  snappyEncodePieces(src: number, n: number, dst: number): number;
  snappyDecode(src: number, n: number, dst: number, cap: number): number;
  crc32c(p: number, n: number, crc: number): number;
  influxInit(
    ctl: number,
    rows: number,
    rowCap: number,
    table: number,
    tableBits: number,
    fields: number,
    fieldCap: number,
    arena: number,
    arenaBytes: number,
  ): void;
  influxTableBytes(tableBits: number): number;
  influxReset(): void;
  influxAddField(
    ctx: number,
    p: number,
    n: number,
    fp: number,
    fn: number,
    single: number,
    route: number,
  ): number;
  outInit(
    ctl: number,
    rowCap: number,
    jsRows: number,
    routes: number,
    routeCap: number,
    parts: number,
    partCap: number,
    labels: number,
    labelsBytes: number,
    slots: number,
    stage: number,
    stageBytes: number,
    dirty: number,
  ): void;
  outReset(): void;
  outLabels(n: number): number;
  outRouteJS(id: number): number;
  outRouteStart(id: number): number;
  outAddPart(id: number, at: number, n: number, slot: number): number;
  outEmit(rowsAt: number, from: number, n: number): number;
  keyAdd(ctx: number, p: number, n: number, route: number): number;
  missKeyAdd(ctx: number, route: number): number;
  rwInit(series: number, seriesCap: number, samples: number, sampleCap: number): void;
  rwScan(p: number, n: number, ctx: number): number;
  rwEmit(): number;
  keyedScan(p: number, end: number, ctx: number, kind: number, nowMs: number, trimMs: number): number;
  vmimportScan(p: number, end: number, ctx: number): number;
  influxScan(
    p: number,
    end: number,
    ctx: number,
    skipSingle: number,
    scaleK: number,
    scaleMul: number,
    nowTs: number,
    trimMs: number,
  ): number;
}

function instantiate(): Exports {
  const file = new URL('./lookout.wasm', import.meta.url);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new Error(
      `cannot read the WebAssembly module ${file.pathname}: ${(err as Error).message}; run \`npm run build\``,
    );
  }
  const abort = (): never => {
    throw new Error('WebAssembly module aborted');
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { abort } });
  return instance.exports as unknown as Exports;
}

/** The module's exports. */
export const wasm: Exports = instantiate();

const page = 65536;
let heapTop = wasm.heapBase();
let bytesView = new Uint8Array(wasm.memory.buffer);

/**
 * Reserves `n` bytes of linear memory for the caller's lifetime (regions are never freed: callers reserve
 * fixed-size scratch areas at start-up) and returns their address, 16-byte aligned. Grows the memory as
 * needed, which detaches earlier views: use memoryBytes() after every reserve().
 */
export function reserve(n: number): number {
  const at = (heapTop + 15) & ~15;
  heapTop = at + n;
  const have = wasm.memory.buffer.byteLength;
  if (heapTop > have) wasm.memory.grow(Math.ceil((heapTop - have) / page));
  return at;
}

/**
 * The end of the regions reserved so far. Hot paths never reserve: a region reserved while a caller up
 * the stack holds a view may grow the memory and detach that view (tests check this with it).
 */
export function reservedBytes(): number {
  return heapTop;
}

/**
 * A view of the whole linear memory (a new one after the memory grew: growing detaches the old buffer,
 * whose views then have length 0; checking that is cheaper than the memory's buffer getter, which the
 * hot paths call per row).
 */
export function memoryBytes(): Uint8Array {
  if (bytesView.length === 0) bytesView = new Uint8Array(wasm.memory.buffer);
  return bytesView;
}
