// The agent's delivery side: one RemoteWriteClient per -remoteWrite.url, the global and per-URL
// relabeling, -remoteWrite.label, and the SeriesSink the scrapers write into (vmagent's
// app/vmagent/remotewrite).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Label } from '../../lib/prompb/types.js';
import { encodeLabels, encodedLabelsSize, hashLabels, putLabels } from '../../lib/prompb/encode.js';
import { RemoteWriteClient } from '../../lib/remotewrite/client.js';
import { wasmRows } from '../../lib/wasm/rows.js';
import type { RoutePart, SlotTarget } from '../../lib/wasm/rows.js';
import type { SeriesRoute } from '../../lib/promscrape/sink.js';
import type { ArenaSink } from '../../lib/promscrape/sink.js';
import { defaultRegistry } from '../../lib/metrics/registry.js';
import { finalizeLabels } from '../../lib/promrelabel/labels.js';
import type { AgentFlags } from './flags.js';
import { buildFlagAuth } from './remotewrite-auth.js';

/** A relabeling step: returns the new labels, [] when the series is dropped. */
export type RelabelFn = (labels: Label[]) => Label[];

// Where one series goes: its encoded labels and shard hash per URL (undefined = dropped for that URL).
interface Route {
  enc: Array<Uint8Array | undefined>;
  hash: number[];
}

// The push route of a series that global relabeling drops (or every URL's relabeling): its samples are
// counted in vmagent_remotewrite_global_relabel_metrics_dropped_total, as vmagent counts each one.
const droppedRoute: Route = { enc: [], hash: [] };

// The chunks push routes encode their labels into.
const arenaChunkBytes = 64 * 1024;

function encodeRoute(sets: Array<Label[] | undefined>): Route {
  const route: Route = { enc: [], hash: [] };
  for (const ls of sets) {
    const enc = ls && encodeLabels(ls);
    route.enc.push(enc);
    route.hash.push(enc ? hashLabels(enc) : 0);
  }
  return route;
}

function byName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Fans every series out to all remote-write clients. `routeLabels`/`route` are the cold path (extra labels,
 * global relabeling, per-URL relabeling, sorting, encoding); `appendEncoded`/`append` are the hot path.
 * The scrapers use the ArenaSink side (encoded labels kept in their per-target arenas); push ingestion
 * uses route/append.
 */
export class Fanout implements ArenaSink {
  readonly #clients: RemoteWriteClient[];
  readonly #extraLabels: Label[];
  readonly #globalRelabel: RelabelFn | undefined;
  readonly #urlRelabel: Array<RelabelFn | undefined>;
  readonly #relabelVersion: () => string;
  #arena = new Uint8Array(0);
  #arenaPos = 0;
  // The first WebAssembly output slot of each client's shards; null when the slots ran out.
  #slotBases: number[] | null | undefined;
  readonly #rowsPushed = defaultRegistry.counter('vmagent_remotewrite_global_rows_pushed_total');
  readonly #dropped = defaultRegistry.counter('vmagent_remotewrite_global_relabel_metrics_dropped_total');

  constructor(
    clients: RemoteWriteClient[],
    extraLabels: Label[],
    globalRelabel: RelabelFn | undefined,
    urlRelabel: Array<RelabelFn | undefined>,
    relabelVersion: () => string = () => '',
  ) {
    this.#clients = clients;
    this.#extraLabels = extraLabels;
    this.#globalRelabel = globalRelabel;
    this.#urlRelabel = urlRelabel;
    this.#relabelVersion = relabelVersion;
  }

  get destinations(): number {
    return this.#clients.length;
  }

  routeLabels(labels: Label[]): Array<Label[] | undefined> | undefined {
    const sets = this.#relabel(labels);
    if (sets === null) this.#dropped.inc();
    return sets ?? undefined;
  }

  // The final label sets per URL; null when global relabeling drops the series, undefined when every
  // URL's relabeling does.
  #relabel(labels: Label[]): Array<Label[] | undefined> | undefined | null {
    let ls = labels.slice();
    for (const x of this.#extraLabels) {
      const i = ls.findIndex((l) => l.name === x.name);
      if (i >= 0) ls[i] = x;
      else ls.push(x);
    }
    if (this.#globalRelabel) {
      ls = finalizeLabels(this.#globalRelabel(ls));
      if (ls.length === 0) return null;
    }
    const out: Array<Label[] | undefined> = [];
    let any = false;
    let sorted: Label[] | undefined;
    for (let i = 0; i < this.#clients.length; i++) {
      const rel = this.#urlRelabel[i];
      if (!rel) {
        // Without per-URL relabeling every URL gets the same label set: sort it once, share the array.
        out.push((sorted ??= ls.slice().sort(byName)));
        any = true;
        continue;
      }
      const ls2 = finalizeLabels(rel(ls.slice()));
      out.push(ls2.length === 0 ? undefined : ls2.slice().sort(byName));
      any ||= ls2.length > 0;
    }
    return any ? out : undefined;
  }

  route(labels: Label[]): SeriesRoute | undefined {
    const sets = this.routeLabels(labels);
    return sets && encodeRoute(sets);
  }

  append(r: SeriesRoute, value: number, timestampMs: number): void {
    const route = r as Route;
    const n = route.enc.length;
    for (let i = 0; i < n; i++) {
      const enc = route.enc[i];
      if (enc !== undefined) this.#clients[i]!.appendSample(enc, route.hash[i]!, value, timestampMs);
    }
    this.#rowsPushed.inc();
  }

