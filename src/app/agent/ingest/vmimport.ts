// VictoriaMetrics JSON-lines import (/api/v1/import), streamed line by line with lines bounded by
// -import.maxLineLen, as app/vmagent/vmimport/request_handler.go. Each line's metric object text is the
// route cache key: a metric pushed again is neither parsed nor resolved again (route-cache.ts).
import type { Label } from '../../../lib/prompb/types.js';
import type { Tag } from '../../../lib/protoparser/protoparserutil/lines.js';
import { parseVMImportSeries } from '../../../lib/protoparser/vmimport/parser.js';
import { scanVMImportStream } from '../../../lib/protoparser/vmimport/stream.js';
import type { IngestConfig } from './flags.js';
import type { CachedRoute, IngestHandler } from './common.js';
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

/** The /api/v1/import handler. */
export function makeVMImportHandler(cfg: IngestConfig): IngestHandler {
  const limits = new LabelLimits(cfg);
  const caches = new SinkRouteCaches<CachedRoute>(cfg.routeCacheSize);
  return async (req, res, sink) => {
    const path = (req.url ?? '/').split('?')[0]!;
    countRequest(path, 'vmimport');
    try {
      const extra = requestExtraLabels(req);
      const cache = caches.for(sink);
      const ctx = extra.length === 0 ? '' : JSON.stringify(extra);
      const pusher = new RowPusher('vmimport', sink, limits, new LineErrors('vmimport'), {
        wasm: cfg.wasmFastPath,
      });
      const resolve = (tags: Tag[]): CachedRoute => {
        const labels: Label[] = tags.map((t) => ({ name: t.key, value: t.value }));
        return pusher.resolve(addExtraLabels(labels, extra));
      };
      let map: Map<string, CachedRoute> | undefined;
      await scanVMImportStream(
        req,
        { encoding: req.headers['content-encoding'], maxLineLen: cfg.importMaxLineLen },
        {
          begin: () => {
            pusher.begin();
            map = cache.context(ctx);
          },
          line: (l) => {
            let r: CachedRoute | undefined;
            if (l.tags !== undefined) {
              // A line in an unusual shape, parsed whole: resolved without caching.
              r = resolve(l.tags);
            } else {
              const metric = l.metric();
              r = map!.get(metric);
              if (r === undefined) {
                r = resolve(parseVMImportSeries(l)); // throws LineError for a bad line
                cache.add(map!, metric, r, 2 * metric.length);
              }
            }
            const { values, timestampsMs } = l;
            for (let i = 0; i < l.count; i++) pusher.sample(r, values[i]!, timestampsMs[i]!);
          },
          end: () => pusher.end(),
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
