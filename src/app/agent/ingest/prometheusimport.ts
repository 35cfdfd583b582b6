// Prometheus text exposition format import (/api/v1/import/prometheus), including Pushgateway-style paths
// `/api/v1/import/prometheus/metrics/job/<job>{/<label>/<value>}` whose pairs become extra labels, as
// app/vmagent/prometheusimport and app/vmagent/pushgateway do.
//
// TODO(prometheus parser): the text parser is written by another helper in src/lib/protoparser/prometheus;
// until it lands the handler takes it injected (PrometheusTextParser). Wire it in
// app/agent/main.ts when both are merged.
//
// The parser hands over each row's series key (the text before the value); the handler caches its route by
// that text per request context (Pushgateway path and extra_label), and splits a key into labels only when
// it is new (route-cache.ts).
import type { Label } from '../../../lib/prompb/types.js';
import { RequestError, decodeText, readBody } from '../../../lib/protoparser/protoparserutil/body.js';
import type { LineErrorHandler } from '../../../lib/protoparser/protoparserutil/lines.js';
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

/** The /api/v1/import/prometheus handler over an injected text parser. */
export function makePrometheusImportHandler(cfg: IngestConfig, parser: PrometheusTextParser): IngestHandler {
  const limits = new LabelLimits(cfg);
  const caches = new SinkRouteCaches<CachedRoute>(cfg.routeCacheSize);
  return async (req, res, sink) => {
    const path = (req.url ?? '/').split('?')[0]!;
    countRequest(importPrefix, 'prometheus');
    try {
      const extra = [...parsePushgatewayPath(path), ...requestExtraLabels(req)];
      const defaultTs = parseTimestampArg(requestQuery(req).get('timestamp'));
      const body = await readBody(
        req,
        req.headers['content-encoding'],
        cfg.maxInsertRequestSize,
        'maxInsertRequestSize',
      );
      const cache = caches.for(sink);
      const pusher = new RowPusher('prometheus', sink, limits, new LineErrors('prometheus'), {
        wasm: cfg.wasmFastPath,
      });
      const nowMs = defaultTs || Date.now();
      pusher.begin();
      const map = cache.context(extra.length === 0 ? '' : JSON.stringify(extra));
      parser.parseText(
        decodeText(body),
        (key, value, tsMs) => {
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
          return undefined;
        },
        pusher.errors.add,
      );
      pusher.end();
      respondOk(res, pusher.errors);
    } catch (err) {
      drain(req);
      respondError(res, err, path);
    }
  };
}
