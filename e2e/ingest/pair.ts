// Starts the side-by-side setup: vmagent → VM1 and Lookout's handlers → VM2, with matching flags.
import type { IngestConfig } from '../../src/app/agent/ingest/flags.js';
import { defaultIngestConfig } from '../../src/app/agent/ingest/flags.js';
import { exportAll, startProc, waitFor } from './procs.js';
import { startVictoriaMetrics } from '../harness/victoria-metrics.js';
import { freePort } from '../harness/proc.js';
import { makeImportSink, startLookoutSide } from './lookout-side.js';
import type { LookoutSide } from './lookout-side.js';
import { send } from './payloads.js';
import type { Push } from './payloads.js';
import { parseText } from '../../src/lib/protoparser/prometheus/parser.js';
import { parseSeriesKey } from '../../src/lib/protoparser/prometheus/series-key.js';

const prometheusParser = { parseText, parseSeriesKey };

/** A running pair; push() sends to both, compare() exports both storages. */
export interface Pair {
  push(p: Push): Promise<[number, number]>;
  /** Waits for our writes, then polls vmagent's storage (bounded) and returns [ours, theirs]. */
  compare(match: string): Promise<[string[], string[]]>;
  stop(): Promise<void>;
}

/** Starts both sides; vmagentFlags are extra vmagent flags, overrides the same settings for Lookout. */
export async function startPair(vmagentFlags: string[], overrides: Partial<IngestConfig>): Promise<Pair> {
  const procs: Array<{ stop(): Promise<unknown> }> = [];
  let lookout: LookoutSide | undefined;
  const stop = async (): Promise<void> => {
    await lookout?.close();
    for (const p of procs.reverse()) await p.stop();
  };
  try {
    const vm1 = await startVictoriaMetrics();
    procs.push(vm1);
    const vm2 = await startVictoriaMetrics();
    procs.push(vm2);
    const [httpPort, graphite, influx, opentsdb] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    procs.push(
      await startProc(
        'vmagent',
        (dir) => [
          `-remoteWrite.url=${vm1.url}/api/v1/write`,
          `-remoteWrite.tmpDataPath=${dir}/q`,
          `-httpListenAddr=127.0.0.1:${httpPort}`,
          `-graphiteListenAddr=127.0.0.1:${graphite}`,
          `-influxListenAddr=127.0.0.1:${influx}`,
          `-opentsdbListenAddr=127.0.0.1:${opentsdb}`,
          '-loggerLevel=ERROR',
          ...vmagentFlags,
        ],
        httpPort,
      ),
    );
    const cfg = defaultIngestConfig({
      graphiteListenAddr: '127.0.0.1:0',
      influxListenAddr: '127.0.0.1:0',
      opentsdbListenAddr: '127.0.0.1:0',
      ...overrides,
    });
    const side = makeImportSink(vm2.url);
    lookout = await startLookoutSide(cfg, side.sink, { prometheus: prometheusParser });
    const theirs = { http: httpPort, graphite, influx, opentsdb };
    const ours = {
      http: lookout.httpPort,
      graphite: lookout.listeners.ports.get('graphite-tcp')!,
      influx: lookout.listeners.ports.get('influx-tcp')!,
      opentsdb: lookout.listeners.ports.get('opentsdb-tcp')!,
    };
    return {
      push: async (p) => [await send(p, theirs), await send(p, ours)],
      compare: async (match) => {
        // TCP/UDP data is parsed asynchronously on our side too: give the sockets a moment, then settle.
        await new Promise((r) => setTimeout(r, 300));
        await side.settle();
        const o = await exportAll(vm2.url, match);
        const t = await waitFor(
          async () => {
            const x = await exportAll(vm1.url, match);
            return x.length >= o.length ? x : undefined;
          },
          20_000,
          `vmagent's series matching ${match}`,
        ).catch(async () => exportAll(vm1.url, match));
        return [o, t];
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
