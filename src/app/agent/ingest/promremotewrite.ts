// Prometheus remote write (/api/v1/write): a snappy (or zstd) compressed WriteRequest, bounded by
// -maxInsertRequestSize before and after decompression, as app/vmagent/promremotewrite.
//
// The request is scanned, not decoded: each series is looked up in the route cache by the raw bytes of its
// label fields (a hash, then a compare), and its labels are decoded only when the series is new
// (route-cache.ts). With -ingest.wasmFastPath, the WebAssembly scanner (lib/wasm/remotewrite.ts) does the
// scan and the lookup by the same bytes, and its rows are written without a JavaScript call each.
import type { Label } from '../../../lib/prompb/types.js';
import { decodeWriteRequest } from '../../../lib/prompb/decode.js';
import {
  WriteRequestScan,
  decodeLabelFields,
  labelsHash,
  labelsKey,
  labelsMatch,
} from '../../../lib/prompb/scan.js';
import type { LabelsKey } from '../../../lib/prompb/scan.js';
import {
  RequestError,
  decodeSnappyBlock,
  readBody,
  readSnappyBlock,
} from '../../../lib/protoparser/protoparserutil/body.js';
import { RemoteWriteFastPath } from '../../../lib/wasm/remotewrite.js';
import type { ScannedSeries } from '../../../lib/wasm/remotewrite.js';
import type { IngestConfig } from './flags.js';
import type { CachedRoute, IngestHandler, IngestSink } from './common.js';
import { SinkRouteCaches } from './route-cache.js';
import type { RouteCache } from './route-cache.js';
import {
  LabelLimits,
  LineErrors,
  RowPusher,
  addExtraLabels,
  countRequest,
  drain,
  requestExtraLabels,
  respondError,
  respondOk,
} from './common.js';

// A cached series: its label bytes (a hash hit is checked against them) and its route.
interface Entry {
  readonly key: LabelsKey;
  readonly route: CachedRoute;
}

// What an entry holds beyond the cache's own per-entry estimate: the key's typed array, besides its bytes.
const entryExtraBytes = 120;

// The view #pushFast holds until a request has a new series (then one over the request's bytes).
const noView: DataView = new DataView(new ArrayBuffer(0));

// Routes array entries kept between requests (a bigger request's array is let go after it).
const keptRoutes = 4096;

// The error of a malformed request. The scan checks the inside of label fields only for new series, so
// for the message the full decoder is run: it names the first problem in byte order, as before the scan.
function malformed(body: Uint8Array, err: unknown): RequestError {
  try {
    decodeWriteRequest(body);
  } catch (first) {
    err = first;
  }
  return new RequestError(400, `cannot unmarshal WriteRequest: ${(err as Error).message}`);
}

// The WebAssembly fast path, one per process (its table is the line scanners', each series cache being
// its own context), made on first use.
let fastPath: RemoteWriteFastPath | undefined;

/**
 * The remote-write handler state shared by its requests: the config, the route cache per sink, and one
 * WriteRequestScan with its routes array (a request is scanned and pushed without an await in between,
 * so requests never share them at the same time).
 */
class RemoteWriteIngester {
  readonly #cfg: IngestConfig;
  readonly #limits: LabelLimits;
  readonly #caches: SinkRouteCaches<Entry, number>;
  readonly #scan = new WriteRequestScan();
  readonly #routes: CachedRoute[] = [];
  readonly #fast: RemoteWriteFastPath | undefined;
  constructor(cfg: IngestConfig) {
    this.#cfg = cfg;
    this.#limits = new LabelLimits(cfg);
    this.#caches = new SinkRouteCaches(cfg.routeCacheSize);
    this.#fast = cfg.wasmFastPath ? (fastPath ??= new RemoteWriteFastPath()) : undefined;
  }

