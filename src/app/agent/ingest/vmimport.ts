// VictoriaMetrics JSON-lines import (/api/v1/import), streamed line by line with lines bounded by
// -import.maxLineLen, as app/vmagent/vmimport/request_handler.go.
import type { Label } from '../../../lib/prompb/types.js';
import { parseVMImportStream } from '../../../lib/protoparser/vmimport/stream.js';
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

/** The /api/v1/import handler. */
export function makeVMImportHandler(cfg: IngestConfig): IngestHandler {
  const limits = new LabelLimits(cfg);
  return async (req, res, sink) => {
    const path = (req.url ?? '/').split('?')[0]!;
    countRequest(path, 'vmimport');
    try {
      const extra = requestExtraLabels(req);
      const pusher = new SeriesPusher('vmimport', sink, limits, new LineErrors('vmimport'));
      await parseVMImportStream(
        req,
        { encoding: req.headers['content-encoding'], maxLineLen: cfg.importMaxLineLen },
        (rows) => {
          pusher.begin();
          for (const row of rows) {
            let labels: Label[] = row.tags.map((t) => ({ name: t.key, value: t.value }));
            labels = addExtraLabels(labels, extra);
            const samples = row.values.map((value, i) => ({ value, timestampMs: row.timestampsMs[i]! }));
            pusher.add({ labels, samples });
          }
          pusher.end();
        },
        pusher.errors.add,
      );
      respondOk(res, pusher.errors);
    } catch (err) {
      drain(req);
      respondError(res, err, path);
    }
  };
}
