// Our side of the side-by-side tests: the ingestion router and listeners over a sink that writes every
// series into a VictoriaMetrics via /api/v1/import (JSON lines), so both sides end in the same storage.
import http from 'node:http';
import snappy from 'snappy';
import { encodeWriteRequest } from '../../src/lib/prompb/encode.js';
import type { AddressInfo } from 'node:net';
import type { TimeSeries } from '../../src/lib/prompb/types.js';
import type { IngestSink } from '../../src/app/agent/ingest/common.js';
import type { IngestConfig } from '../../src/app/agent/ingest/flags.js';
import { makeIngestRouter } from '../../src/app/agent/ingest/router.js';
import { CollectingSink } from '../../src/testing/ingest-sink.js';
import type { IngestCodecs } from '../../src/app/agent/ingest/router.js';
import { startIngestListeners } from '../../src/app/agent/ingest/listeners.js';
import type { IngestListeners } from '../../src/app/agent/ingest/listeners.js';

/** Encodes series as VictoriaMetrics JSON lines (finite values only: v1.79's import rejects NaN/Inf). */
export function toImportLines(series: TimeSeries[]): string {
  return series
    .map((ts) =>
      JSON.stringify({
        metric: Object.fromEntries(ts.labels.map((l) => [l.name, l.value])),
        values: ts.samples.map((s) => s.value),
        timestamps: ts.samples.map((s) => s.timestampMs),
      }),
    )
    .join('\n');
}

/**
 * A sink writing into VictoriaMetrics through its /api/v1/import JSON-lines API; series with NaN or Inf
 * samples (which v1.79's JSON import cannot carry) go through /api/v1/write instead. The series are
 * collected and written by settle(), which resolves once they are stored.
 */
export function makeImportSink(vmURL: string): { sink: IngestSink; settle(): Promise<void> } {
  const sink = new CollectingSink();
  const post = async (
    path: string,
    body: string | Uint8Array,
    headers: Record<string, string> = {},
  ): Promise<void> => {
    const r = await fetch(`${vmURL}${path}`, { method: 'POST', body, headers });
    if (!r.ok) throw new Error(`write into VictoriaMetrics failed: ${r.status} ${await r.text()}`);
  };
  return {
    sink,
    settle: async () => {
      const series = sink.series.slice();
      sink.clear();
      const finite = series.filter((ts) => ts.samples.every((s) => Number.isFinite(s.value)));
      const special = series.filter((ts) => !finite.includes(ts));
      if (finite.length > 0) await post('/api/v1/import', toImportLines(finite));
      if (special.length > 0) {
        await post('/api/v1/write', new Uint8Array(snappy.compressSync(encodeWriteRequest(special))), {
          'Content-Encoding': 'snappy',
        });
      }
    },
  };
}

/** The running Lookout side: an HTTP server on the router and the TCP/UDP listeners. */
export interface LookoutSide {
  httpPort: number;
  listeners: IngestListeners;
  close(): Promise<void>;
}

/** Starts the HTTP router and listeners on 127.0.0.1 with ports from cfg (use `127.0.0.1:0`). */
export async function startLookoutSide(
  cfg: IngestConfig,
  sink: IngestSink,
  codecs: IngestCodecs,
): Promise<LookoutSide> {
  const route = makeIngestRouter(cfg, sink, codecs);
  const server = http.createServer((req, res) => {
    if (!route(req, res)) {
      res.writeHead(404);
      res.end('not found\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const listeners = await startIngestListeners(cfg, sink);
  return {
    httpPort: (server.address() as AddressInfo).port,
    listeners,
    close: async () => {
      await listeners.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
