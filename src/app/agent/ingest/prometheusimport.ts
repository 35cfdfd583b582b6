// Prometheus text exposition format import (/api/v1/import/prometheus), including Pushgateway-style paths
// `/api/v1/import/prometheus/metrics/job/<job>{/<label>/<value>}` whose pairs become extra labels, as
// app/vmagent/prometheusimport and app/vmagent/pushgateway do.
//
// The text parser (lib/protoparser/prometheus/parser.ts) is injected (PrometheusTextParser; main.ts passes
// it). It hands over each row's series key (the text before the value); the handler caches its route by
// that text per request context (Pushgateway path and extra_label), and splits a key into labels only when
// it is new (route-cache.ts). With -ingest.wasmFastPath and that parser, the lines of known series are read
// by the WebAssembly scanner (lib/protoparser/prometheus/fast.ts), which finds the same key. The body is
// read as it arrives, in blocks of whole lines (as vmagent's stream parser reads it): no bound on its size,
// 256 KiB per line.
import type { Label } from '../../../lib/prompb/types.js';
import type { Readable } from 'node:stream';
import { RequestError, decodeText, openUncompressed } from '../../../lib/protoparser/protoparserutil/body.js';
import { scanLineBlocks } from '../../../lib/protoparser/protoparserutil/stream.js';
import type { LineErrorHandler } from '../../../lib/protoparser/protoparserutil/lines.js';
import { promChunkScan } from '../../../lib/protoparser/prometheus/fast.js';
import { parseText } from '../../../lib/protoparser/prometheus/parser.js';
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
  requestExtraLabels,
  requestQuery,
  respondError,
  respondOk,
} from './common.js';

/**
 * The injected Prometheus text parser: calls onRow per sample (tsMs undefined or 0 = no timestamp); a
 * string onRow returns rejects that line, which then goes to onError.
 */
export interface PrometheusTextParser {
  parseText(
    body: string,
    onRow: (seriesKey: string, value: number, tsMs: number | undefined) => string | void,
    onError: LineErrorHandler,
  ): void;
  /** Splits a series key `name{a="b"}` as passed to onRow into labels incl. __name__. */
  parseSeriesKey(key: string): Label[];
}

const importPrefix = '/api/v1/import/prometheus';

function decodeSegment(name: string, value: string): Label {
  if (name.endsWith('@base64')) {
    const b64 = value.replace(/-/g, '+').replace(/_/g, '/');
    return { name: name.slice(0, -'@base64'.length), value: Buffer.from(b64, 'base64').toString('utf8') };
  }
  return { name, value };
}

/**
 * Parses the Pushgateway part of an import path (`/metrics/job/<job>{/<label>/<value>}`, values may use
 * `<label>@base64`), returning its labels; throws RequestError 400 for a malformed path.
 */
export function parsePushgatewayPath(path: string): Label[] {
  if (path === importPrefix || path === importPrefix + '/') return [];
  const rest = path.slice(importPrefix.length);
  if (!rest.startsWith('/metrics/job'))
    throw new RequestError(400, `unsupported path ${JSON.stringify(path)}`);
  const parts = rest.slice('/metrics/'.length).split('/');
  if (parts.length % 2 !== 0 || parts.length < 2) {
    throw new RequestError(
      400,
      `Pushgateway path ${JSON.stringify(path)} must contain /<label>/<value> pairs after /metrics`,
    );
  }
  const out: Label[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const name = decodeURIComponent(parts[i]!);
    const value = decodeURIComponent(parts[i + 1]!);
    if (name === '' || name === '@base64')
      throw new RequestError(400, `empty label name in ${JSON.stringify(path)}`);
    out.push(decodeSegment(name, value));
  }
  if (out[0]!.value === '') throw new RequestError(400, `empty job name in ${JSON.stringify(path)}`);
  return out;
}

/** Parses the `timestamp` query arg (unix seconds with fraction, or ms when large) into ms; 0 when absent. */
export function parseTimestampArg(raw: string | null): number {
  if (raw === null || raw === '') return 0;
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new RequestError(400, `cannot parse timestamp=${JSON.stringify(raw)}`);
  return v < 1e10 ? Math.round(v * 1e3) : Math.round(v);
}

// The WebAssembly fast path, one per process (its table holds the routes of all handlers, each series
// cache being its own context), made on first use.
let fastPath: KeyedLineScanner | undefined;

// vmagent reads Prometheus text in blocks of whole lines of at most 256 KiB (protoparserutil.ReadLinesBlock),
// with no flag for it and no bound on the whole body.
const maxLineLen = 256 * 1024;

