// Prometheus remote write (/api/v1/write): a snappy (or zstd) compressed WriteRequest, bounded by
// -maxInsertRequestSize before and after decompression, as app/vmagent/promremotewrite.
//
// TODO(prompb decoder): decodeWriteRequest is written by another helper in src/lib/prompb/write-request.ts;
// the handler takes it injected until both are merged.
import type { TimeSeries } from '../../../lib/prompb/types.js';
import { RequestError, readBody } from '../../../lib/protoparser/protoparserutil/body.js';
import type { IngestConfig } from './flags.js';
import type { IngestHandler } from './common.js';
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

/** Decodes an uncompressed prometheus.WriteRequest; throws on malformed input. */
export type WriteRequestDecoder = (buf: Uint8Array) => TimeSeries[];

/** The /api/v1/write handler over an injected decoder. A missing Content-Encoding means snappy. */
export function makeRemoteWriteHandler(
  cfg: IngestConfig,
  decodeWriteRequest: WriteRequestDecoder,
): IngestHandler {
  const limits = new LabelLimits(cfg);
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
      let series: TimeSeries[];
      try {
        series = decodeWriteRequest(body);
      } catch (err) {
        throw new RequestError(400, `cannot unmarshal WriteRequest: ${(err as Error).message}`);
      }
      const pusher = new SeriesPusher('promremotewrite', sink, limits, new LineErrors('promremotewrite'));
      pusher.begin();
      for (const ts of series) {
        pusher.add(extra.length > 0 ? { labels: addExtraLabels(ts.labels, extra), samples: ts.samples } : ts);
      }
      pusher.end();
      respondOk(res, pusher.errors);
    } catch (err) {
      drain(req);
      respondError(res, err, path);
    }
  };
}
