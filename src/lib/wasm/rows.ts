// The WebAssembly output of push ingestion (assembly/rows.ts): rows (route id, value, timestamp) are
// written as remote-write TimeSeries bytes into per-slot staging areas in WebAssembly memory, and each
// slot's staged bytes go to its target (a shard buffer of one -remoteWrite.url) in one call. A route id
// names its encoded label sets and slots (RoutePart). Rows come from two row buffers: the fast-path
// scanners' (scanRowsAt, emitted after each scan) and the JavaScript handlers' batch (push(), emitted
// when full and at the end of each block).
//
// Route ids are given out here, for one generation: when a table fills up, reset() forgets every route,
// the scanners empty their tables (onReset) and the handlers register their routes again. When that
// happens before the routes paid for themselves, the working set is larger than the tables and the
// output pauses (`active` is false) instead of thrashing.
//
// Why: handing rows to JavaScript one call at a time, and from there one call per row through the
// fan-out into the shard buffers, cost ~0.45 µs per row, half of Lookout's push budget (docs/BENCHMARKS.md).
import { defaultRegistry } from '../metrics/registry.js';
import type { Counter } from '../metrics/registry.js';
import { memoryBytes, reserve, wasm } from './module.js';

/** Rows per scan (the row buffer's capacity). */
export const rowCap = 4096;

// Staging per slot, slots, routes, parts (a route has one per URL that keeps its series) and encoded
// label bytes. Regions are reserved once; pages are touched only as they fill.
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

// When the tables fill up again before this many rows per route went through them, pause for pauseMs.
const minRowsPerRoute = 4;
const pauseMs = 60_000;

/** Whose rows the JavaScript batch holds: it takes back the rows the output leaves to it, and counts. */
export interface BatchOwner<R> {
  /** A row the output hands back (its timestamp is one only JavaScript writes). */
  jsRow(route: R, value: number, timestampMs: number): void;
  /** Counts n rows the output wrote. */
  written(n: number): void;
}

// Typed views of the module's memory, made again only when the memory grew.
interface Views {
  bytes: Uint8Array;
  ctl: Int32Array;
  ids: Int32Array;
  values: Float64Array;
  ts: Float64Array;
  batchIds: Int32Array;
  batchValues: Float64Array;
  batchTs: Float64Array;
  jsRows: Int32Array;
  slots: Uint32Array;
  dirty: Int32Array;
}

/** The output of the process (one WebAssembly instance). */
export class WasmRows {
  readonly #ctl: number;
  /** The scanners' row buffer: rowCap i32 route ids, then rowCap f64 values, then rowCap f64 timestamps. */
  readonly scanRowsAt: number;
  readonly #batchAt: number;
  readonly #jsRows: number;
  readonly #slots: number;
  readonly #stage: number;
  readonly #dirty: number;
  readonly #targets: SlotTarget[] = [];
  #views: Views | undefined;
  // Routes of this generation, by id (what the caller registered them with).
  #routes: unknown[] = [];
  #generation = 1;
  #rowsSinceReset = 0;
  #pausedUntil = 0;
  readonly #onReset: Array<() => void> = [];
  // The JavaScript batch: rows, their routes, and whose they are.
  #batchN = 0;
  readonly #batchRoutes: unknown[] = new Array<unknown>(rowCap).fill(undefined);
  #batchOwner: BatchOwner<unknown> | undefined;
  readonly #rowsWritten: Counter = defaultRegistry.counter('lookout_ingest_wasm_rows_total');
  readonly #resets: Counter = defaultRegistry.counter('lookout_ingest_wasm_resets_total');

