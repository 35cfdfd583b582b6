// OpenTSDB telnet `put` (TCP/UDP on -opentsdbListenAddr) and HTTP /api/put (on the same TCP port, on
// -opentsdbHTTPListenAddr and on the main HTTP server), as app/vmagent/opentsdb{,http}/request_handler.go.
import type { Label, TimeSeries } from '../../../lib/prompb/types.js';
import { openTSDBChunkScan } from '../../../lib/protoparser/opentsdb/fast.js';
import { parseOpenTSDBTags, scanOpenTSDBLines } from '../../../lib/protoparser/opentsdb/parser.js';
import type { OpenTSDBLine } from '../../../lib/protoparser/opentsdb/parser.js';
import { parseOpenTSDBStream } from '../../../lib/protoparser/opentsdb/stream.js';
import { parseOpenTSDBHTTPStream } from '../../../lib/protoparser/opentsdbhttp/stream.js';
import type { Tag } from '../../../lib/protoparser/protoparserutil/lines.js';
import { RequestError } from '../../../lib/protoparser/protoparserutil/body.js';
import { KeyedLineScanner } from '../../../lib/wasm/lines.js';
import type { KeyRegister } from '../../../lib/wasm/lines.js';
import type { IngestConfig } from './flags.js';
import type { CachedRoute, IngestHandler, IngestSink } from './common.js';
import { RouteCache, detachString } from './route-cache.js';
import {
  LabelLimits,
  LineErrors,
  RowPusher,
  SeriesPusher,
  addExtraLabels,
  countRequest,
  drain,
  keyedBytesHook,
  requestExtraLabels,
  respondError,
  respondOk,
} from './common.js';

function toSeries(
  metric: string,
  tags: Tag[],
  value: number,
  timestampMs: number,
  extra: Label[],
): TimeSeries {
  let labels: Label[] = [{ name: '__name__', value: metric }];
  for (const t of tags) labels.push({ name: t.key, value: t.value });
  labels = addExtraLabels(labels, extra);
  return { labels, samples: [{ value, timestampMs }] };
}

// What one route-cache entry (a metric) and one of its tag sets cost beyond their text: the Map slots, the
// CachedRoute and the encoded labels (the estimate route-cache.ts makes for its entries).
const tagSetOverheadBytes = 160;

/** The labels of a scanned `put` line (its tags parsed now); throws LineError when the tags are bad. */
function openTSDBLineLabels(l: OpenTSDBLine): Label[] {
  const tags = parseOpenTSDBTags(l);
  const labels = new Array<Label>(tags.length + 1);
  labels[0] = { name: '__name__', value: l.metric() };
  for (let i = 0; i < tags.length; i++) labels[i + 1] = { name: tags[i]!.key, value: tags[i]!.value };
  return labels;
}

// The WebAssembly fast path, one per process (its table holds the routes of all handlers, each series
// cache being its own context), made on first use.
let fastPath: KeyedLineScanner | undefined;

/**
 * Returns the reader of one telnet connection or UDP datagram; rejects with 429 on back-pressure. Series
 * are resolved once per metric and tags text, kept in a RouteCache (metric -> tags text -> route) shared
 * by all connections; `errors` collects the bad lines of this stream. With -ingest.wasmFastPath, lines of
 * known series are read by the WebAssembly scanner.
 */
