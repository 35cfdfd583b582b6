// InfluxDB line protocol over HTTP (/write, /influx/write, /api/v2/write, /influx/api/v2/write) and over
// TCP/UDP (-influxListenAddr), plus the /ping, /influx/health and /influx/query answers Telegraf expects.
// Naming follows app/vmagent/influx/request_handler.go: `{measurement}{sep}{field}` with tags as labels,
// the `db` query arg as -influxDBLabel unless a tag of that name exists, then extra_label args.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Label } from '../../../lib/prompb/types.js';
import { parseInfluxSeries } from '../../../lib/protoparser/influx/parser.js';
import type { InfluxLine } from '../../../lib/protoparser/influx/parser.js';
import { parseInfluxStream } from '../../../lib/protoparser/influx/stream.js';
import type { IngestConfig } from './flags.js';
import type { CachedRoute, IngestHandler, IngestSink } from './common.js';
import { RouteCache, detachString } from './route-cache.js';
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

// What one influx series text resolved to: its common labels (tags, db, extra labels), its metric name
// prefix, and the CachedRoute of each field seen so far by raw key (a line with a single field gets its
// own entry when -influxSkipSingleField names it without the field key).
interface SeriesEntry {
  /** The metric name of a field skipped by -influxSkipSingleField: the measurement, '' when skipped. */
  readonly bare: string;
  /** `{bare}{sep}`, or '' when bare is ''. */
  readonly prefix: string;
  readonly measurementEmpty: boolean;
  readonly common: Label[];
  readonly keys: string[];
  readonly single: boolean[];
  readonly routes: CachedRoute[];
}

// Fields cached per series; more (a series text with ever new field keys) are resolved without caching.
const maxFieldsPerSeries = 64;

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
  readonly #caches = new WeakMap<IngestSink, RouteCache<SeriesEntry>>();
  constructor(cfg: IngestConfig) {
    this.#cfg = cfg;
    this.#limits = new LabelLimits(cfg);
  }

  async handle(
    src: Readable | Iterable<Buffer>,
    sink: IngestSink,
    opts: { encoding?: string; streamMode: boolean; precision?: string; db: string; extra: Label[] },
    errors: LineErrors,
  ): Promise<void> {
    const cfg = this.#cfg;
    let cache = this.#caches.get(sink);
    if (!cache) this.#caches.set(sink, (cache = new RouteCache(sink, cfg.routeCacheSize)));
    const pusher = new RowPusher('influx', sink, this.#limits, errors);
    const ctx = opts.db === '' && opts.extra.length === 0 ? '' : JSON.stringify([opts.db, opts.extra]);
    const skipSingleField = cfg.influxSkipSingleField;
    let map: Map<string, SeriesEntry> | undefined;
    const resolveField = (e: SeriesEntry, l: InfluxLine, i: number, single: boolean): CachedRoute => {
      const skipKey = single && !e.measurementEmpty;
      const n = e.common.length;
      const labels = new Array<Label>(n + 1);
      labels[0] = { name: '__name__', value: skipKey ? e.bare : e.prefix + l.fieldKey(i) };
      for (let j = 0; j < n; j++) labels[j + 1] = e.common[j]!;
      const r = pusher.resolve(labels);
      if (e.keys.length < maxFieldsPerSeries) {
        const raw = detachString(l.rawFieldKey(i));
        e.keys.push(raw);
        e.single.push(single);
        e.routes.push(r);
        cache.charge(2 * raw.length + 48);
      }
      return r;
    };
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
        },
        line: (l) => {
          const text = l.series();
          let e = map!.get(text);
          if (e === undefined) {
            e = this.#newSeries(text, opts.db, opts.extra);
            cache.add(map!, text, e, 2 * (e.prefix.length + text.length));
          }
          const single = skipSingleField && l.fieldCount === 1;
          const ts = l.timestampMs;
          for (let i = 0; i < l.fieldCount; i++) {
            let r: CachedRoute | undefined;
            const keys = e.keys;
            for (let k = 0; k < keys.length; k++) {
              if (e.single[k] === single && l.fieldKeyIs(i, keys[k]!)) {
                r = e.routes[k]!;
                break;
              }
            }
            pusher.sample(r ?? resolveField(e, l, i, single), l.values[i]!, ts);
          }
        },
        end: () => pusher.end(),
      },
      errors.add,
    );
  }

  // The cold path of a new series text: parse the measurement and tags (throws LineError), add db and
  // extra labels.
  #newSeries(text: string, db: string, extra: Label[]): SeriesEntry {
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
    return {
      bare,
      prefix,
      measurementEmpty: measurement.length === 0,
      common,
      keys: [],
      single: [],
      routes: [],
    };
  }
}

/** Returns the reader of one TCP connection or UDP datagram (no db); rejects with 429 on back-pressure. */
export function makeInfluxStreamHandler(
  cfg: IngestConfig,
  sink: IngestSink,
): (chunks: Readable | Iterable<Buffer>) => Promise<void> {
  const ingester = new InfluxIngester(cfg);
  return (chunks) =>
    ingester.handle(chunks, sink, { streamMode: true, db: '', extra: [] }, new LineErrors('influx'));
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