  /** Pushes one decompressed WriteRequest; throws RequestError (400 malformed, 429 queues full). */
  push(body: Uint8Array, sink: IngestSink, extra: Label[], errors: LineErrors): void {
    const cache = this.#caches.for(sink);
    const fast = this.#fast;
    if (fast !== undefined) {
      const map = cache.context(extra.length === 0 ? '' : JSON.stringify(extra));
      const scanned = fast.scan(body, fast.context(map, cache.generation));
      if (scanned !== undefined && this.#pushFast(fast, scanned, () => body, cache, map, sink, extra, errors))
        return;
    }
    this.#pushJS(body, cache, sink, extra, errors);
  }

  /**
   * Pushes one snappy-compressed WriteRequest (read by readSnappyBlock), decoded in WebAssembly memory and
   * scanned there when it can be, else as push() after the snappy package decoded it (which gives the
   * error of a malformed block).
   */
  pushSnappy(compressed: Buffer, sink: IngestSink, extra: Label[], errors: LineErrors): void {
    const fast = this.#fast;
    const n = fast === undefined ? -1 : fast.decodeSnappy(compressed);
    if (n < 0) {
      this.push(decodeSnappyBlock(compressed), sink, extra, errors);
      return;
    }
    const cache = this.#caches.for(sink);
    const map = cache.context(extra.length === 0 ? '' : JSON.stringify(extra));
    // The JavaScript side reads the request only for new series, from a copy made then.
    let body: Buffer | undefined;
    const request = (): Buffer => (body ??= fast!.decoded(n));
    const scanned = fast!.scanDecoded(n, fast!.context(map, cache.generation));
    if (scanned !== undefined && this.#pushFast(fast!, scanned, request, cache, map, sink, extra, errors))
      return;
    this.#pushJS(request(), cache, sink, extra, errors);
  }

  // The JavaScript scanner's way.
  #pushJS(
    body: Uint8Array,
    cache: RouteCache<Entry, number>,
    sink: IngestSink,
    extra: Label[],
    errors: LineErrors,
  ): void {
    const scan = this.#scan;
    const routes = this.#routes;
    try {
      try {
        scan.scan(body);
      } catch (err) {
        throw malformed(body, err);
      }
      const pusher = new RowPusher('promremotewrite', sink, this.#limits, errors, {
        wasm: this.#cfg.wasmFastPath,
      });
      pusher.begin();
      const map = cache.context(extra.length === 0 ? '' : JSON.stringify(extra));
      // Every series is resolved before any row is pushed: a malformed label found on the way rejects the
      // whole request, as the full decoder did.
      const n = scan.seriesCount;
      for (let i = 0; i < n; i++) {
        const h = scan.labelsHash(i);
        const e = map.get(h);
        if (e !== undefined && scan.labelsMatch(i, e.key)) {
          routes[i] = e.route;
          continue;
        }
        let labels: Label[];
        try {
          labels = scan.labels(i);
        } catch (err) {
          throw malformed(body, err);
        }
        const r = pusher.resolve(addExtraLabels(labels, extra));
        // A series whose hash another one holds (rare: 30 bits) is resolved anew each time, uncached.
        if (e === undefined) {
          const key = scan.labelsKey(i);
          // The route holds about the label bytes again per URL (encoded, relabeled).
          cache.add(map, h, { key, route: r }, 2 * key.byteLength + entryExtraBytes);
        }
        routes[i] = r;
      }
      const { sampleStart, values, timestampsMs } = scan;
      for (let i = 0; i < n; i++) {
        const r = routes[i]!;
        for (let j = sampleStart[i]!; j < sampleStart[i + 1]!; j++)
          pusher.sample(r, values[j]!, timestampsMs[j]!);
      }
      pusher.end();
    } finally {
      if (routes.length > keptRoutes) routes.length = 0;
      scan.release();
    }
  }

