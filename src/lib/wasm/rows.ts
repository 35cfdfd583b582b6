// The row buffer of the WebAssembly fast paths and its output (assembly/rows.ts): a scanner writes
// (route id, value, timestamp) rows into the buffer, and emit() writes them as remote-write TimeSeries
// bytes into per-slot staging areas in WebAssembly memory, then hands each slot's staged bytes to its
// target (a shard buffer of one -remoteWrite.url) in one call. A route id names its encoded label sets
// and slots (RoutePart); routes without parts come back to JavaScript row by row.
//
// Why: handing 4,096 rows back to JavaScript one call at a time, and from there one call per row through
// the fan-out into the shard buffers, cost ~0.45 µs per row, half of Lookout's push budget (docs/BENCHMARKS.md).
import { memoryBytes, reserve, wasm } from './module.js';

/** Rows per scan (the row buffer's capacity). */
export const rowCap = 4096;

// Staging per slot, slots, routes (as many as the scanners' tables hold fields), parts (a route has one
// per URL that keeps its series) and encoded label bytes. Regions are reserved once; pages are touched
// only as they fill.
const stageBytes = 32 * 1024;
const slotCap = 512;
const routeCap = 1 << 18;
const partCap = 1 << 19;
const labelsBytes = 16 << 20;

/** The largest encoded label set a route part may have (a row must fit a slot's staging area). */
export const maxPartLabelsBytes = stageBytes / 4;

/**
 * Receives a slot's staged rows: bytes[start:end) are `rows` whole `TimeSeries` fields of a WriteRequest
 * (valid during the call only).
 */
export type SlotTarget = (bytes: Uint8Array, start: number, end: number, rows: number) => void;

/** One destination of a route: its encoded labels (prompb encodeLabels) go to slot `slot`. */
export interface RoutePart {
  readonly labels: Uint8Array;
  readonly slot: number;
}

// Typed views of the module's memory, made again only when the memory grew.
interface Views {
  buffer: ArrayBuffer;
  bytes: Uint8Array;
  ctl: Int32Array;
  ids: Int32Array;
  values: Float64Array;
  ts: Float64Array;
  jsRows: Int32Array;
  slots: Uint32Array;
  dirty: Int32Array;
}

/** The row buffer and the output of the process (one WebAssembly instance). */
export class WasmRows {
  readonly #ctl: number;
  /** Address of the row buffer: rowCap i32 route ids, then rowCap f64 values, then rowCap f64 timestamps. */
  readonly rowsAt: number;
  readonly #jsRows: number;
  readonly #slots: number;
  readonly #stage: number;
  readonly #dirty: number;
  readonly #targets: SlotTarget[] = [];
  #views: Views | undefined;

  constructor() {
    this.#ctl = reserve(16);
    this.rowsAt = reserve(rowCap * 20);
    this.#jsRows = reserve(rowCap * 4);
    const routes = reserve(routeCap * 8);
    const parts = reserve(partCap * 12);
    const labels = reserve(labelsBytes);
    this.#slots = reserve(slotCap * 8);
    this.#stage = reserve(slotCap * stageBytes);
    this.#dirty = reserve(slotCap * 4);
    wasm.outInit(
      this.#ctl,
      this.rowsAt,
      rowCap,
      this.#jsRows,
      routes,
      routeCap,
      parts,
      partCap,
      labels,
      labelsBytes,
      this.#slots,
      this.#stage,
      stageBytes,
      this.#dirty,
    );
  }

  /** Adds one slot per target; returns the first one's number, or -1 when there are not that many left. */
  addSlots(targets: readonly SlotTarget[]): number {
    if (this.#targets.length + targets.length > slotCap) return -1;
    const first = this.#targets.length;
    this.#targets.push(...targets);
    return first;
  }

  /**
   * Sets route `id` (below the scanners' table capacity): rows of it are written to these parts, or
   * come back to JavaScript when parts is undefined. False when the output's tables are full: reset
   * the scanners' tables and this (reset()), then set it again.
   */
  setRoute(id: number, parts: readonly RoutePart[] | undefined): boolean {
    if (parts === undefined || parts.some((p) => p.labels.length > maxPartLabelsBytes))
      return wasm.outRouteJS(id) !== 0;
    for (const p of parts) {
      if (!(p.slot >= 0 && p.slot < this.#targets.length)) throw new Error(`BUG: no slot ${p.slot}`);
    }
    if (wasm.outRouteStart(id) === 0) return false;
    for (const p of parts) {
      const at = wasm.outLabels(p.labels.length);
      if (at === 0) return false;
      memoryBytes().set(p.labels, at);
      if (wasm.outAddPart(id, at, p.labels.length, p.slot) === 0) return false;
    }
    return true;
  }

  /** Forgets every route. */
  reset(): void {
    wasm.outReset();
  }

  /** The views of the row buffer and the output's control blocks. */
  views(): Views {
    const buffer = memoryBytes().buffer as ArrayBuffer;
    if (this.#views?.buffer !== buffer) {
      this.#views = {
        buffer,
        bytes: memoryBytes(),
        ctl: new Int32Array(buffer, this.#ctl, 4),
        ids: new Int32Array(buffer, this.rowsAt, rowCap),
        values: new Float64Array(buffer, this.rowsAt + rowCap * 4, rowCap),
        ts: new Float64Array(buffer, this.rowsAt + rowCap * 12, rowCap),
        jsRows: new Int32Array(buffer, this.#jsRows, rowCap),
        slots: new Uint32Array(buffer, this.#slots, slotCap * 2),
        dirty: new Int32Array(buffer, this.#dirty, slotCap),
      };
    }
    return this.#views;
  }

  /**
   * Writes rows [0, n) of the row buffer to their slots' targets; the rows of routes without parts (and
   * rows with timestamps that are not whole milliseconds in [0, 2^53)) go to onJsRow(i) instead, after
   * the staged rows before them were handed over. Returns the rows written.
   */
  emit(n: number, onJsRow: (i: number) => void): number {
    let written = 0;
    for (let from = 0; from < n;) {
      const next = wasm.outEmit(from, n);
      let v = this.views();
      const [rows, listed, dirty] = [v.ctl[0]!, v.ctl[1]!, v.ctl[2]!];
      written += rows;
      for (let k = 0; k < dirty; k++) {
        v = this.views();
        const s = v.dirty[k]!;
        const bytes = v.slots[2 * s]!;
        const slotRows = v.slots[2 * s + 1]!;
        v.slots[2 * s] = 0;
        v.slots[2 * s + 1] = 0;
        const start = this.#stage + s * stageBytes;
        this.#targets[s]!(v.bytes, start, start + bytes, slotRows);
      }
      for (let k = 0; k < listed; k++) onJsRow(this.views().jsRows[k]!);
      if (next === from && rows === 0 && listed === 0) throw new Error('BUG: a row fits no staging area');
      from = next;
    }
    return written;
  }
}

let instance: WasmRows | undefined;

/** The process' row buffer and output, made on first use (its regions are reserved then). */
export function wasmRows(): WasmRows {
  return (instance ??= new WasmRows());
}