/**
 * Pushes the rows of a Prometheus text stream (bad lines go to errors), block by block as it arrives,
 * the labels `extra` added to each series and nowMs the timestamp of rows without one. Rejects with the
 * 429 RequestError when the sink refuses, and with a 400 one for a line over 256 KiB (the blocks before
 * it have landed, as in vmagent).
 */
export type PrometheusTextImporter = (
  chunks: AsyncIterable<Buffer> | Iterable<Buffer> | Readable,
  extra: Label[],
  nowMs: number,
  sink: IngestSink,
  errors: LineErrors,
) => Promise<void>;

/**
 * The importer of Prometheus text streams over an injected text parser. Series are resolved once per key
 * and request context and kept per sink; with -ingest.wasmFastPath and parseText, lines of known series are
 * read by the WebAssembly scanner.
 */
export function makePrometheusTextImporter(
  cfg: IngestConfig,
  parser: PrometheusTextParser,
): PrometheusTextImporter {
  const limits = new LabelLimits(cfg);
  const caches = new SinkRouteCaches<CachedRoute>(cfg.routeCacheSize);
  const wasm = cfg.wasmFastPath && parser.parseText === parseText;
  return async (chunks, extra, nowMs, sink, errors) => {
    const cache = caches.for(sink);
    const pusher = new RowPusher('prometheus', sink, limits, errors, { wasm: cfg.wasmFastPath });
    const ctxKey = extra.length === 0 ? '' : JSON.stringify(extra);
    let map = cache.context(ctxKey);
    // Set while the JavaScript path takes a line the fast path handed over: its series is registered.
    let register: KeyRegister<CachedRoute> | undefined;
    const onRow = (key: string, value: number, tsMs: number | undefined): string | undefined => {
      let r = map.get(key);
      if (r === undefined) {
        let labels: Label[];
        try {
          labels = parser.parseSeriesKey(key);
        } catch (err) {
          // A key whose labels do not parse rejects its line only, as vmagent skips such a line.
          return (err as Error).message;
        }
        r = pusher.resolve(addExtraLabels(labels, extra));
        cache.add(map, key, r, 2 * key.length);
      }
      pusher.sample(r, value, tsMs ? tsMs : nowMs);
      register?.(r);
      return undefined;
    };
    const fast = wasm ? (fastPath ??= new KeyedLineScanner()) : undefined;
    let ctxId = 0;
    // The parser hands rows to onRow (which may reject a line), so the stream's per-line callback is unused.
    await scanLineBlocks<never>(
      chunks,
      maxLineLen,
      '',
      {
        begin: () => {
          pusher.begin();
          map = cache.context(ctxKey);
          if (fast) ctxId = fast.context(map, cache.generation);
        },
        line: () => {},
        end: () => pusher.end(),
        bytes:
          fast &&
          ((block, firstLineNum) => {
            if (!fast.active) return false;
            return fast.scan(
              block,
              firstLineNum,
              ctxId,
              promChunkScan(ctxId, nowMs),
              pusher.fastSink,
              (bytes, lineNum, reg) => {
                register = reg;
                try {
                  parser.parseText(decodeText(bytes), onRow, (_n, text, msg) =>
                    errors.add(lineNum, text, msg),
                  );
                } finally {
                  register = undefined;
                }
              },
            );
          }),
      },
      (text, _onLine, onError) => parser.parseText(text, onRow, onError),
      errors.add,
    );
  };
}

/** The /api/v1/import/prometheus handler over an injected text parser. */
export function makePrometheusImportHandler(cfg: IngestConfig, parser: PrometheusTextParser): IngestHandler {
  const importText = makePrometheusTextImporter(cfg, parser);
  return async (req, res, sink) => {
    const path = (req.url ?? '/').split('?')[0]!;
    countRequest(importPrefix, 'prometheus');
    try {
      const extra = [...parsePushgatewayPath(path), ...requestExtraLabels(req)];
      const defaultTs = parseTimestampArg(requestQuery(req).get('timestamp'));
      // -maxInsertRequestSize bounds only a snappy body, which is read whole.
      const chunks = openUncompressed(
        req,
        req.headers['content-encoding'],
        cfg.maxInsertRequestSize,
        'maxInsertRequestSize',
      );
      const errors = new LineErrors('prometheus');
      await importText(chunks, extra, defaultTs || Date.now(), sink, errors);
      respondOk(res, errors);
    } catch (err) {
      drain(req);
      respondError(res, err, path);
    }
  };
}
