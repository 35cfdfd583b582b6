// The fast path of influx ingestion: the WebAssembly scanner (../../wasm/assembly/influx.ts) takes the
// lines whose series and fields it has seen before and whose values and timestamps it reads exactly as
// parser.ts does; every other line goes to the caller's JavaScript path, which may register what it
// resolved so that the next line of that series stays in WebAssembly. Pure code, no I/O.
//
// Rows go through the shared row buffer and output of ../../wasm/rows.ts: a route the caller gives
// parts for is written to its remote-write buffers without a JavaScript call per row.
//
// Why: in the JavaScript path a pushed row costs ~1 µs of scanning, slicing and Map lookups before it
// reaches the remote-write buffer, and vmagent's whole budget per row is ~0.9 µs.
import { memoryBytes, reserve, wasm } from '../../wasm/module.js';
import { rowCap, wasmRows } from '../../wasm/rows.js';
import type { RoutePart, WasmRows } from '../../wasm/rows.js';
import { precisionScale } from './parser.js';

// Scan statuses (assembly/influx.ts).
const statusRowsFull = 1;
const statusMiss = 2;
const statusSlow = 3;

// Capacities: 64 K series (table at half load), 256 K fields (routes: the output's table holds as
// many), 8 MiB of key bytes, 1 MiB chunks of input (a longer line goes to the JavaScript path whole).
const tableBits = 17;
const fieldCap = 1 << 18;
const arenaBytes = 8 << 20;
const chunkBytes = 1 << 20;
// When the table fills up again before this many rows per registered field went through it, the
// working set is larger than the table: the fast path pauses instead of thrashing.
const minRowsPerField = 4;
const pauseMs = 60_000;

/** How a block is read: as scanInfluxLines' options, plus -influxSkipSingleField. */
export interface InfluxFastOptions {
  precision?: string;
  nowMs: number;
  trimMs?: number;
  skipSingleField: boolean;
}

/**
 * Registers what the JavaScript path resolved for a line it was handed: the series text is
 * line[0:seriesEnd), the field key line[keyStart:keyEnd) (positions in the line's bytes, which are
 * ASCII), `single` as -influxSkipSingleField saw it.
 */
export type InfluxRegister<R> = (
  seriesEnd: number,
  keyStart: number,
  keyEnd: number,
  single: boolean,
  route: R,
) => void;

/** Where the rows of a scan go. */
export interface InfluxFastSink<R> {
  /**
   * The output parts of route r (asked once, when its field is registered): its rows are written to
   * them in WebAssembly. Undefined: its rows go to row().
   */
  parts(r: R): readonly RoutePart[] | undefined;
  /** One row of a route without parts. */
  row(r: R, value: number, timestampMs: number): void;
  /** Counts n rows the output wrote (after each batch of them). */
  written(n: number): void;
}

/**
 * Receives a line for the JavaScript path: its bytes (valid during the call), its 1-based number, and
 * a registrar when the line is one the fast path could take once its series and fields are known.
 */
export type InfluxSlowLine<R> = (
  line: Buffer,
  lineNum: number,
  register: InfluxRegister<R> | undefined,
) => void;

/** The one fast-path state of the process (its table and regions of WebAssembly memory). */
export class InfluxFastPath<R> {
  readonly #ctl: number;
  readonly #out: WasmRows;
  readonly #body: number;
  #routes: R[] = [];
  readonly #contexts = new WeakMap<object, { generation: number; id: number }>();
  #nextContext = 1;
  #rowsSinceReset = 0;
  #rowsTaken = 0;
  #pausedUntil = 0;
  // A view of the control block, made again only when the memory grew.
  #ctlView: Int32Array = new Int32Array(0);

  constructor() {
    this.#out = wasmRows();
    this.#ctl = reserve(16);
    this.#body = reserve(chunkBytes + 16); // the scanner reads 16 bytes at a time
    const table = reserve(32 << tableBits);
    const fields = reserve(16 * fieldCap);
    const arena = reserve(arenaBytes);
    wasm.influxInit(
      this.#ctl,
      this.#out.rowsAt,
      rowCap,
      table,
      tableBits,
      fields,
      fieldCap,
      arena,
      arenaBytes,
    );
  }

  /** Rows taken by the fast path so far. */
  get rowsTaken(): number {
    return this.#rowsTaken;
  }

  /** False while paused (the working set outgrew the table): use the JavaScript path alone. */
  get active(): boolean {
    return this.#pausedUntil === 0 || Date.now() >= this.#pausedUntil;
  }

