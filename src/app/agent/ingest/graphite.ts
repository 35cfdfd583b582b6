// Graphite plaintext over TCP/UDP (-graphiteListenAddr), as app/vmagent/graphite/request_handler.go:
// `__name__` is the metric path, `;tag=value` pairs become labels.
import type { Label } from '../../../lib/prompb/types.js';
import { graphiteChunkScan } from '../../../lib/protoparser/graphite/fast.js';
import { parseMetricAndTags, scanGraphiteLines } from '../../../lib/protoparser/graphite/parser.js';
import type { GraphiteLine } from '../../../lib/protoparser/graphite/parser.js';
import { parseGraphiteStream } from '../../../lib/protoparser/graphite/stream.js';
import type { Tag } from '../../../lib/protoparser/protoparserutil/lines.js';
import { KeyedLineScanner } from '../../../lib/wasm/lines.js';
import type { KeyRegister } from '../../../lib/wasm/lines.js';
import type { IngestConfig } from './flags.js';
import type { CachedRoute, IngestSink } from './common.js';
import { LabelLimits, LineErrors, RowPusher, keyedBytesHook } from './common.js';
import { RouteCache } from './route-cache.js';

/** The labels of a graphite series text (`metric;tag=value...`); throws LineError when it is bad. */
export function graphiteSeriesLabels(series: string): Label[] {
  const tags: Tag[] = [];
  const metric = parseMetricAndTags(series, tags);
  const labels = new Array<Label>(tags.length + 1);
  labels[0] = { name: '__name__', value: metric };
  for (let i = 0; i < tags.length; i++) labels[i + 1] = { name: tags[i]!.key, value: tags[i]!.value };
  return labels;
}

// The WebAssembly fast path, one per process (its table holds the routes of all handlers, each series
// cache being its own context), made on first use.
let fastPath: KeyedLineScanner | undefined;

/**
 * Returns the reader of one TCP connection or UDP datagram: parses it to the end, pushing each block.
 * Rejects with the 429 RequestError when the sink refuses data (the listener then closes the connection).
 * Series are resolved once per series text and kept in a RouteCache shared by all connections; `errors`
 * collects the bad lines of this stream.
 */
export function makeGraphiteStreamHandler(
  cfg: IngestConfig,
  sink: IngestSink,
): (chunks: AsyncIterable<Buffer> | Iterable<Buffer>, errors?: LineErrors) => Promise<void> {
  const limits = new LabelLimits(cfg);
  const cache = new RouteCache<CachedRoute>(sink, cfg.routeCacheSize);
  const trimMs = cfg.graphiteTrimTimestampMs;
  return (chunks, errors = new LineErrors('graphite')) => {
    const pusher = new RowPusher('graphite', sink, limits, errors, { wasm: cfg.wasmFastPath });
    let map: Map<string, CachedRoute> | undefined;
    // register is set when the line is one the fast path handed over: its series is registered then.
    const line = (l: GraphiteLine, register?: KeyRegister<CachedRoute>): void => {
      const text = l.series();
      let r = map!.get(text);
      if (r === undefined) {
        // The cold path: a bad series text throws LineError here, reported as this line's error.
        r = pusher.resolve(graphiteSeriesLabels(text));
        // The route holds the encoded labels, about the text's size per remote-write URL.
        cache.add(map!, text, r, 2 * text.length);
      }
      pusher.sample(r, l.value, l.timestampMs);
      register?.(r);
    };
    const fast = cfg.wasmFastPath ? (fastPath ??= new KeyedLineScanner()) : undefined;
    let ctxId = 0;
    return parseGraphiteStream(
      chunks,
      { trimMs },
      {
        begin: () => {
          pusher.begin();
          map = cache.context('');
          if (fast) ctxId = fast.context(map, cache.generation);
        },
        line,
        end: () => pusher.end(),
        bytes:
          fast &&
          keyedBytesHook({
            fast,
            pusher,
            trimMs,
            ctx: () => ctxId,
            chunkScan: graphiteChunkScan,
            scanLines: scanGraphiteLines,
            line,
          }),
      },
      pusher.errors.add,
    );
  };
}
