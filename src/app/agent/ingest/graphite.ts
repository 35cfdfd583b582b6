// Graphite plaintext over TCP/UDP (-graphiteListenAddr), as app/vmagent/graphite/request_handler.go:
// `__name__` is the metric path, `;tag=value` pairs become labels.
import type { TimeSeries } from '../../../lib/prompb/types.js';
import type { GraphiteRow } from '../../../lib/protoparser/graphite/parser.js';
import { parseGraphiteStream } from '../../../lib/protoparser/graphite/stream.js';
import type { IngestConfig } from './flags.js';
import type { IngestSink } from './common.js';
import { LabelLimits, LineErrors, SeriesPusher } from './common.js';

/** Converts one graphite row to its series. */
export function graphiteRowToSeries(row: GraphiteRow): TimeSeries {
  const labels = [{ name: '__name__', value: row.metric }];
  for (const t of row.tags) labels.push({ name: t.key, value: t.value });
  return { labels, samples: [{ value: row.value, timestampMs: row.timestampMs }] };
}

/**
 * Returns the reader of one TCP connection or UDP datagram: parses it to the end, pushing each block.
 * Rejects with the 429 RequestError when the sink refuses data (the listener then closes the connection).
 */
export function makeGraphiteStreamHandler(
  cfg: IngestConfig,
  sink: IngestSink,
): (chunks: AsyncIterable<Buffer> | Iterable<Buffer>) => Promise<boolean> {
  const limits = new LabelLimits(cfg);
  return (chunks) => {
    const pusher = new SeriesPusher('graphite', sink, limits, new LineErrors('graphite'));
    return parseGraphiteStream(
      chunks,
      { trimMs: cfg.graphiteTrimTimestampMs },
      (rows) => {
        pusher.begin();
        for (const r of rows) pusher.add(graphiteRowToSeries(r));
        pusher.end();
      },
      pusher.errors.add,
    );
  };
}
