// Prometheus remote write (/api/v1/write): a snappy (or zstd) compressed WriteRequest, bounded by
// -maxInsertRequestSize before and after decompression, as app/vmagent/promremotewrite.
//
// The request is scanned, not decoded: each series is looked up in the route cache by the raw bytes of its
// label fields (a hash, then a compare), and its labels are decoded only when the series is new
// (route-cache.ts).
import type { Label } from '../../../lib/prompb/types.js';
import { decodeWriteRequest } from '../../../lib/prompb/decode.js';
import { WriteRequestScan } from '../../../lib/prompb/scan.js';
import type { LabelsKey } from '../../../lib/prompb/scan.js';
import { RequestError, readBody } from '../../../lib/protoparser/protoparserutil/body.js';
import type { IngestConfig } from './flags.js';
import type { CachedRoute, IngestHandler, IngestSink } from './common.js';
import { SinkRouteCaches } from './route-cache.js';
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
  constructor(cfg: IngestConfig) {
    this.#cfg = cfg;
    this.#limits = new LabelLimits(cfg);
    this.#caches = new SinkRouteCaches(cfg.routeCacheSize);
  }

  /** Pushes one decompressed WriteRequest; throws RequestError (400 malformed, 429 queues full). */
  push(body: Uint8Array, sink: IngestSink, extra: Label[], errors: LineErrors): void {
    const cache = this.#caches.for(sink);
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
}

/** The /api/v1/write handler. A missing Content-Encoding means snappy. */
export function makeRemoteWriteHandler(cfg: IngestConfig): IngestHandler {
  const ingester = new RemoteWriteIngester(cfg);
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
      const body = await readBody(req, enc, cfg.maxInsertRequestSize, 'maxInsertRequestSize');
      const errors = new LineErrors('promremotewrite');
      ingester.push(body, sink, extra, errors);
      respondOk(res, errors);
    } catch (err) {
      drain(req);
      respondError(res, err, path);
    }
  };
}