  /**
   * Pushes a request the WebAssembly scanner read (`request` gives its bytes, for new series); false when
   * the JavaScript scanner must take it (nothing was pushed then). As there, every series is resolved
   * before any row is pushed.
   */
  #pushFast(
    fast: RemoteWriteFastPath,
    scanned: ScannedSeries,
    request: () => Uint8Array,
    cache: RouteCache<Entry, number>,
    map: Map<number, Entry>,
    sink: IngestSink,
    extra: Label[],
    errors: LineErrors,
  ): boolean {
    const pusher = new RowPusher('promremotewrite', sink, this.#limits, errors, { wasm: true });
    pusher.begin();
    let body: Uint8Array | undefined;
    let view = noView;
    for (let i = 0; i < scanned.count; i++) {
      if (scanned.routeId(i) >= 0) continue;
      if (body === undefined) {
        body = request();
        view = new DataView(body.buffer, body.byteOffset, body.byteLength);
      }
      // A series the table did not know: from the route cache, or resolved now.
      const [start, end] = [scanned.labelsStart(i), scanned.labelsEnd(i)];
      const h = labelsHash(body, view, start, end);
      const e = map.get(h);
      let r: CachedRoute;
      if (e !== undefined && labelsMatch(body, view, start, end, e.key)) {
        r = e.route;
      } else {
        const labels: Label[] = [];
        try {
          decodeLabelFields(body, start, end, labels);
        } catch (err) {
          throw malformed(body, err);
        }
        r = pusher.resolve(addExtraLabels(labels, extra));
        if (e === undefined) {
          const key = labelsKey(body, view, start, end);
          cache.add(map, h, { key, route: r }, 2 * key.byteLength + entryExtraBytes);
        }
      }
      const id = pusher.wasmRouteId(r);
      if (id < 0 || !fast.setRoute(i, id)) {
        pusher.end();
        return false;
      }
    }
    fast.emit(pusher.fastSink);
    pusher.end();
    return true;
  }
}

/**
 * Pushes one WriteRequest to sink, the labels `extra` added to each series; throws RequestError (400
 * malformed, 429 queues full).
 */
export interface RemoteWriteIngest {
  /** A decompressed request. */
  (body: Uint8Array, sink: IngestSink, extra: Label[], errors: LineErrors): void;
  /** A snappy block as readSnappyBlock reads it (decoded in WebAssembly memory when it can be). */
  snappy(compressed: Buffer, sink: IngestSink, extra: Label[], errors: LineErrors): void;
}

/** The ingester of WriteRequests, with its route caches (one per handler). */
export function makeRemoteWriteIngest(cfg: IngestConfig): RemoteWriteIngest {
  const ingester = new RemoteWriteIngester(cfg);
  const ingest = (body: Uint8Array, sink: IngestSink, extra: Label[], errors: LineErrors): void =>
    ingester.push(body, sink, extra, errors);
  return Object.assign(ingest, {
    snappy: (compressed: Buffer, sink: IngestSink, extra: Label[], errors: LineErrors): void =>
      ingester.pushSnappy(compressed, sink, extra, errors),
  });
}

/** The /api/v1/write handler. A missing Content-Encoding means snappy. */
export function makeRemoteWriteHandler(cfg: IngestConfig): IngestHandler {
  const ingest = makeRemoteWriteIngest(cfg);
  return async (req, res, sink) => {
    const path = (req.url ?? '/').split('?')[0]!;
    countRequest(path, 'promremotewrite');
    try {
      const extra = requestExtraLabels(req);
      const enc = req.headers['content-encoding'] ?? 'snappy';
      if (enc !== 'snappy' && enc !== 'zstd') {
        throw new RequestError(
          415,
          `unsupported Content-Encoding ${JSON.stringify(enc)} for remote write; use snappy or zstd`,
        );
      }
      const errors = new LineErrors('promremotewrite');
      if (enc === 'snappy') {
        const compressed = await readSnappyBlock(req, cfg.maxInsertRequestSize, 'maxInsertRequestSize');
        ingest.snappy(compressed, sink, extra, errors);
      } else {
        ingest(
          await readBody(req, enc, cfg.maxInsertRequestSize, 'maxInsertRequestSize'),
          sink,
          extra,
          errors,
        );
      }
      respondOk(res, errors);
    } catch (err) {
      drain(req);
      respondError(res, err, path);
    }
  };
}
