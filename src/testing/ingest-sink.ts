// A test double of the push handlers' IngestSink: it keeps what it is given as series, so tests can look
// at what each protocol turns into without a remote-write client.
import type { IngestSink, PushRoute } from '../app/agent/ingest/common.js';
import type { Label, TimeSeries } from '../lib/prompb/types.js';

interface CollectRoute {
  labels: Label[];
}

/** Collects pushed rows as series; consecutive samples of one route extend the same series. */
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
  #last: CollectRoute | undefined;

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
    const r = route as CollectRoute;
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
