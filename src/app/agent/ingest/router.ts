// Maps vmagent's push paths to their handlers. The agent's HTTP server calls routeIngest() and falls
// through to its other routes when it returns false.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngestConfig } from './flags.js';
import type { IngestHandler, IngestSink } from './common.js';
import {
  handleInfluxHealth,
  handleInfluxPing,
  makeInfluxQueryHandler,
  makeInfluxWriteHandler,
} from './influx.js';
import { makeOpenTSDBHTTPHandler } from './opentsdb.js';
import { makeVMImportHandler } from './vmimport.js';
import { makePrometheusImportHandler } from './prometheusimport.js';
import type { PrometheusTextParser } from './prometheusimport.js';
import { makeRemoteWriteHandler } from './promremotewrite.js';
import { makeOpenTelemetryHandler } from './opentelemetry.js';

/** The injected codecs other packages provide (main.ts passes them; see prometheusimport.ts). */
export interface IngestCodecs {
  prometheus?: PrometheusTextParser;
}

/** Routes one request; returns false when the path is not an ingestion path. */
export type IngestRouter = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Builds the router over the push handlers; every handler sends into sink. */
export function makeIngestRouter(
  cfg: IngestConfig,
  sink: IngestSink,
  codecs: IngestCodecs = {},
): IngestRouter {
  const exact = new Map<string, IngestHandler | ((req: IncomingMessage, res: ServerResponse) => void)>();
  const influx = makeInfluxWriteHandler(cfg);
  for (const p of ['/write', '/influx/write', '/api/v2/write', '/influx/api/v2/write']) exact.set(p, influx);
  for (const p of ['/ping', '/influx/ping']) exact.set(p, handleInfluxPing);
  exact.set('/influx/health', handleInfluxHealth);
  const query = makeInfluxQueryHandler(cfg);
  for (const p of ['/query', '/influx/query']) exact.set(p, query);
  const otsdb = makeOpenTSDBHTTPHandler(cfg);
  for (const p of ['/api/put', '/opentsdb/api/put']) exact.set(p, otsdb);
  exact.set('/api/v1/import', makeVMImportHandler(cfg));
  exact.set('/opentelemetry/v1/metrics', makeOpenTelemetryHandler(cfg));
  exact.set('/opentelemetry/api/v1/push', makeOpenTelemetryHandler(cfg));
  exact.set('/api/v1/write', makeRemoteWriteHandler(cfg));
  const prom = codecs.prometheus ? makePrometheusImportHandler(cfg, codecs.prometheus) : undefined;
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const h = exact.get(path);
    if (h) {
      void h(req, res, sink);
      return true;
    }
    if (prom && path.startsWith('/api/v1/import/prometheus')) {
      void prom(req, res, sink);
      return true;
    }
    return false;
  };
}
