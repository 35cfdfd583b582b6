// The shared driver of the WebAssembly line scanners (assembly/influx.ts, graphite.ts, opentsdb.ts,
// prometheus.ts): one table of the series keys the JavaScript paths resolved before (route ids of the
// output in ./rows.ts, within a context number per route-cache map), the chunking of a block into that
// memory, and the loop that hands rows to the output and every line a scanner leaves to the caller's
// JavaScript path, in input order. The output's reset empties the table too, and its pause stops the
// scanners. Pure code, no I/O.
import { memoryBytes, reserve, wasm } from './module.js';
import { rowCap, wasmRows } from './rows.js';
import type { WasmRows } from './rows.js';

// Scan statuses (assembly/influx.ts).
const statusRowsFull = 1;
const statusMiss = 2;
const statusSlow = 3;

// Capacities: 64 K series (table at half load), 256 K keys and fields, 8 MiB of key bytes, 1 MiB chunks
// of input (a longer line goes to the JavaScript path whole).
const tableBits = 17;
const fieldCap = 1 << 18;
const arenaBytes = 8 << 20;
const chunkBytes = 1 << 20;

/** Where the rows of a scan go. */
export interface FastSink<R> {
  /**
   * The output's id of route r in its current generation (asked when a key of it is registered), or -1
   * when it has none (the key is not registered then).
   */
  routeId(r: R): number;
  /** One row the output hands back (its route is not written there, or its timestamp only in JavaScript). */
  row(r: R, value: number, timestampMs: number): void;
  /** Counts n rows the output wrote (after each batch of them). */
  written(n: number): void;
}

/**
 * Receives a line for the JavaScript path: its bytes (valid during the call), its 1-based number, and,
 * when the scanner only did not know its keys, the line's address in module memory (registration reads
 * the keys from there).
 */
export type SlowLine = (line: Buffer, lineNum: number, missAt: number | undefined) => void;

/** Scans [p, end) of module memory with a scanner, its settings bound; returns where to go on. */
export type ChunkScan = (p: number, end: number) => number;

/**
 * Registers the route the JavaScript path resolved for a line a keyed scanner handed over, under the key
 * the scanner found in that line.
 */
export type KeyRegister<R> = (route: R) => void;

/**
 * Receives a line for the JavaScript path from a keyed scanner: its bytes (valid during the call), its
 * 1-based number, and a registrar when the scanner only did not know the line's key.
 */
export type KeyedSlowLine<R> = (line: Buffer, lineNum: number, register: KeyRegister<R> | undefined) => void;

/** The table and the regions of the line scanners (one per process). */
export class LineFastPath {
  readonly #ctl: number;
  readonly #out: WasmRows;
  readonly #body: number;
  readonly #contexts = new WeakMap<object, { generation: number; id: number }>();
  #nextContext = 1;
  #rowsTaken = 0;
  // A view of the control block, made again only when the memory grew.
  #ctlView: Int32Array = new Int32Array(0);

  constructor() {
    this.#out = wasmRows();
    this.#ctl = reserve(16);
    this.#body = reserve(chunkBytes + 16); // the scanners read 16 bytes at a time
    const table = reserve(wasm.influxTableBytes(tableBits));
    const fields = reserve(16 * fieldCap);
    const arena = reserve(arenaBytes);
    wasm.influxInit(
      this.#ctl,
      this.#out.scanRowsAt,
      rowCap,
      table,
      tableBits,
      fields,
      fieldCap,
      arena,
      arenaBytes,
    );
    this.#out.onReset(() => wasm.influxReset());
  }

  /** Rows taken by the scanners so far. */
  get rowsTaken(): number {
    return this.#rowsTaken;
  }

  /** False while the output is paused (the working set outgrew the tables): use the JavaScript path alone. */
  get active(): boolean {
    return this.#out.active;
  }

