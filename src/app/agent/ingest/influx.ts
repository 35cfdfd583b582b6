// InfluxDB line protocol over HTTP (/write, /influx/write, /api/v2/write, /influx/api/v2/write) and over
// TCP/UDP (-influxListenAddr), plus the /ping, /influx/health and /influx/query answers Telegraf expects.
// Naming follows app/vmagent/influx/request_handler.go: `{measurement}{sep}{field}` with tags as labels,
// the `db` query arg as -influxDBLabel unless a tag of that name exists, then extra_label args.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Label } from '../../../lib/prompb/types.js';
import { InfluxFastPath } from '../../../lib/protoparser/influx/fast.js';
import type { InfluxRegister } from '../../../lib/protoparser/influx/fast.js';
import { parseInfluxSeries, scanInfluxLines } from '../../../lib/protoparser/influx/parser.js';
import type { InfluxLine } from '../../../lib/protoparser/influx/parser.js';
import { parseInfluxStream } from '../../../lib/protoparser/influx/stream.js';
import { decodeText } from '../../../lib/protoparser/protoparserutil/body.js';
import type { IngestConfig } from './flags.js';
import type { CachedRoute, IngestHandler, IngestSink } from './common.js';
import { SinkRouteCaches, detachString } from './route-cache.js';
import {
  LabelLimits,
  LineErrors,
  RowPusher,
  addExtraLabels,
  countRequest,
  drain,
  requestExtraLabels,
  requestQuery,
  respondError,
  respondOk,
} from './common.js';

// One field of a cached series: its raw key as written (shared between series), whether it was alone on
// its line (-influxSkipSingleField names those without the field key), and what it resolved to.
interface FieldRoute extends CachedRoute {
  readonly raw: string;
  readonly single: boolean;
}

// What one influx series text resolved to so far: a route per field seen. Kept small (measured ~0.5 KiB
// per two-field series with the agent's routes): the labels are parsed again from `key` when a new field
// shows up, which is rare.
interface SeriesEntry {
  readonly key: string;
  fields: readonly FieldRoute[];
}

// The labels of a series text, parsed on a cache miss and dropped after the line.
interface SeriesLabels {
  /** The metric name of a field skipped by -influxSkipSingleField: the measurement, '' when skipped. */
  bare: string;
  /** `{bare}{sep}`, or '' when bare is ''. */
  prefix: string;
  measurementEmpty: boolean;
  /** Tags, db and extra labels. */
  common: Label[];
}

// Fields cached per series; more (a series text with ever new field keys) are resolved without caching.
const maxFieldsPerSeries = 64;
// Distinct field keys shared between series; beyond it each series keeps its own copy.
const maxSharedFieldKeys = 10_000;

// The WebAssembly fast path, one per process (its table holds the routes of all handlers, each series
// cache being its own context), made on first use.
let fastPath: InfluxFastPath<CachedRoute> | undefined;

/**
 * The influx handler state shared by all requests of one handler: the config and the route cache.
 * handle() turns one stream (a request body, a TCP connection, a UDP datagram) into rows for the sink,
 * naming series exactly as vmagent (app/vmagent/influx/request_handler.go): `{measurement}{sep}{field}`
 * with tags as labels, the `db` query arg as -influxDBLabel unless a tag of that name exists, then the
 * extra_label args.
 */
class InfluxIngester {
  readonly #cfg: IngestConfig;
  readonly #limits: LabelLimits;
  readonly #caches: SinkRouteCaches<SeriesEntry>;
  readonly #fieldKeys = new Map<string, string>();
  constructor(cfg: IngestConfig) {
    this.#cfg = cfg;
    this.#limits = new LabelLimits(cfg);
    this.#caches = new SinkRouteCaches(cfg.routeCacheSize);
  }

