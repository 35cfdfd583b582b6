// The push handlers' memory of the series they have seen: the raw series text as the protocol carries it
// (an influx `measurement,tags` prefix, a graphite path with its tags, the label bytes of a remote-write
// series, ...) → what that series resolved to (label limits, -remoteWrite.label, relabeling, encoded
// labels per URL). Pushers send the same series over and over, so the steady state parses no labels,
// builds no Label objects and relabels nothing; this is most of what cut push ingestion's cost per row
// (docs/BENCHMARKS.md).
//
// Bounded: every cache of one sink shares one byte budget (-ingest.routeCacheSize); when a new entry would
// exceed it, all of them are emptied and refill from the traffic (a two-generation scheme would keep the
// hot half, but a working set larger than the budget thrashes either way, and emptying is O(1) per entry).
// Stale routes are never used: a change of the sink's routeVersion (a relabel reload) empties them too.
import { defaultRegistry } from '../../../lib/metrics/registry.js';
import type { IngestSink } from './common.js';

// What one entry costs beyond its key and value bytes: the Map slot, the value objects, the key string
// header (an estimate; route-cache.test.ts checks the total against the heap).
const entryOverheadBytes = 160;

// Request contexts (query args that change series: db, extra_label) per cache before it is emptied.
const maxContexts = 1024;

const bytesGauge = defaultRegistry.gauge('lookout_ingest_route_cache_bytes');
const resetsFull = defaultRegistry.counter('lookout_ingest_route_cache_resets_total{reason="full"}');
const resetsReload = defaultRegistry.counter('lookout_ingest_route_cache_resets_total{reason="reload"}');

class Budget {
  readonly maxBytes: number;
  bytes = 0;
  readonly caches = new Set<RouteCache<unknown, string | number>>();
  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }
  add(n: number): void {
    this.bytes += n;
    bytesGauge.set(this.bytes);
  }
}

const budgets = new WeakMap<IngestSink, Budget>();

/** Returns an unshared copy of s, so a cached key does not keep the whole request body it was sliced from. */
export function detachString(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

/**
 * A map from raw series text to V per request context, for one handler and one sink. Use context() once
 * per block and keep the returned map for that block; get from it directly, add through add(). K is a
 * number for a handler that keys by a hash of the series bytes (and keeps the bytes in V to check hits).
 */
export class RouteCache<V, K extends string | number = string> {
  readonly #sink: IngestSink;
  readonly #budget: Budget;
  #version: string;
  #bytes = 0;
  #generation = 0;
  readonly #contexts = new Map<string, Map<K, V>>();

  /** maxBytes is the budget of all caches of this sink; the first cache made for a sink sets it. */
  constructor(sink: IngestSink, maxBytes: number) {
    this.#sink = sink;
    let b = budgets.get(sink);
    if (!b) budgets.set(sink, (b = new Budget(maxBytes)));
    this.#budget = b;
    b.caches.add(this);
    this.#version = sink.routeVersion();
  }

  /** The map of one request context ('' for none); empties the cache first if the routes went stale. */
  context(ctx: string): Map<K, V> {
    const v = this.#sink.routeVersion();
    if (v !== this.#version) {
      this.#version = v;
      for (const c of this.#budget.caches) c.#clear();
      resetsReload.inc();
    }
    let m = this.#contexts.get(ctx);
    if (m === undefined) {
      if (this.#contexts.size >= maxContexts) this.#clear();
      m = new Map();
      this.#contexts.set(ctx, m);
    }
    return m;
  }

  /**
   * Adds key → value to m (a map from context()); `bytes` is what value holds besides the key. Empties
   * every cache of the sink first when the budget would overflow. Returns the stored key: a copy of key
   * that keeps no request body alive.
   */
  add(m: Map<K, V>, key: K, value: V, bytes: number): K {
    const cost = entryOverheadBytes + (typeof key === 'string' ? 2 * key.length : 0) + bytes;
    const b = this.#budget;
    if (b.bytes + cost > b.maxBytes) {
      for (const c of b.caches) c.#clear();
      resetsFull.inc();
    }
    const stored = typeof key === 'string' ? (detachString(key) as K) : key;
    m.set(stored, value);
    this.#bytes += cost;
    b.add(cost);
    return stored;
  }

  /**
   * Accounts for `bytes` more held by an entry already added (a new field of a cached influx series);
   * empties every cache of the sink when the budget overflows.
   */
  charge(bytes: number): void {
    const b = this.#budget;
    if (b.bytes + bytes > b.maxBytes) {
      for (const c of b.caches) c.#clear();
      resetsFull.inc();
      return;
    }
    this.#bytes += bytes;
    b.add(bytes);
  }

  /** The number of cached series over all contexts (tests). */
  get size(): number {
    let n = 0;
    for (const m of this.#contexts.values()) n += m.size;
    return n;
  }

  /** Counts the clears: what was derived from the cache's routes before a clear may be stale after it. */
  get generation(): number {
    return this.#generation;
  }

  #clear(): void {
    this.#generation++;
    // Maps handed out by context() stay valid (emptied, not replaced) while a block still holds them.
    for (const m of this.#contexts.values()) m.clear();
    if (this.#contexts.size >= maxContexts) this.#contexts.clear();
    this.#budget.add(-this.#bytes);
    this.#bytes = 0;
  }
}

/** The RouteCache of each sink a handler serves: HTTP handlers are given their sink per request. */
export class SinkRouteCaches<V, K extends string | number = string> {
  readonly #maxBytes: number;
  readonly #caches = new WeakMap<IngestSink, RouteCache<V, K>>();

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The cache for sink, made on first use. */
  for(sink: IngestSink): RouteCache<V, K> {
    let c = this.#caches.get(sink);
    if (!c) this.#caches.set(sink, (c = new RouteCache<V, K>(sink, this.#maxBytes)));
    return c;
  }
}
