// Shared plumbing of the push request handlers: the sink contract, label limits, error reporting and
// vmagent's self-metrics (vmagent_rows_inserted_total, vmagent_http_requests_total, vm_rows_invalid_total,
// vm_rows_ignored_total).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Label, TimeSeries } from '../../../lib/prompb/types.js';
import { defaultRegistry, escapeLabelValue } from '../../../lib/metrics/registry.js';
import type { Counter } from '../../../lib/metrics/registry.js';
import { getLogger, getThrottledLogger } from '../../../lib/logger/logger.js';
import { RequestError, decodeText } from '../../../lib/protoparser/protoparserutil/body.js';
import { parseExtraLabels } from '../../../lib/protoparser/protoparserutil/extra-labels.js';
import { wasmRows } from '../../../lib/wasm/rows.js';
import type { BatchOwner, RoutePart, WasmRows } from '../../../lib/wasm/rows.js';
import type { ChunkScan, FastSink, KeyRegister, KeyedLineScanner } from '../../../lib/wasm/lines.js';
import type { IngestConfig } from './flags.js';

/** An opaque delivery plan for one pushed series, made by IngestSink.pushRoute. */
export type PushRoute = object;

/**
 * Where pushed series go: the agent's remote-write fan-out (-remoteWrite.label, global and per-URL
 * relabeling, the per-URL queues) or a test double. `pushRoute` is the cold path, called once per new
 * series (handlers cache its result); `pushSample` is the hot path, called for every sample.
 */
export interface IngestSink {
  /** False while the queues refuse pushed data: the handler answers 429. Asked before every block. */
  acceptsPush(): boolean;
  /** Changes when routes made earlier are stale (the relabel files were reloaded). */
  routeVersion(): string;
  /**
   * The route of a series with these labels (limits already checked). Never fails: a series that
   * relabeling drops gets a route whose samples are counted as dropped. The sink owns the array.
   */
  pushRoute(labels: Label[]): PushRoute;
  /** Appends one sample of a routed series. */
  pushSample(route: PushRoute, value: number, timestampMs: number): void;
  /**
   * Optional, for the WebAssembly fast paths: where the output of lib/wasm/rows.ts writes the samples of
   * a route (undefined: they come through pushSample).
   */
  wasmRouteParts?(route: PushRoute): RoutePart[] | undefined;
  /** Counts samples the WebAssembly output wrote for routes of wasmRouteParts. */
  wasmRowsPushed?(n: number): void;
}

/** A push request handler on plain node:http objects; it always answers and never rejects. */
export type IngestHandler = (req: IncomingMessage, res: ServerResponse, sink: IngestSink) => Promise<void>;

const log = getThrottledLogger('app/agent/ingest');
const lineLog = getLogger('app/agent/ingest');

// Skipped lines and ignored series are logged as vmagent does (logger.WithThrottler): at most one message
// per 5 seconds per kind and protocol, whatever its text; the others are only counted. A flood of distinct
// garbage lines is hostile input, so it must neither flood the log nor pay for formatting each message.
const lineLogIntervalMs = 5000;
const lineLogLast = new Map<string, number>();
function mayLogLine(kind: string): boolean {
  const now = Date.now();
  const last = lineLogLast.get(kind);
  if (last !== undefined && now - last < lineLogIntervalMs) return false;
  lineLogLast.set(kind, now);
  return true;
}

/** How many rows a pusher takes between two checks of the queues (back-pressure within a big block). */
export const maxBatchRows = 10_000;

/** How many line errors a response body lists. */
export const maxReportedErrors = 10;

const counters = new Map<string, Counter>();
function counter(series: string): Counter {
  let c = counters.get(series);
  if (!c) counters.set(series, (c = defaultRegistry.counter(series)));
  return c;
}

/** Counts one request as vmagent_http_requests_total{path,protocol}. */
export function countRequest(path: string, protocol: string): void {
  counter(`vmagent_http_requests_total{path="${escapeLabelValue(path)}",protocol="${protocol}"}`).inc();
}