  async handle(
    src: Readable | Iterable<Buffer>,
    sink: IngestSink,
    opts: { encoding?: string; streamMode: boolean; precision?: string; db: string; extra: Label[] },
    errors: LineErrors,
  ): Promise<void> {
    const cfg = this.#cfg;
    const cache = this.#caches.for(sink);
    const pusher = new RowPusher('influx', sink, this.#limits, errors, { wasm: cfg.wasmFastPath });
    const ctx = opts.db === '' && opts.extra.length === 0 ? '' : JSON.stringify([opts.db, opts.extra]);
    const skipSingleField = cfg.influxSkipSingleField;
    let map: Map<string, SeriesEntry> | undefined;
    // The cold path of a field not seen on this series (parsed: the series' labels when this line
    // parsed them already).
    const resolveField = (
      e: SeriesEntry,
      l: InfluxLine,
      i: number,
      single: boolean,
      parsed: SeriesLabels | undefined,
    ): CachedRoute => {
      const p = parsed ?? this.#parseSeries(e.key, opts.db, opts.extra);
      const skipKey = single && !p.measurementEmpty;
      const labels: Label[] = [{ name: '__name__', value: skipKey ? p.bare : p.prefix + l.fieldKey(i) }];
      for (const c of p.common) labels.push(c);
      const r = pusher.resolve(labels);
      if (e.fields.length >= maxFieldsPerSeries) return r;
      const f: FieldRoute = {
        route: r.route,
        limit: r.limit,
        wasmId: r.wasmId,
        wasmGen: r.wasmGen,
        wasmOut: r.wasmOut,
        raw: this.#sharedFieldKey(l.rawFieldKey(i)),
        single,
      };
      e.fields = [...e.fields, f];
      cache.charge(fieldBytes);
      return f;
    };
    // The line handler of the JavaScript path. `register` is set while it takes a line the fast path
    // handed over: the series and fields it resolved are registered there.
    let register: InfluxRegister<CachedRoute> | undefined;
    const line = (l: InfluxLine): void => {
      const text = l.series();
      let e = map!.get(text);
      let parsed: SeriesLabels | undefined;
      if (e === undefined) {
        // Parse first: a series text with bad tags is the line's error and is not cached.
        parsed = this.#parseSeries(text, opts.db, opts.extra);
        const entry: { key: string; fields: FieldRoute[] } = { key: '', fields: [] };
        entry.key = cache.add(map!, text, entry, seriesBytes);
        e = entry;
      }
      const single = skipSingleField && l.fieldCount === 1;
      const ts = l.timestampMs;
      for (let i = 0; i < l.fieldCount; i++) {
        let r: FieldRoute | undefined;
        const fields = e.fields;
        for (let k = 0; k < fields.length; k++) {
          const f = fields[k]!;
          if (f.single === single && l.fieldKeyIs(i, f.raw)) {
            r = f;
            break;
          }
        }
        if (r === undefined) {
          const before = e.fields.length;
          pusher.sample(resolveField(e, l, i, single, parsed), l.values[i]!, ts);
          // Only what the series cache kept is registered (a series with too many fields keeps some).
          const kept = e.fields[before];
          if (register && kept) register(l.seriesEnd, l.keyStart[i]!, l.keyEnd[i]!, single, kept);
          continue;
        }
        pusher.sample(r, l.values[i]!, ts);
        register?.(l.seriesEnd, l.keyStart[i]!, l.keyEnd[i]!, single, r);
      }
    };
    const fast = cfg.wasmFastPath ? (fastPath ??= new InfluxFastPath()) : undefined;
    let ctxId = 0;
    await parseInfluxStream(
      src,
      {
        encoding: opts.encoding,
        streamMode: opts.streamMode,
        maxRequestSize: cfg.influxMaxRequestSize,
        maxLineSize: cfg.influxMaxLineSize,
        precision: opts.precision,
        trimMs: cfg.influxTrimTimestampMs,
      },
      {
        begin: () => {
          pusher.begin();
          map = cache.context(ctx);
          if (fast) ctxId = fast.context(map, cache.generation);
        },
        line,
        end: () => pusher.end(),
        bytes:
          fast &&
          ((block, firstLineNum) => {
            const scanOpts = {
              precision: opts.precision,
              nowMs: Date.now(),
              trimMs: cfg.influxTrimTimestampMs,
            };
            if (!fast.active) return false;
            return fast.scan(
              block,
              firstLineNum,
              ctxId,
              { ...scanOpts, skipSingleField },
              pusher.fastSink,
              (bytes, lineNum, reg) => {
                register = reg;
                try {
                  scanInfluxLines(decodeText(bytes), scanOpts, line, (_n, text, msg) =>
                    errors.add(lineNum, text, msg),
                  );
                } finally {
                  register = undefined;
                }
              },
            );
          }),
      },
      errors.add,
    );
  }

  // One string per distinct raw field key, shared by the series that have it.
  #sharedFieldKey(raw: string): string {
    let k = this.#fieldKeys.get(raw);
    if (k === undefined) {
      k = detachString(raw);
      if (this.#fieldKeys.size < maxSharedFieldKeys) this.#fieldKeys.set(k, k);
    }
    return k;
  }

  // Parses a series text into its labels (throws LineError): the measurement and tags, then db and
  // extra labels. Strings are copied so they keep no request body alive.
  #parseSeries(text: string, db: string, extra: Label[]): SeriesLabels {
    const cfg = this.#cfg;
    const { measurement, tags } = parseInfluxSeries(text);
    let common: Label[] = new Array<Label>(tags.length);
    let hasDB = false;
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i]!;
      if (t.key === cfg.influxDBLabel) hasDB = true;
      common[i] = { name: t.key, value: t.value };
    }
    if (db.length > 0 && !hasDB) common.push({ name: cfg.influxDBLabel, value: db });
    if (extra.length > 0) common = addExtraLabels(common, extra);
    const bare = cfg.influxSkipMeasurement ? '' : measurement;
    const prefix = bare.length > 0 ? bare + cfg.influxMeasurementFieldSeparator : '';
    return { bare, prefix, measurementEmpty: measurement.length === 0, common };
  }
}

