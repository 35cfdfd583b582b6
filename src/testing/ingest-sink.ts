// A test double of the push handlers' IngestSink: it keeps what it is given as series, so tests can look
// at what each protocol turns into without a remote-write client.
import type { IngestSink, PushRoute } from '../app/agent/ingest/common.js';
import { decodeWriteRequest } from '../lib/prompb/decode.js';
import { encodeLabels, hashLabels } from '../lib/prompb/encode.js';
import type { Label, TimeSeries } from '../lib/prompb/types.js';
import { wasmRows } from '../lib/wasm/rows.js';
import type { RoutePart } from '../lib/wasm/rows.js';

interface CollectRoute {
  labels: Label[];
}

/**
 * Collects pushed rows as series; consecutive samples of one route extend the same series. With
 * `wasmSlots`, it also offers the WebAssembly output that many slots and collects what they are handed
 * (decoded from the staged bytes): rows then arrive in input order per series, not overall.
 */
export class CollectingSink implements IngestSink {
  readonly series: TimeSeries[] = [];
  /** Set false to make acceptsPush refuse (the handlers answer 429). */
  accepting = true;
  /** Change it to make the handlers drop their cached routes (as a relabel reload does). */
  version = '';
  /** How many times pushRoute was called (cache tests). */
  routes = 0;
  /** Called after each new series or sample (e.g. to count or to assert). */
  onSample: ((ts: TimeSeries) => void) | undefined;
  /** Rows the WebAssembly output wrote (as the sink was told). */
  wasmRows = 0;
  #last: CollectRoute | undefined;
  readonly #wasmSlots: number;
  #slotBase = -1;

  constructor(opts: { wasmSlots?: number } = {}) {
    this.#wasmSlots = opts.wasmSlots ?? 0;
    if (this.#wasmSlots > 0) this.wasmRouteParts = this.#wasmRouteParts;
  }

  wasmRouteParts: ((route: PushRoute) => RoutePart[] | undefined) | undefined;

  wasmRowsPushed(n: number): void {
    this.wasmRows += n;
  }

  #wasmRouteParts = (route: PushRoute): RoutePart[] | undefined => {
    if (this.#slotBase < 0) {
      const target = (bytes: Uint8Array, start: number, end: number, rows: number): void => {
        const got = decodeWriteRequest(bytes.subarray(start, end));
        if (got.length !== rows) throw new Error(`BUG: ${rows} rows staged, ${got.length} decoded`);
        for (const ts of got)
          this.#collect({ labels: ts.labels }, ts.samples[0]!.value, ts.samples[0]!.timestampMs);
      };
      this.#slotBase = wasmRows().addSlots(Array.from({ length: this.#wasmSlots }, () => target));
      if (this.#slotBase < 0) throw new Error('no WebAssembly output slots left');
    }
    const labels = encodeLabels((route as CollectRoute).labels);
    return [{ labels, slot: this.#slotBase + (hashLabels(labels) % this.#wasmSlots) }];
  };

  acceptsPush(): boolean {
    return this.accepting;
  }

  routeVersion(): string {
    return this.version;
  }

  pushRoute(labels: Label[]): PushRoute {
    this.routes++;
    const r: CollectRoute = { labels: labels.map((l) => ({ name: l.name, value: l.value })) };
    return r;
  }

  pushSample(route: PushRoute, value: number, timestampMs: number): void {
    this.#collect(route as CollectRoute, value, timestampMs);
  }

  #collect(r: CollectRoute, value: number, timestampMs: number): void {
    let ts = this.series.at(-1);
    if (this.#last !== r || ts === undefined) {
      ts = { labels: r.labels, samples: [] };
      this.series.push(ts);
      this.#last = r;
    }
    ts.samples.push({ value, timestampMs });
    this.onSample?.(ts);
  }

  /** Forgets what was collected (not the settings). */
  clear(): void {
    this.series.length = 0;
    this.#last = undefined;
  }
}
