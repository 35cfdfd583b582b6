// VictoriaMetrics JSON-lines import (/api/v1/import), streamed line by line with lines bounded by
// -import.maxLineLen, as app/vmagent/vmimport/request_handler.go. Each line's metric object text is the
// route cache key: a metric pushed again is neither parsed nor resolved again (route-cache.ts). With
// -ingest.wasmFastPath, the lines of known metric texts are read by the WebAssembly scanner
// (lib/protoparser/vmimport/fast.ts), which finds the same text.
import type { Label } from '../../../lib/prompb/types.js';
import { openUncompressed } from '../../../lib/protoparser/protoparserutil/body.js';
import type { Tag } from '../../../lib/protoparser/protoparserutil/lines.js';
import { vmimportChunkScan } from '../../../lib/protoparser/vmimport/fast.js';
import { parseVMImportSeries, scanVMImportLines } from '../../../lib/protoparser/vmimport/parser.js';
import type { VMImportLine } from '../../../lib/protoparser/vmimport/parser.js';
import { scanVMImportStream } from '../../../lib/protoparser/vmimport/stream.js';
import { KeyedLineScanner } from '../../../lib/wasm/lines.js';
import type { KeyRegister } from '../../../lib/wasm/lines.js';
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
  keyedBytesHook,
  requestExtraLabels,
  respondError,
  respondOk,
} from './common.js';

// The WebAssembly fast path, one per process (its table holds the routes of all handlers, each series
// cache being its own context), made on first use.
let fastPath: KeyedLineScanner | undefined;

/**
 * Imports the JSON lines of one decompressed body, the labels `extra` added to each series; bad lines go
 * to errors. Throws RequestError (400 for a line over -import.maxLineLen, 429 when the sink refuses data).
 */
export type VMImportStream = (
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  extra: Label[],
  sink: IngestSink,
  errors: LineErrors,
) => Promise<void>;

/**
 * The importer of JSON-lines bodies. Series are resolved once per metric text and request context and
 * kept per sink; with -ingest.wasmFastPath, lines of known metric texts are read by the WebAssembly scanner.
 */
export function makeVMImportStreamHandler(cfg: IngestConfig): VMImportStream {
  const limits = new LabelLimits(cfg);
  const caches = new SinkRouteCaches<CachedRoute>(cfg.routeCacheSize);
  const fast = cfg.wasmFastPath ? (fastPath ??= new KeyedLineScanner()) : undefined;
  return async (chunks, extra, sink, errors) => {
    const cache = caches.for(sink);
    const ctx = extra.length === 0 ? '' : JSON.stringify(extra);
    const pusher = new RowPusher('vmimport', sink, limits, errors, { wasm: cfg.wasmFastPath });
    const resolve = (tags: Tag[]): CachedRoute => {
      const labels: Label[] = tags.map((t) => ({ name: t.key, value: t.value }));
      return pusher.resolve(addExtraLabels(labels, extra));
    };
    let map: Map<string, CachedRoute> | undefined;
    let ctxId = 0;
    // register is set when the line is one the fast path handed over; its metric text is registered only
    // when the line has the usual shape (the one the route cache is exact for, see parser.ts scanLine).
    const line = (l: VMImportLine, register?: KeyRegister<CachedRoute>): void => {
      let r: CachedRoute | undefined;
      if (l.tags !== undefined) {
        // A line in an unusual shape, parsed whole: resolved without caching.
        r = resolve(l.tags);
        register = undefined;
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
      register?.(r);
    };
    await scanVMImportStream(
      chunks,
      cfg.importMaxLineLen,
      {
        begin: () => {
          pusher.begin();
          map = cache.context(ctx);
          if (fast) ctxId = fast.context(map, cache.generation);
        },
        line,
        end: () => pusher.end(),
        bytes:
          fast &&
          keyedBytesHook({
            fast,
            pusher,
            trimMs: 0,
            ctx: () => ctxId,
            chunkScan: vmimportChunkScan,
            scanLines: (text, _opts, onLine, onError) => scanVMImportLines(text, onLine, onError),
            line,
          }),
      },
      pusher.errors.add,
    );
  };
}

/** The /api/v1/import handler. */
export function makeVMImportHandler(cfg: IngestConfig): IngestHandler {
  const importStream = makeVMImportStreamHandler(cfg);
  return async (req, res, sink) => {
    const path = (req.url ?? '/').split('?')[0]!;
    countRequest(path, 'vmimport');
    try {
      const extra = requestExtraLabels(req);
      const errors = new LineErrors('vmimport');
      const chunks = openUncompressed(
        req,
        req.headers['content-encoding'],
        cfg.importMaxLineLen,
        'import.maxLineLen',
      );
      await importStream(chunks, extra, sink, errors);
      respondOk(res, errors);
    } catch (err) {
      drain(req);
      respondError(res, err, path);
    }
  };
}