/** Collects the bad lines of one request: counted, logged (throttled) and the first few reported back. */
export class LineErrors {
  readonly type: string;
  readonly first: string[] = [];
  count = 0;
  readonly #invalid: Counter;
  readonly #logKind: string;
  constructor(type: string) {
    this.type = type;
    this.#invalid = counter(`vm_rows_invalid_total{type="${type}"}`);
    this.#logKind = `invalid ${type}`;
  }
  /** Records one bad line (1-based line number, the line, the reason). */
  readonly add = (lineNum: number, line: string, msg: string): void => {
    this.count++;
    this.#invalid.inc();
    const report = this.first.length < maxReportedErrors;
    const logIt = mayLogLine(this.#logKind);
    if (!report && !logIt) return;
    const shown = line.length > 200 ? line.slice(0, 200) + '...' : line;
    const text = `line ${lineNum}: cannot parse ${JSON.stringify(shown)}: ${msg}`;
    if (report) this.first.push(text);
    if (logIt) lineLog.warn(`skipping invalid ${this.type} line: ${text}`);
  };
  /** The response body text, or '' when every line was good. */
  report(): string {
    if (this.count === 0) return '';
    return `skipped ${this.count} invalid ${this.type} line(s); first errors:\n${this.first.join('\n')}\n`;
  }
}

/** A label limit a series broke: the counter of its reason and the message to log. */
export interface LimitBreak {
  readonly counter: Counter;
  readonly message: string;
}

/** Checks -maxLabelsPerTimeseries/-maxLabelNameLen/-maxLabelValueLen. */
export class LabelLimits {
  readonly #maxLabels: number;
  readonly #maxName: number;
  readonly #maxValue: number;
  readonly #tooMany = counter('vm_rows_ignored_total{reason="too_many_labels"}');
  readonly #longName = counter('vm_rows_ignored_total{reason="too_long_label_name"}');
  readonly #longValue = counter('vm_rows_ignored_total{reason="too_long_label_value"}');
  constructor(cfg: IngestConfig) {
    this.#maxLabels = cfg.maxLabelsPerTimeseries;
    this.#maxName = cfg.maxLabelNameLen;
    this.#maxValue = cfg.maxLabelValueLen;
  }
  /** Returns undefined when the labels are within the limits, else the limit broken (not yet counted). */
  check(labels: Label[]): LimitBreak | undefined {
    if (labels.length > this.#maxLabels) {
      return {
        counter: this.#tooMany,
        message: `too many labels: ${labels.length}; mustn't exceed -maxLabelsPerTimeseries=${this.#maxLabels}`,
      };
    }
    for (const l of labels) {
      if (l.name.length > this.#maxName) {
        return {
          counter: this.#longName,
          message: `too long label name ${JSON.stringify(l.name.slice(0, 64))}; mustn't exceed -maxLabelNameLen=${this.#maxName}`,
        };
      }
      if (l.value.length > this.#maxValue) {
        return {
          counter: this.#longValue,
          message: `too long value for label ${JSON.stringify(l.name)}; mustn't exceed -maxLabelValueLen=${this.#maxValue}`,
        };
      }
    }
    return undefined;
  }
}

/** Appends extra labels to labels, replacing same-named ones (extra_label overrides, as in vmagent). */
export function addExtraLabels(labels: Label[], extra: Label[]): Label[] {
  if (extra.length === 0) return labels;
  const out = labels.filter((l) => !extra.some((e) => e.name === l.name));
  for (const e of extra) out.push(e);
  return out;
}

/** The query of a request URL (the path is matched by the router, not here). */
export function requestQuery(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
}

/** Parses the extra_label query args; a malformed one is a 400. */
export function requestExtraLabels(req: IncomingMessage): Label[] {
  try {
    return parseExtraLabels(requestQuery(req));
  } catch (err) {
    throw new RequestError(400, (err as Error).message);
  }
}

/** The error answered when the sink refuses data (full queues). */
export function queueFullError(): RequestError {
  return new RequestError(
    429,
    'remote storage queues are full; retry later (the remote write queues cannot accept more data; see -remoteWrite.disableOnDiskQueue)',
  );
}

/**
 * A pushed series as the handlers cache it: its route, or the label limit it broke (then route is
 * undefined and every sample of it is counted as ignored).
 */
export interface CachedRoute {
  readonly route: PushRoute | undefined;
  readonly limit: LimitBreak | undefined;
  /** Its id in the WebAssembly output (lib/wasm/rows.ts) in generation wasmGen (0: none yet, -1: never). */
  wasmId: number;
  wasmGen: number;
  /** Whether the output writes its rows (else they go to the sink's pushSample). */
  wasmOut: boolean;
}

/** A CachedRoute not registered with the WebAssembly output yet. */
export function cachedRoute(route: PushRoute | undefined, limit: LimitBreak | undefined): CachedRoute {
  return { route, limit, wasmId: 0, wasmGen: 0, wasmOut: false };
}

/**
 * Delivers the rows of one request or connection to the sink, block by block: `begin()` before each
 * block (throws the 429 RequestError when the queues refuse data, so nothing of that block is taken),
 * then `resolve()` once per new series (label limits, then the sink's route) and `sample()` per row,
 * then `end()`, which counts the block's rows in vmagent_rows_inserted_total{type}. Handlers keep the
 * CachedRoute of each series in a RouteCache, so steady pushers skip resolve().
 *
 * With `wasm` and a sink that offers it (wasmRouteParts), rows of cached routes are collected in the
 * WebAssembly output's batch (lib/wasm/rows.ts) and written to the remote-write buffers there, a batch
 * at a time, instead of one pushSample call each.
 */
export class RowPusher implements BatchOwner<CachedRoute> {
  readonly type: string;
  readonly errors: LineErrors;
  readonly #sink: IngestSink;
  readonly #limits: LabelLimits;
  readonly #inserted: Counter;
  readonly #ignoredKind: string;
  readonly #out: WasmRows | undefined;
  // Whether this block's rows may go to the output's batch (the sink offers it and it is not paused).
  #batch = false;
  #rows = 0;
  #untilCheck = maxBatchRows;
  #fastSink: FastSink<CachedRoute> | undefined;
  constructor(
    type: string,
    sink: IngestSink,
    limits: LabelLimits,
    errors: LineErrors,
    opts: { wasm?: boolean } = {},
  ) {
    this.type = type;
    this.#sink = sink;
    this.#limits = limits;
    this.errors = errors;
    this.#inserted = counter(`vmagent_rows_inserted_total{type="${type}"}`);
    this.#ignoredKind = `ignored ${type}`;
    this.#out = opts.wasm ? wasmRows() : undefined;
  }

