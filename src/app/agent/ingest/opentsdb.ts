// OpenTSDB telnet `put` (TCP/UDP on -opentsdbListenAddr) and HTTP /api/put (on the same TCP port, on
// -opentsdbHTTPListenAddr and on the main HTTP server), as app/vmagent/opentsdb{,http}/request_handler.go.
import type { Label, TimeSeries } from '../../../lib/prompb/types.js';
import { parseOpenTSDBStream } from '../../../lib/protoparser/opentsdb/stream.js';
import { parseOpenTSDBHTTPStream } from '../../../lib/protoparser/opentsdbhttp/stream.js';
import type { Tag } from '../../../lib/protoparser/protoparserutil/lines.js';
import { RequestError } from '../../../lib/protoparser/protoparserutil/body.js';
import type { IngestConfig } from './flags.js';
import type { IngestHandler, IngestSink } from './common.js';
import {
  LabelLimits,
  LineErrors,
  SeriesPusher,
  addExtraLabels,
  countRequest,
  drain,
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

/** Returns the reader of one telnet connection or UDP datagram; rejects with 429 on back-pressure. */
export function makeOpenTSDBStreamHandler(
  cfg: IngestConfig,
  sink: IngestSink,
): (chunks: AsyncIterable<Buffer> | Iterable<Buffer>) => Promise<boolean> {
  const limits = new LabelLimits(cfg);
  return (chunks) => {
    const pusher = new SeriesPusher('opentsdb', sink, limits, new LineErrors('opentsdb'));
    return parseOpenTSDBStream(
      chunks,
      { trimMs: cfg.opentsdbTrimTimestampMs },
      (rows) => {
        pusher.begin();
        for (const r of rows) pusher.add(toSeries(r.metric, r.tags, r.value, r.timestampMs, []));
        pusher.end();
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