export function makeOpenTSDBStreamHandler(
  cfg: IngestConfig,
  sink: IngestSink,
): (chunks: AsyncIterable<Buffer> | Iterable<Buffer>, errors?: LineErrors) => Promise<void> {
  const limits = new LabelLimits(cfg);
  const cache = new RouteCache<Map<string, CachedRoute>>(sink, cfg.routeCacheSize);
  return (chunks, errors = new LineErrors('opentsdb')) => {
    const pusher = new RowPusher('opentsdb', sink, limits, errors, { wasm: cfg.wasmFastPath });
    let metrics: Map<string, Map<string, CachedRoute>> | undefined;
    // The tag sets of the previous line's metric: pushers often send one metric for many tag sets in a
    // row, and comparing the metric text is cheaper than hashing a sliced string (in-process bench, one
    // metric x 2000 tag sets: median 1.40M -> 1.54M rows per CPU-second, A/B x10). Forgotten whenever
    // the cache may have been emptied (a new block, a new series).
    let lastMetric = '';
    let lastTagSets: Map<string, CachedRoute> | undefined;
    // The cold path: a new series. Bad tags throw LineError here, reported as this line's error.
    const resolve = (l: OpenTSDBLine, tagSets: Map<string, CachedRoute>, tags: string): CachedRoute => {
      lastTagSets = undefined;
      const r = pusher.resolve(openTSDBLineLabels(l));
      // The key, and the route's encoded labels (about the metric and the tags text in size).
      const labelsBytes = 2 * (l.metricEnd - l.metricStart + tags.length);
      cache.charge(tagSetOverheadBytes + 2 * tags.length + labelsBytes);
      tagSets.set(detachString(tags), r);
      return r;
    };
    const tagSetsOf = (l: OpenTSDBLine): Map<string, CachedRoute> => {
      const metric = l.metric();
      let tagSets = metrics!.get(metric);
      if (tagSets === undefined) {
        tagSets = new Map();
        cache.add(metrics!, metric, tagSets, 0);
      }
      lastMetric = metric;
      lastTagSets = tagSets;
      return tagSets;
    };
    // register is set when the line is one the fast path handed over: its series is registered then.
    const line = (l: OpenTSDBLine, register?: KeyRegister<CachedRoute>): void => {
      // Two lookups instead of one key: the tags follow the timestamp and value, so a single key
      // would need a concatenation (a copy) per row.
      const tagSets =
        lastTagSets !== undefined &&
        l.metricEnd - l.metricStart === lastMetric.length &&
        l.text.startsWith(lastMetric, l.metricStart)
          ? lastTagSets
          : tagSetsOf(l);
      const tags = l.tagsText();
      const r = tagSets.get(tags) ?? resolve(l, tagSets, tags);
      pusher.sample(r, l.value, l.timestampMs);
      register?.(r);
    };
    const fast = cfg.wasmFastPath ? (fastPath ??= new KeyedLineScanner()) : undefined;
    const trimMs = cfg.opentsdbTrimTimestampMs;
    let ctxId = 0;
    return parseOpenTSDBStream(
      chunks,
      { trimMs },
      {
        begin: () => {
          pusher.begin();
          metrics = cache.context('');
          lastTagSets = undefined;
          if (fast) ctxId = fast.context(metrics, cache.generation);
        },
        line,
        end: () => {
          pusher.end();
          // Do not keep the block (lastMetric is a slice of it) while the connection idles.
          lastMetric = '';
          lastTagSets = undefined;
        },
        bytes:
          fast &&
          keyedBytesHook({
            fast,
            pusher,
            trimMs,
            ctx: () => ctxId,
            chunkScan: openTSDBChunkScan,
            scanLines: scanOpenTSDBLines,
            line,
          }),
      },
      pusher.errors.add,
    );
  };
}

/** The /api/put (and /opentsdb/api/put) handler; answers 204 as OpenTSDB and vmagent do. */
export function makeOpenTSDBHTTPHandler(cfg: IngestConfig): IngestHandler {
  const limits = new LabelLimits(cfg);
  return async (req, res, sink) => {
    const path = (req.url ?? '/').split('?')[0]!;
    countRequest(path, 'opentsdbhttp');
    try {
      if (req.method !== 'POST') throw new RequestError(405, `unsupported method ${req.method}; use POST`);
      const extra = requestExtraLabels(req);
      const pusher = new SeriesPusher('opentsdbhttp', sink, limits, new LineErrors('opentsdbhttp'));
      const rows = await parseOpenTSDBHTTPStream(
        req,
        {
          encoding: req.headers['content-encoding'],
          maxRequestSize: cfg.opentsdbhttpMaxInsertRequestSize,
          trimMs: cfg.opentsdbhttpTrimTimestampMs,
        },
        (i, msg) => pusher.errors.add(i + 1, `data point #${i}`, msg),
      );
      pusher.begin();
      for (const r of rows) pusher.add(toSeries(r.metric, r.tags, r.value, r.timestampMs, extra));
      pusher.end();
      respondOk(res, pusher.errors);
    } catch (err) {
      drain(req);
      respondError(res, err, path);
    }
  };
}