  constructor() {
    defaultRegistry.gauge('lookout_ingest_wasm_paused', () => (this.active ? 0 : 1));
    this.#ctl = reserve(16);
    this.scanRowsAt = reserve(rowCap * 20);
    this.#batchAt = reserve(rowCap * 20);
    this.#jsRows = reserve(rowCap * 4);
    const routes = reserve(routeCap * 8);
    const parts = reserve(partCap * 12);
    const labels = reserve(labelsBytes);
    this.#slots = reserve(slotCap * 8);
    this.#stage = reserve(slotCap * stageBytes);
    this.#dirty = reserve(slotCap * 4);
    wasm.outInit(
      this.#ctl,
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

  /** Changes at every reset(): route ids of an earlier generation are stale. */
  get generation(): number {
    return this.#generation;
  }

  /** False while paused (the working set outgrew the tables): use the JavaScript paths alone. */
  get active(): boolean {
    return this.#pausedUntil === 0 || Date.now() >= this.#pausedUntil;
  }

  /** Calls fn at every reset(), e.g. to empty a scanner's table of route ids. */
  onReset(fn: () => void): void {
    this.#onReset.push(fn);
  }

  /** Whether routes with these parts can be written here (each label set fits a staging area). */
  fits(parts: readonly RoutePart[]): boolean {
    return parts.every((p) => p.labels.length <= maxPartLabelsBytes);
  }

  /**
   * Registers `route` for this generation: its rows are written to these parts (which must fit), or
   * come back to JavaScript when parts is undefined. Returns its id, or -1 when the tables are full:
   * reset() and register again.
   */
  addRoute(route: unknown, parts: readonly RoutePart[] | undefined): number {
    const id = this.#routes.length;
    if (parts === undefined || !this.fits(parts)) {
      if (wasm.outRouteJS(id) === 0) return -1;
    } else {
      for (const p of parts) {
        if (!(p.slot >= 0 && p.slot < this.#targets.length)) throw new Error(`BUG: no slot ${p.slot}`);
      }
      if (wasm.outRouteStart(id) === 0) return -1;
      for (const p of parts) {
        const at = wasm.outLabels(p.labels.length);
        if (at === 0) return -1;
        memoryBytes().set(p.labels, at);
        if (wasm.outAddPart(id, at, p.labels.length, p.slot) === 0) return -1;
      }
    }
    this.#routes.push(route);
    return id;
  }

  /** The route registered as id. */
  route(id: number): unknown {
    return this.#routes[id];
  }

  /**
   * Forgets every route (after writing the batch) and starts a new generation; pauses when the tables
   * filled up too fast to pay for themselves.
   */
  reset(): void {
    this.flush();
    if (this.#rowsSinceReset < minRowsPerRoute * this.#routes.length)
      this.#pausedUntil = Date.now() + pauseMs;
    wasm.outReset();
    this.#resets.inc();
    this.#routes = [];
    this.#rowsSinceReset = 0;
    this.#generation++;
    for (const fn of this.#onReset) fn();
  }

  /** The views of the row buffers and the output's control blocks. */
  views(): Views {
    // A grown memory detaches the old views (their length is then 0): cheaper to check than the buffer
    // getter, which the allocation profile showed per call.
    if (this.#views === undefined || this.#views.bytes.length === 0) {
      const buffer = memoryBytes().buffer as ArrayBuffer;
      const rows = (at: number): [Int32Array, Float64Array, Float64Array] => [
        new Int32Array(buffer, at, rowCap),
        new Float64Array(buffer, at + rowCap * 4, rowCap),
        new Float64Array(buffer, at + rowCap * 12, rowCap),
      ];
      const [ids, values, ts] = rows(this.scanRowsAt);
      const [batchIds, batchValues, batchTs] = rows(this.#batchAt);
      this.#views = {
        bytes: memoryBytes(),
        ctl: new Int32Array(buffer, this.#ctl, 4),
        ids,
        values,
        ts,
        batchIds,
        batchValues,
        batchTs,
        jsRows: new Int32Array(buffer, this.#jsRows, rowCap),
        slots: new Uint32Array(buffer, this.#slots, slotCap * 2),
        dirty: new Int32Array(buffer, this.#dirty, slotCap),
      };
    }
    return this.#views;
  }

  /**
   * Writes rows [0, n) of the scanners' row buffer (after the batch, so that a series keeps its order);
   * see #emit. Returns the rows written.
   */
  emitScanRows(n: number, onJsRow: (i: number) => void): number {
    this.flush();
    return this.#emit(this.scanRowsAt, n, onJsRow);
  }

  /**
   * Adds a row of route `id` (registered with `route`) to the JavaScript batch for `owner`; the batch is
   * written when full, at flush(), and before another owner's row.
   */
  push<R>(owner: BatchOwner<R>, id: number, route: R, value: number, timestampMs: number): void {
    if (this.#batchOwner !== owner) {
      this.flush();
      this.#batchOwner = owner;
    }
    const v = this.views();
    const n = this.#batchN;
    v.batchIds[n] = id;
    v.batchValues[n] = value;
    v.batchTs[n] = timestampMs;
    this.#batchRoutes[n] = route;
    if ((this.#batchN = n + 1) === rowCap) this.flush();
  }

  /** Writes the JavaScript batch. */
  flush(): void {
    const n = this.#batchN;
    if (n === 0) return;
    this.#batchN = 0;
    const owner = this.#batchOwner!;
    const written = this.#emit(this.#batchAt, n, (i) => {
      const v = this.views();
      owner.jsRow(this.#batchRoutes[i], v.batchValues[i]!, v.batchTs[i]!);
    });
    if (written > 0) owner.written(written);
  }

  /**
   * Writes rows [0, n) of the row buffer at rowsAt to their slots' targets; the rows of routes without
   * parts (and rows with timestamps that are not whole milliseconds in [0, 2^53)) go to onJsRow(i)
   * instead, after the staged rows before them were handed over. Returns the rows written.
   */
  #emit(rowsAt: number, n: number, onJsRow: (i: number) => void): number {
    let written = 0;
    this.#rowsSinceReset += n;
    for (let from = 0; from < n;) {
      const next = wasm.outEmit(rowsAt, from, n);
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
    this.#rowsWritten.add(written);
    return written;
  }
}

let instance: WasmRows | undefined;

/** The process' output, made on first use (its regions are reserved then). */
export function wasmRows(): WasmRows {
  return (instance ??= new WasmRows());
}
