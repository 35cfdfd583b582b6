// The fast path of influx ingestion: the WebAssembly scanner (../../wasm/assembly/influx.ts) takes the
// lines whose series and fields it has seen before and whose values and timestamps it reads exactly as
// parser.ts does; every other line goes to the caller's JavaScript path, which may register what it
// resolved so that the next line of that series stays in WebAssembly. Pure code, no I/O.
//
// Why: in the JavaScript path a pushed row costs ~1 µs of scanning, slicing and Map lookups before it
// reaches the remote-write buffer, and vmagent's whole budget per row is ~0.9 µs.
import { memoryBytes, reserve, wasm } from '../../wasm/module.js';
import { precisionScale } from './parser.js';

// Scan statuses (assembly/influx.ts).
const statusRowsFull = 1;
const statusMiss = 2;
const statusSlow = 3;

// Capacities: 64 K series (table at half load), 256 K fields, 8 MiB of key bytes, 4,096 rows per drain,
// 1 MiB chunks of input (a longer line goes to the JavaScript path whole).
const tableBits = 17;
const fieldCap = 1 << 18;
const arenaBytes = 8 << 20;
const rowCap = 4096;
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

/**
 * Receives a line for the JavaScript path: its bytes (valid during the call), its 1-based number, and
 * a registrar when the line is one the fast path could take once its series and fields are known.
 */
export type InfluxSlowLine<R> = (
  line: Buffer,
  lineNum: number,
  register: InfluxRegister<R> | undefined,
) => void;

// The typed views of the module's memory a scan reads its results through.
interface Views {
  buffer: ArrayBuffer;
  ctl: Int32Array;
  ids: Int32Array;
  values: Float64Array;
  ts: Float64Array;
}

/** The one fast-path state of the process (its table and regions of WebAssembly memory). */
export class InfluxFastPath<R> {
  readonly #ctl: number;
  readonly #rows: number;
  readonly #body: number;
  #routes: R[] = [];
  readonly #contexts = new WeakMap<object, { generation: number; id: number }>();
  #nextContext = 1;
  #rowsSinceReset = 0;
  #rowsTaken = 0;
  #pausedUntil = 0;
  // Views of the control block and the row buffer, made again only when the memory grew.
  #views: Views | undefined;

  constructor() {
    this.#ctl = reserve(16);
    this.#rows = reserve(rowCap * 20);
    this.#body = reserve(chunkBytes);
    const table = reserve(32 << tableBits);
    const fields = reserve(16 * fieldCap);
    const arena = reserve(arenaBytes);
    wasm.influxInit(this.#ctl, this.#rows, rowCap, table, tableBits, fields, fieldCap, arena, arenaBytes);
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
   * onRow, other lines to onSlowLine, in the order of the input.
   */
  scan(
    bytes: Buffer,
    firstLineNum: number,
    ctx: number,
    opts: InfluxFastOptions,
    onRow: (route: R, value: number, timestampMs: number) => void,
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
      lineNum = this.#scanChunk(
        to - from,
        lineNum,
        ctx,
        skipSingle,
        k,
        mul,
        nowTs,
        trimMs,
        onRow,
        onSlowLine,
      );
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
    onRow: (route: R, value: number, timestampMs: number) => void,
    onSlowLine: InfluxSlowLine<R>,
  ): number {
    const end = this.#body + n;
    let p = this.#body;
    while (p < end) {
      p = wasm.influxScan(p, end, ctx, skipSingle, k, mul, nowTs, trimMs);
      const v = this.#currentViews();
      const [status, rows, lines, lineEnd] = [v.ctl[0]!, v.ctl[1]!, v.ctl[2]!, v.ctl[3]!];
      lineNum += lines;
      if (rows > 0) {
        const routes = this.#routes;
        for (let i = 0; i < rows; i++) onRow(routes[v.ids[i]!]!, v.values[i]!, v.ts[i]!);
        this.#rowsSinceReset += rows;
        this.#rowsTaken += rows;
      }
      if (status !== statusMiss && status !== statusSlow) {
        if (status !== statusRowsFull) break;
        continue;
      }
      const line = Buffer.from(v.buffer, p, lineEnd - p);
      onSlowLine(line, lineNum, status === statusMiss ? this.#registrar(ctx, p) : undefined);
      lineNum++;
      p = lineEnd + 1;
    }
    return lineNum;
  }

  #currentViews(): Views {
    const buffer = memoryBytes().buffer as ArrayBuffer;
    if (this.#views?.buffer !== buffer) {
      this.#views = {
        buffer,
        ctl: new Int32Array(buffer, this.#ctl, 4),
        ids: new Int32Array(buffer, this.#rows, rowCap),
        values: new Float64Array(buffer, this.#rows + rowCap * 4, rowCap),
        ts: new Float64Array(buffer, this.#rows + rowCap * 12, rowCap),
      };
    }
    return this.#views;
  }

  #registrar(ctx: number, line: number): InfluxRegister<R> {
    return (seriesEnd, keyStart, keyEnd, single, route) => {
      const add = (): boolean =>
        wasm.influxAddField(
          ctx,
          line,
          seriesEnd,
          line + keyStart,
          keyEnd - keyStart,
          single ? 1 : 0,
          this.#routes.length,
        ) !== 0;
      if (!add()) {
        this.#reset();
        if (!add()) return;
      }
      this.#routes.push(route);
    };
  }

  // Empties the table; pauses the fast path when it filled up too fast to pay for itself.
  #reset(): void {
    if (this.#rowsSinceReset < minRowsPerField * this.#routes.length)
      this.#pausedUntil = Date.now() + pauseMs;
    wasm.influxReset();
    this.#routes = [];
    this.#rowsSinceReset = 0;
  }
}