  /** Starts a block; throws the 429 RequestError when the sink refuses pushed data. */
  begin(): void {
    this.#untilCheck = maxBatchRows;
    if (!this.#sink.acceptsPush()) throw queueFullError();
    this.#batch = this.#out !== undefined && this.#sink.wasmRouteParts !== undefined && this.#out.active;
  }

  /** The cold path: checks the label limits and asks the sink for the route. */
  resolve(labels: Label[]): CachedRoute {
    const limit = this.#limits.check(labels);
    if (limit) return cachedRoute(undefined, limit);
    return cachedRoute(this.#sink.pushRoute(labels), undefined);
  }

  /**
   * The hot path: one row of a resolved series. Every maxBatchRows rows it asks the queues again and
   * throws the 429 RequestError when they refuse more (the rows before stay taken).
   */
  sample(r: CachedRoute, value: number, timestampMs: number): void {
    if (!this.#take(r)) return;
    if (this.#batch && r.wasmGen >= 0) {
      const out = this.#out!;
      if (r.wasmGen !== out.generation) this.#register(r, out);
      if (r.wasmOut && r.wasmGen === out.generation) {
        out.push(this, r.wasmId, r, value, timestampMs);
        return;
      }
    }
    this.#sink.pushSample(r.route!, value, timestampMs);
  }

  /** As sample(), but never through the output's batch: for the rows an output hands back. */
  sampleDirect(r: CachedRoute, value: number, timestampMs: number): void {
    if (this.#take(r)) this.#sink.pushSample(r.route!, value, timestampMs);
  }

  // Counts a row of r: false when r broke a label limit (the row is ignored and counted as such);
  // every maxBatchRows rows asks the queues again (see #recheck).
  #take(r: CachedRoute): boolean {
    if (r.route === undefined) {
      this.#ignore(r.limit!);
      return false;
    }
    this.#rows++;
    if (--this.#untilCheck === 0) this.#recheck(1);
    return true;
  }

  /**
   * The WebAssembly output's id of r in its current generation (registered now if need be), for a fast
   * path's table; -1 when it cannot be registered (r.wasmGen is -1, or the output paused).
   */
  wasmRouteId(r: CachedRoute): number {
    const out = this.#out ?? wasmRows();
    if (r.wasmGen < 0) return -1;
    if (r.wasmGen !== out.generation) this.#register(r, out);
    return r.wasmGen === out.generation ? r.wasmId : -1;
  }

  // Registers r with the output: written there when the sink describes where its rows go.
  #register(r: CachedRoute, out: WasmRows): void {
    const parts = r.route === undefined ? undefined : this.#sink.wasmRouteParts?.(r.route);
    const writes = parts !== undefined && out.fits(parts);
    let id = out.addRoute(r, writes ? parts : undefined);
    if (id < 0) {
      out.reset();
      if (!out.active) {
        this.#batch = false;
        return;
      }
      id = out.addRoute(r, writes ? parts : undefined);
      if (id < 0) return;
    }
    r.wasmId = id;
    r.wasmGen = out.generation;
    r.wasmOut = writes;
  }

  /** A row the output hands back: written by the sink. */
  jsRow(r: CachedRoute, value: number, timestampMs: number): void {
    this.#sink.pushSample(r.route!, value, timestampMs);
  }

  /** Counts n rows the output wrote from the batch (sample() counted them as taken). */
  written(n: number): void {
    this.#sink.wasmRowsPushed?.(n);
  }

  /** Where a WebAssembly line scanner's rows for this pusher go (lib/wasm/lines.ts). */
  get fastSink(): FastSink<CachedRoute> {
    return (this.#fastSink ??= {
      routeId: (r) => this.wasmRouteId(r),
      row: (r, value, ts) => this.sampleDirect(r, value, ts),
      written: (n) => {
        this.#sink.wasmRowsPushed?.(n);
        this.taken(n);
      },
    });
  }

  /**
   * Counts n rows a WebAssembly output wrote for routes of this pusher's sink (they are taken); every
   * maxBatchRows rows it asks the queues again as sample() does.
   */
  taken(n: number): void {
    this.#rows += n;
    this.#untilCheck -= n;
    if (this.#untilCheck <= 0) this.#recheck(0);
  }

  /** Ends a block: writes the output's batch, counts the block's rows as inserted. */
  end(): void {
    this.#out?.flush();
    this.#inserted.add(this.#rows);
    this.#rows = 0;
  }

  // Asks the queues again; when they refuse, ends the block without the `untaken` rows counted last
  // and throws the 429 RequestError.
  #recheck(untaken: number): void {
    this.#untilCheck = maxBatchRows;
    if (this.#sink.acceptsPush()) return;
    this.#rows -= untaken;
    this.end();
    throw queueFullError();
  }

  #ignore(limit: LimitBreak): void {
    limit.counter.inc();
    if (mayLogLine(this.#ignoredKind)) lineLog.warn(`ignoring ${this.type} series: ${limit.message}`);
  }
}

/**
 * Pushes whole decoded series without caching their routes (the protocols whose series arrive already
 * decoded, e.g. OTLP and OpenTSDB's JSON). Call begin() before a batch and end() after it.
 */
export class SeriesPusher extends RowPusher {
  /** Pushes one series; returns false when it broke a label limit (already counted). */
  add(ts: TimeSeries): boolean {
    const r = this.resolve(ts.labels);
    r.wasmGen = -1; // not cached: registering it with the WebAssembly output would not pay
    for (const s of ts.samples) this.sample(r, s.value, s.timestampMs);
    return r.route !== undefined;
  }
}

/** Answers a failed request: RequestError keeps its status, anything else is a 400 (vmagent's default). */
export function respondError(res: ServerResponse, err: unknown, path: string): void {
  const status = err instanceof RequestError ? err.statusCode : 400;
  const msg = `cannot handle ${path}: ${(err as Error).message}`;
  if (status !== 429) log.warn(msg);
  counter(`vmagent_http_request_errors_total{path="${escapeLabelValue(path)}"}`).inc();
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
  if (!res.req.readableEnded) headers.Connection = 'close';
  res.writeHead(status, headers);
  res.end(msg + '\n');
}

/** Answers success: `okStatus` with no body (as vmagent), or 200 listing the skipped lines. */
export function respondOk(res: ServerResponse, errors: LineErrors, okStatus = 204): void {
  const body = errors.report();
  if (body === '') {
    res.writeHead(okStatus);
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(body);
}

/** How long a client that was refused may keep uploading before its connection is cut. */
const drainTimeoutMs = 5_000;

/**
 * Discards the rest of a refused request body so the client can read the answer, then cuts the
 * connection if the client keeps sending for longer than a few seconds (a never-ending body).
 */
export function drain(req: IncomingMessage): void {
  if (req.readableEnded) return;
  // A decompressor the body was piped into is gone or stopped: without unpipe, its back-pressure (or its
  // later 'close') would pause the request again.
  req.unpipe();
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), drainTimeoutMs);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
}

/** "Now" and the timestamp trim of a line block, as the time-stamped line parsers take them. */
export interface LineTimeOptions {
  nowMs: number;
  trimMs?: number;
}

/**
 * The `bytes` hook of a line stream handler with a keyed WebAssembly scanner (graphite, OpenTSDB): each
 * block goes to the scanner (rows of known series to pusher's output) with "now" read once; the lines it
 * hands over are scanned by scanLines and go to line() with the registrar of their key, which line() calls
 * with the route it resolved. Returns false (scan the block as usual) while the output is paused.
 */
export function keyedBytesHook<L>(o: {
  fast: KeyedLineScanner;
  pusher: RowPusher;
  trimMs: number;
  /** The context number of the current block's series cache. */
  ctx: () => number;
  chunkScan: (ctx: number, opts: LineTimeOptions) => ChunkScan;
  scanLines: (
    text: string,
    opts: LineTimeOptions,
    onLine: (l: L) => void,
    onError: (n: number, line: string, msg: string) => void,
  ) => void;
  line: (l: L, register: KeyRegister<CachedRoute> | undefined) => void;
}): (block: Buffer, firstLineNum: number) => number | false {
  const { fast, pusher, trimMs } = o;
  return (block, firstLineNum) => {
    if (!fast.active) return false;
    const opts = { nowMs: Date.now(), trimMs };
    const ctx = o.ctx();
    return fast.scan(
      block,
      firstLineNum,
      ctx,
      o.chunkScan(ctx, opts),
      pusher.fastSink,
      (bytes, lineNum, reg) =>
        o.scanLines(
          decodeText(bytes),
          opts,
          (l) => o.line(l, reg),
          (_n, text, msg) => pusher.errors.add(lineNum, text, msg),
        ),
    );
  };
}
