// Graphite plaintext over TCP/UDP (-graphiteListenAddr), as app/vmagent/graphite/request_handler.go:
// `__name__` is the metric path, `;tag=value` pairs become labels.
import type { Label } from '../../../lib/prompb/types.js';
import { parseMetricAndTags } from '../../../lib/protoparser/graphite/parser.js';
import { parseGraphiteStream } from '../../../lib/protoparser/graphite/stream.js';
import type { Tag } from '../../../lib/protoparser/protoparserutil/lines.js';
import type { IngestConfig } from './flags.js';
import type { CachedRoute, IngestSink } from './common.js';
import { LabelLimits, LineErrors, RowPusher } from './common.js';
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
  return (chunks, errors = new LineErrors('graphite')) => {
    const pusher = new RowPusher('graphite', sink, limits, errors);
    let map: Map<string, CachedRoute> | undefined;
    return parseGraphiteStream(
      chunks,
      { trimMs: cfg.graphiteTrimTimestampMs },
      {
        begin: () => {
          pusher.begin();
          map = cache.context('');
        },
        line: (l) => {
          const text = l.series();
          let r = map!.get(text);
          if (r === undefined) {
            // The cold path: a bad series text throws LineError here, reported as this line's error.
            r = pusher.resolve(graphiteSeriesLabels(text));
            // The route holds the encoded labels, about the text's size per remote-write URL.
            cache.add(map!, text, r, 2 * text.length);
          }
          pusher.sample(r, l.value, l.timestampMs);
        },
        end: () => pusher.end(),
      },
      pusher.errors.add,
    );
  };
}