  /**
   * The context number of a series cache (`key`, e.g. its Map) in its `generation`: keys are looked up
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
   * Scans `bytes` (whole lines; the first is line `firstLineNum`) with scanChunk: rows of known series go
   * to sink, other lines to onSlowLine, in the order of the input (for each series). Returns the number of
   * lines (of line breaks, plus one for text after the last).
   */
  scan<R>(
    bytes: Buffer,
    firstLineNum: number,
    scanChunk: ChunkScan,
    sink: FastSink<R>,
    onSlowLine: SlowLine,
  ): number {
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
      lineNum = this.#scanChunk(to - from, lineNum, scanChunk, sink, onSlowLine);
      from = to;
    }
    return lineNum - firstLineNum;
  }

  // Scans the chunk of n bytes at #body; returns the number of the line after it.
  #scanChunk<R>(
    n: number,
    lineNum: number,
    scanChunk: ChunkScan,
    sink: FastSink<R>,
    onSlowLine: SlowLine,
  ): number {
    const end = this.#body + n;
    let p = this.#body;
    while (p < end) {
      p = scanChunk(p, end);
      const c = this.#control();
      const [status, rows, lines, lineEnd] = [c[0]!, c[1]!, c[2]!, c[3]!];
      lineNum += lines;
      if (rows > 0) this.emitRows(rows, sink);
      if (status !== statusMiss && status !== statusSlow) {
        if (status !== statusRowsFull) break;
        continue;
      }
      const line = Buffer.from(memoryBytes().buffer, p, lineEnd - p);
      onSlowLine(line, lineNum, status === statusMiss ? p : undefined);
      lineNum++;
      p = lineEnd + 1;
    }
    return lineNum;
  }

  /**
   * Hands rows [0, n) of the row buffer (a scanner's) to the output: written there, or handed back to
   * sink.row (JavaScript routes, odd timestamps).
   */
  emitRows<R>(n: number, sink: FastSink<R>): void {
    const written = this.#out.emitScanRows(n, (i) => {
      const v = this.#out.views();
      sink.row(this.#out.route(v.ids[i]!) as R, v.values[i]!, v.ts[i]!);
    });
    if (written > 0) sink.written(written);
    this.#rowsTaken += n;
  }

  #control(): Int32Array {
    if (this.#ctlView.buffer !== memoryBytes().buffer)
      this.#ctlView = new Int32Array(memoryBytes().buffer as ArrayBuffer, this.#ctl, 4);
    return this.#ctlView;
  }

  /**
   * Registers `route` under a key with add(id) (a scanner's table insert with the key bound, returning 1
   * added, 2 known, 0 full); when the table is full, forgets every route (the output's reset empties the
   * table) and registers again.
   */
  register<R>(sink: FastSink<R>, route: R, add: (id: number) => number): void {
    const tryAdd = (): number => {
      const id = sink.routeId(route);
      return id < 0 ? -1 : add(id);
    };
    if (tryAdd() !== 0) return;
    this.#out.reset();
    if (this.#out.active) tryAdd();
  }
}

/** The base of a protocol's scanner on the process' line fast path (its state, contexts and pause). */
export class LineScanner {
  protected readonly lines: LineFastPath = lineFastPath();

  /** Rows taken by the line scanners so far. */
  get rowsTaken(): number {
    return this.lines.rowsTaken;
  }

  /** False while the output is paused: use the JavaScript path alone. */
  get active(): boolean {
    return this.lines.active;
  }

  /** The context number of a series cache in its generation (LineFastPath.context). */
  context(key: object, generation: number): number {
    return this.lines.context(key, generation);
  }
}

/**
 * Runs the keyed scanners (graphite, OpenTSDB, Prometheus text): one key per line, which the scanner
 * records when it does not know it, so that the JavaScript path only names the route to register.
 */
export class KeyedLineScanner extends LineScanner {
  /**
   * Scans `bytes` (whole lines; the first is line `firstLineNum`) with a keyed scanner bound to context
   * ctx (e.g. graphiteChunkScan's): rows of known keys go to sink, other lines to onSlowLine, in the order
   * of the input (for each series). Returns the number of lines.
   */
  scan<R>(
    bytes: Buffer,
    firstLineNum: number,
    ctx: number,
    chunkScan: ChunkScan,
    sink: FastSink<R>,
    onSlowLine: KeyedSlowLine<R>,
  ): number {
    return this.lines.scan(bytes, firstLineNum, chunkScan, sink, (line, lineNum, missAt) =>
      onSlowLine(
        line,
        lineNum,
        missAt === undefined
          ? undefined
          : (route) => this.lines.register(sink, route, (id) => wasm.missKeyAdd(ctx, id)),
      ),
    );
  }
}

let instance: LineFastPath | undefined;

/** The process' line scanners' state, made on first use (its regions are reserved then). */
export function lineFastPath(): LineFastPath {
  return (instance ??= new LineFastPath());
}