  appendEncoded(
    bytes: Uint8Array,
    offs: Int32Array,
    lens: Int32Array,
    hashes: Uint32Array,
    base: number,
    value: number,
    timestampMs: number,
  ): void {
    const n = this.#clients.length;
    for (let i = 0; i < n; i++) {
      const off = offs[base + i]!;
      if (off >= 0)
        this.#clients[i]!.appendSampleRange(
          bytes,
          off,
          lens[base + i]!,
          hashes[base + i]!,
          value,
          timestampMs,
        );
    }
    this.#rowsPushed.inc();
  }

  // Push ingestion (IngestSink): the handlers cache pushRoute's result per series and call pushSample.

  /** False while a memory-only queue is full: push handlers answer 429. */
  acceptsPush(): boolean {
    for (const c of this.#clients) if (!c.acceptsPush()) return false;
    return true;
  }

  /** Changes when the relabel files are reloaded: cached push routes are stale then. */
  routeVersion(): string {
    return this.#relabelVersion();
  }

  /** The route of a pushed series; a dropped series gets a route that counts its samples as dropped. */
  pushRoute(labels: Label[]): SeriesRoute {
    const sets = this.#relabel(labels);
    if (sets === null) return droppedRoute;
    if (!sets) return { enc: [], hash: [] };
    // map() makes arrays of the exact size (push() would reserve 17 slots per series).
    const enc = sets.map((ls) => ls && this.#arenaEncode(ls));
    return { enc, hash: enc.map((e) => (e ? hashLabels(e) : 0)) };
  }

  // Encodes labels into a view of a shared chunk: a pushed series costs a view object, not an
  // ArrayBuffer of its own (~170 bytes of malloc and bookkeeping each, measured on 100k series). A chunk
  // is freed when no cached route points into it any more.
  #arenaEncode(labels: Label[]): Uint8Array {
    const size = encodedLabelsSize(labels);
    if (this.#arenaPos + size > this.#arena.length) {
      this.#arena = new Uint8Array(Math.max(arenaChunkBytes, size));
      this.#arenaPos = 0;
    }
    const start = this.#arenaPos;
    this.#arenaPos = putLabels(this.#arena, start, labels);
    return this.#arena.subarray(start, this.#arenaPos);
  }

  pushSample(r: SeriesRoute, value: number, timestampMs: number): void {
    if (r === droppedRoute) this.#dropped.inc();
    else this.append(r, value, timestampMs);
  }

  /**
   * Where the WebAssembly output writes the rows of a pushed series: one part per URL that keeps it (its
   * encoded labels, the slot of its shard). Undefined for a dropped series, and when the output has no
   * slots left for this fan-out: its rows come through pushSample.
   */
  wasmRouteParts(r: SeriesRoute): RoutePart[] | undefined {
    if (r === droppedRoute) return undefined;
    const bases = (this.#slotBases ??= this.#addSlots());
    if (bases === null) return undefined;
    const route = r as Route;
    const parts: RoutePart[] = [];
    for (let i = 0; i < route.enc.length; i++) {
      const labels = route.enc[i];
      const c = this.#clients[i]!;
      if (labels !== undefined) parts.push({ labels, slot: bases[i]! + c.shardOf(route.hash[i]!) });
    }
    return parts;
  }

  /** Counts rows the WebAssembly output wrote for routes of wasmRouteParts. */
  wasmRowsPushed(n: number): void {
    this.#rowsPushed.add(n);
  }

  #addSlots(): number[] | null {
    const bases: number[] = [];
    for (const c of this.#clients) {
      const targets: SlotTarget[] = [];
      for (let s = 0; s < c.shardCount; s++)
        targets.push((bytes, start, end, rows) => c.appendRows(s, bytes, start, end, rows));
      const base = wasmRows().addSlots(targets);
      if (base < 0) return null;
      bases.push(base);
    }
    return bases;
  }

  flush(): void {
    for (const c of this.#clients) c.flush();
  }

  /** Flushes pending data into the queues and stops the senders. */
  async close(): Promise<void> {
    await Promise.all(this.#clients.map((c) => c.close()));
  }
}

/** Parses -remoteWrite.label values (`name=value`); throws naming the bad value. */
export function parseExtraLabels(values: readonly string[]): Label[] {
  return values.map((v) => {
    const i = v.indexOf('=');
    if (i <= 0) throw new Error(`missing '=' in -remoteWrite.label=${JSON.stringify(v)}; want name=value`);
    return { name: v.slice(0, i), value: v.slice(i + 1) };
  });
}

// vmagent names each URL's queue directory `<index>_<hash of URL>` so a changed URL gets a new queue.
function queueDirName(i: number, url: string): string {
  return `${i + 1}_${createHash('sha256').update(url).digest('hex').slice(0, 16).toUpperCase()}`;
}

/** Builds one RemoteWriteClient per -remoteWrite.url from the flags; throws on bad flag values. */
export function buildClients(f: AgentFlags['remoteWrite']): RemoteWriteClient[] {
  return f.url.values.map((url, i) => {
    const auth = buildFlagAuth(f, i);
    return new RemoteWriteClient({
      url,
      urlIndex: i,
      queues: f.queues.value,
      flushIntervalMs: f.flushIntervalMs.value,
      maxBlockBytes: f.maxBlockSize.value,
      maxRowsPerBlock: f.maxRowsPerBlock.value,
      sendTimeoutMs: f.sendTimeoutMs.at(i),
      retryMinIntervalMs: f.retryMinIntervalMs.at(i),
      retryMaxIntervalMs: f.retryMaxIntervalMs.at(i),
      queueDir: join(f.tmpDataPath.value, 'persistent-queue', queueDirName(i, url)),
      maxDiskBytes: f.maxDiskUsagePerURL.at(i),
      disableOnDiskQueue: f.disableOnDiskQueue.value,
      memoryQueueBytes: f.memoryQueueBytes.value,
      headers: auth.headers,
      tls: auth.tls,
    });
  });
}