// Estimated bytes of a cached series beyond its key, and of each cached field (route included), for the
// -ingest.routeCacheSize budget; route-cache.test.ts checks them against the heap.
const seriesBytes = 120;
const fieldBytes = 500;

/**
 * Returns the reader of one TCP connection or UDP datagram (no db); rejects with 429 on back-pressure.
 * `request` sets what an HTTP request's query args would (precision, db, extra labels): tests use it.
 */
export function makeInfluxStreamHandler(
  cfg: IngestConfig,
  sink: IngestSink,
  request: { precision?: string; db?: string; extra?: Label[] } = {},
): (chunks: Readable | Iterable<Buffer>, errors?: LineErrors) => Promise<void> {
  const ingester = new InfluxIngester(cfg);
  return (chunks, errors = new LineErrors('influx')) =>
    ingester.handle(
      chunks,
      sink,
      { streamMode: true, db: request.db ?? '', extra: request.extra ?? [], precision: request.precision },
      errors,
    );
}

/** Rows the WebAssembly fast path took so far (tests). */
export function influxFastPathRows(): number {
  return fastPath?.rowsTaken ?? 0;
}

/** The handler of the four influx write paths. `Stream-Mode: 1` streams lines bounded by -influx.maxLineSize. */
export function makeInfluxWriteHandler(cfg: IngestConfig): IngestHandler {
  const ingester = new InfluxIngester(cfg);
  return async (req, res, sink) => {
    const path = (req.url ?? '/').split('?')[0]!;
    countRequest(path, 'influx');
    try {
      const extra = requestExtraLabels(req);
      const q = requestQuery(req);
      const errors = new LineErrors('influx');
      await ingester.handle(
        req,
        sink,
        {
          encoding: req.headers['content-encoding'],
          streamMode: req.headers['stream-mode'] === '1',
          precision: q.get('precision') ?? '',
          db: q.get('db') ?? '',
          extra,
        },
        errors,
      );
      respondOk(res, errors);
    } catch (err) {
      drain(req);
      respondError(res, err, path);
    }
  };
}

/** /ping and /influx/ping: 204 with the headers InfluxDB clients look for. */
export function handleInfluxPing(req: IncomingMessage, res: ServerResponse): void {
  countRequest((req.url ?? '/').split('?')[0]!, 'influx');
  res.writeHead(204, { 'X-Influxdb-Version': '1.8.0', 'X-Influxdb-Build': 'lookout' });
  res.end();
}

/** /influx/health: the InfluxDB 2.x health document. */
export function handleInfluxHealth(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end('{"name":"influxdb", "message":"ready for queries and writes", "status":"pass", "checks":[]}');
}

/** /query and /influx/query: the fake database list vmagent answers (-influx.databaseNames). */
export function makeInfluxQueryHandler(
  cfg: IngestConfig,
): (req: IncomingMessage, res: ServerResponse) => void {
  const names = cfg.influxDatabaseNames.length > 0 ? cfg.influxDatabaseNames : ['_internal'];
  const body = `{"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"],"values":[${names
    .map((n) => `[${JSON.stringify(n)}]`)
    .join(',')}]}]}]}`;
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  };
}
