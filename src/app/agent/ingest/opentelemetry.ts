// OTLP/HTTP metrics (/opentelemetry/v1/metrics, protobuf), as app/vmagent/opentelemetry: decode, map with
// convertOtlpMetrics, push. Answers 200 with an empty ExportMetricsServiceResponse.
import { parseOpenTelemetryStream } from '../../../lib/protoparser/opentelemetry/stream.js';
import { RequestError } from '../../../lib/protoparser/protoparserutil/body.js';
import { defaultRegistry } from '../../../lib/metrics/registry.js';
import { getThrottledLogger } from '../../../lib/logger/logger.js';
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
} from './common.js';

const log = getThrottledLogger('app/agent/ingest/opentelemetry');

/** The /opentelemetry/v1/metrics handler. JSON-encoded OTLP is refused with 415. */
export function makeOpenTelemetryHandler(cfg: IngestConfig): IngestHandler {
  const limits = new LabelLimits(cfg);
  return async (req, res, sink) => {
    const path = (req.url ?? '/').split('?')[0]!;
    countRequest(path, 'opentelemetry');
    try {
      const ct = req.headers['content-type'] ?? '';
      if (ct.startsWith('application/json')) {
        throw new RequestError(415, 'JSON-encoded OTLP is not supported; send application/x-protobuf');
      }
      const extra = requestExtraLabels(req);
      const series = await parseOpenTelemetryStream(
        req,
        { encoding: req.headers['content-encoding'], maxRequestSize: cfg.opentelemetryMaxRequestSize },
        (reason, name) => {
          defaultRegistry
            .counter(`vm_protoparser_rows_dropped_total{type="opentelemetry",reason="${reason}"}`)
            .inc();
          log.warn(`dropping OpenTelemetry metric ${JSON.stringify(name)}: ${reason}`);
        },
      );
      const pusher = new SeriesPusher('opentelemetry', sink, limits, new LineErrors('opentelemetry'));
      pusher.begin();
      for (const ts of series)
        pusher.add(extra.length > 0 ? { labels: addExtraLabels(ts.labels, extra), samples: ts.samples } : ts);
      pusher.end();
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
      res.end();
    } catch (err) {
      drain(req);
      respondError(res, err, path);
    }
  };
}