  /**
   * The context number of a series cache (`key`, e.g. its Map) in its `generation`: series are looked up
   * within a context, and a new generation (the cache was cleared, routes may have changed) starts a new
   * one, so nothing registered before is found again.
   */
  context(key: object, generation: number): number {
    let c = this.#contexts.get(key);
    if (c === undefined || c.generation !== generation) {
      c = { generation, id: this.#nextContext++ >>> 0 };
      this.#contexts.set(key, c);
    }
    return c.id;
  }

  /**
   * Scans `bytes` (whole lines; the first is line `firstLineNum`) in context ctx: rows of known series go to
   * sink, other lines to onSlowLine, in the order of the input (for each series).
   */
  scan(
    bytes: Buffer,
    firstLineNum: number,
    ctx: number,
    opts: InfluxFastOptions,
    sink: InfluxFastSink<R>,
    onSlowLine: InfluxSlowLine<R>,
  ): void {
    const precision = opts.precision ?? '';
    const scale = Object.hasOwn(precisionScale, precision) ? precisionScale[precision] : undefined;
    const unit = scale ? scale[1] : 1;
    const nowTs = unit > 1 ? opts.nowMs - (opts.nowMs % unit) : opts.nowMs;
    // -2: auto-detect by magnitude.
    const [k, mul] = scale ?? [-2, 1];
    const trimMs = opts.trimMs ?? 1;
    const skipSingle = opts.skipSingleField ? 1 : 0;
    let lineNum = firstLineNum;
    for (let from = 0; from < bytes.length;) {
      let to = Math.min(bytes.length, from + chunkBytes);
      if (to < bytes.length) {
        const nl = bytes.lastIndexOf(10, to - 1);
        if (nl < from) {
          // A line longer than a chunk: the JavaScript path takes it.
          let end = bytes.indexOf(10, from);
          if (end < 0) end = bytes.length;
          onSlowLine(bytes.subarray(from, end), lineNum++, undefined);
          from = end + 1;
          continue;
        }
        to = nl + 1;
      }
      memoryBytes().set(bytes.subarray(from, to), this.#body);
      lineNum = this.#scanChunk(to - from, lineNum, ctx, skipSingle, k, mul, nowTs, trimMs, sink, onSlowLine);
      from = to;
    }
  }

  // Scans the chunk of n bytes at #body; returns the number of the line after it.
  #scanChunk(
    n: number,
    lineNum: number,
    ctx: number,
    skipSingle: number,
    k: number,
    mul: number,
    nowTs: number,
    trimMs: number,
    sink: InfluxFastSink<R>,
    onSlowLine: InfluxSlowLine<R>,
  ): number {
    const end = this.#body + n;
    let p = this.#body;
    const jsRow = (i: number): void => {
      const v = this.#out.views();
      sink.row(this.#routes[v.ids[i]!]!, v.values[i]!, v.ts[i]!);
    };
    while (p < end) {
      p = wasm.influxScan(p, end, ctx, skipSingle, k, mul, nowTs, trimMs);
      const c = this.#control();
      const [status, rows, lines, lineEnd] = [c[0]!, c[1]!, c[2]!, c[3]!];
      lineNum += lines;
      if (rows > 0) {
        const written = this.#out.emit(rows, jsRow);
        if (written > 0) sink.written(written);
        this.#rowsSinceReset += rows;
        this.#rowsTaken += rows;
      }
      if (status !== statusMiss && status !== statusSlow) {
        if (status !== statusRowsFull) break;
        continue;
      }
      const line = Buffer.from(memoryBytes().buffer, p, lineEnd - p);
      onSlowLine(line, lineNum, status === statusMiss ? this.#registrar(ctx, p, sink) : undefined);
      lineNum++;
      p = lineEnd + 1;
    }
    return lineNum;
  }

  #control(): Int32Array {
    if (this.#ctlView.buffer !== memoryBytes().buffer)
      this.#ctlView = new Int32Array(memoryBytes().buffer as ArrayBuffer, this.#ctl, 4);
    return this.#ctlView;
  }

  #registrar(ctx: number, line: number, sink: InfluxFastSink<R>): InfluxRegister<R> {
    return (seriesEnd, keyStart, keyEnd, single, route) => {
      // The field is added with the next route id, whose output entry is set before anything reads it.
      const add = (): boolean => {
        const id = this.#routes.length;
        const added = wasm.influxAddField(
          ctx,
          line,
          seriesEnd,
          line + keyStart,
          keyEnd - keyStart,
          single ? 1 : 0,
          id,
        );
        if (added === 2) return true; // known already
        if (added === 0 || !this.#out.setRoute(id, sink.parts(route))) return false;
        this.#routes.push(route);
        return true;
      };
      if (add()) return;
      this.#reset();
      // A field whose route could not be set must not stay in the table.
      if (!add()) this.#reset();
    };
  }

  // Empties the tables; pauses the fast path when they filled up too fast to pay for themselves.
  #reset(): void {
    if (this.#rowsSinceReset < minRowsPerField * this.#routes.length)
      this.#pausedUntil = Date.now() + pauseMs;
    wasm.influxReset();
    this.#out.reset();
    this.#routes = [];
    this.#rowsSinceReset = 0;
  }
}
