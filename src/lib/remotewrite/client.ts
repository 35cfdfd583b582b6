// The per -remoteWrite.url client of `lookout agent` (vmagent's app/vmagent/remotewrite client + pendingseries):
// samples are routed by series hash to one of `queues` shards; each shard builds a WriteRequest in its own
// buffer, cuts it into snappy-compressed blocks (maxRowsPerBlock, maxBlockBytes, flushIntervalMs), stores the
// blocks in its own queue (a PersistentQueue subdirectory, or a MemoryQueue) and one sender per shard POSTs
// them in order, so the samples of one series reach the URL in timestamp order even across retries.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { getLogger, getThrottledLogger } from '../logger/logger.js';
import { defaultRegistry, type Counter, type Summary } from '../metrics/registry.js';
import type { BlockQueue } from '../persistentqueue/block-queue.js';
import { MemoryQueue } from '../persistentqueue/memory-queue.js';
import { PersistentQueue } from '../persistentqueue/persistent-queue.js';
import { encodeLabels, hashLabels, WriteRequestBuffer } from '../prompb/encode.js';
import type { TimeSeries } from '../prompb/types.js';
import { classifyStatus, parseRetryAfterMs, Poster, type PostResult } from './send.js';

const log = getLogger('lib/remotewrite');
const throttled = getThrottledLogger('lib/remotewrite');

/** Settings of one remote-write URL; the app builds them from the -remoteWrite.* flags. */
export interface RemoteWriteOptions {
  url: string;
  /** 0-based position of the URL among -remoteWrite.url; metrics show url="<urlIndex+1>:secret-url" like vmagent. */
  urlIndex: number;
  /** -remoteWrite.queues: shards, each with its own buffer, queue subdirectory and sender. */
  queues: number;
  flushIntervalMs: number;
  /** Uncompressed WriteRequest size at which a block is cut. */
  maxBlockBytes: number;
  maxRowsPerBlock: number;
  sendTimeoutMs: number;
  retryMinIntervalMs: number;
  retryMaxIntervalMs: number;
  /** Directory of this URL's queues: one PersistentQueue per shard in <queueDir>/<shard>. */
  queueDir: string;
  /** -remoteWrite.maxDiskUsagePerURL, split evenly between the shards; 0 = unlimited. */
  maxDiskBytes: number;
  disableOnDiskQueue?: boolean;
  /** With disableOnDiskQueue: the in-memory budget of this URL, split evenly between the shards. */
  memoryQueueBytes?: number;
  /** Called per request: static -remoteWrite.headers plus Authorization. */
  headers: () => Record<string, string>;
  tls?: ConnectionOptions;
}

interface Shard {
  buf: WriteRequestBuffer;
  queue: BlockQueue;
  /** Size of the last block cut, to tell whether the next one would still fit a memory queue. */
  lastBlockBytes?: number;
}

interface ClientMetrics {
  blocksSent: Counter;
  bytesSent: Counter;
  sendSeconds: Counter;
  duration: Summary;
  retries: Counter;
  errors: Counter;
  packetsDropped: Counter;
  samplesDropped: Counter;
}

/** Sends samples to one remote-write URL; never blocks the caller on the network. */
export class RemoteWriteClient {
  readonly #opts: RemoteWriteOptions;
  readonly #shards: Shard[] = [];
  readonly #drainOnly: Shard[] = [];
  readonly #poster: Poster;
  readonly #abort = new AbortController();
  readonly #senders: Promise<void>[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #label: string;
  readonly #m: ClientMetrics;
  readonly #staticHeaders: Record<string, string> = {
    'Content-Encoding': 'snappy',
    'Content-Type': 'application/x-protobuf',
    'X-Prometheus-Remote-Write-Version': '0.1.0',
    'User-Agent': 'lookout-agent',
  };
  #closed = false;
  readonly #maxRows: number;
  readonly #maxBytes: number;

  /** Opens the queues (backlog on disk is sent first) and starts one sender per shard. */
  constructor(opts: RemoteWriteOptions) {
    if (!(opts.queues >= 1))
      throw new Error(`cannot use -remoteWrite.queues=${opts.queues}: must be at least 1`);
    this.#opts = opts;
    this.#maxRows = Math.max(1, opts.maxRowsPerBlock);
    this.#maxBytes = Math.max(1, opts.maxBlockBytes);
    this.#label = `url="${opts.urlIndex + 1}:secret-url"`;
    this.#poster = new Poster(opts.url, opts.tls, opts.queues);
    this.#m = this.#makeMetrics();
    for (let i = 0; i < opts.queues; i++) {
      this.#shards.push({
        buf: new WriteRequestBuffer(64 * 1024, { snappy: true }),
        queue: this.#openQueue(i),
      });
    }
    if (!opts.disableOnDiskQueue) this.#openLeftoverShards();
    for (const s of [...this.#shards, ...this.#drainOnly]) this.#senders.push(this.#runSender(s));
    this.#timer = setInterval(() => this.flush(), opts.flushIntervalMs);
    this.#timer.unref();
  }

  #openQueue(i: number): BlockQueue {
    const o = this.#opts;
    if (o.disableOnDiskQueue) return new MemoryQueue({ maxBytes: this.#memoryBytesPerShard() });
    const dir = join(o.queueDir, String(i));
    const perShard = o.maxDiskBytes > 0 ? Math.max(1, Math.floor(o.maxDiskBytes / o.queues)) : 0;
    return PersistentQueue.mustOpen(dir, { maxDiskBytes: perShard, name: dir });
  }

  #memoryBytesPerShard(): number {
    return Math.max(1, Math.floor((this.#opts.memoryQueueBytes ?? 32 << 20) / this.#opts.queues));
  }

  // A backlog left by a run with more -remoteWrite.queues is still sent (its shards only drain).
  #openLeftoverShards(): void {
    let names: string[] = [];
    try {
      names = readdirSync(this.#opts.queueDir);
    } catch {
      return;
    }
    for (const n of names) {
      if (!/^\d+$/.test(n) || Number(n) < this.#opts.queues) continue;
      const queue = this.#openQueue(Number(n));
      if (queue.pendingBlocks === 0) queue.close();
      else this.#drainOnly.push({ buf: new WriteRequestBuffer(64), queue });
    }
  }

  #makeMetrics(): ClientMetrics {
    const l = this.#label;
    const c = (name: string): Counter => defaultRegistry.counter(`${name}{${l}}`);
    defaultRegistry.gauge(`vmagent_remotewrite_queues{${l}}`).set(this.#opts.queues);
    defaultRegistry.unregister(`vmagent_remotewrite_pending_data_bytes{${l}}`);
    defaultRegistry.gauge(`vmagent_remotewrite_pending_data_bytes{${l}}`, () => this.pendingBytes);
    return {
      blocksSent: c('vmagent_remotewrite_blocks_sent_total'),
      bytesSent: c('vmagent_remotewrite_bytes_sent_total'),
      sendSeconds: c('vmagent_remotewrite_send_duration_seconds_total'),
      duration: defaultRegistry.summary(`vmagent_remotewrite_duration_seconds{${l}}`),
      retries: c('vmagent_remotewrite_retries_count_total'),
      errors: c('vmagent_remotewrite_errors_total'),
      packetsDropped: c('vmagent_remotewrite_packets_dropped_total'),
      samplesDropped: c('vmagent_remotewrite_samples_dropped_total'),
    };
  }

  /** Buffers one sample for the series with these encoded labels and hash (from prompb hashLabels). Hot path. */
  appendSample(encodedLabels: Uint8Array, hash: number, value: number, timestampMs: number): void {
    const shard = this.#shards[(hash >>> 0) % this.#shards.length]!;
    const buf = shard.buf;
    buf.appendSample(encodedLabels, value, timestampMs);
    if (buf.rows >= this.#maxRows || buf.byteLength >= this.#maxBytes) this.#cut(shard);
  }

  /** Like appendSample with the encoded labels at bytes[start:start+length). Hot path. */
  appendSampleRange(
    bytes: Uint8Array,
    start: number,
    length: number,
    hash: number,
    value: number,
    timestampMs: number,
  ): void {
    const shard = this.#shards[(hash >>> 0) % this.#shards.length]!;
    const buf = shard.buf;
    buf.appendSampleRange(bytes, start, length, value, timestampMs);
    if (buf.rows >= this.#maxRows || buf.byteLength >= this.#maxBytes) this.#cut(shard);
  }

  /** The number of shards (-remoteWrite.queues). */
  get shardCount(): number {
    return this.#shards.length;
  }

  /** The shard of a series with this hash (prompb hashLabels), as appendSample picks it. */
  shardOf(hash: number): number {
    return (hash >>> 0) % this.#shards.length;
  }

  /**
   * Buffers `rows` whole TimeSeries fields encoded as WriteRequestBuffer.appendSample writes them
   * (bytes[start:end), all of series of that shard), cutting blocks exactly where appending them one by one
   * would. Hot path of the WebAssembly output (lib/wasm/rows.ts).
   */
  appendRows(shardIndex: number, bytes: Uint8Array, start: number, end: number, rows: number): void {
    const shard = this.#shards[shardIndex]!;
    while (rows > 0) {
      const buf = shard.buf;
      const roomRows = this.#maxRows - buf.rows;
      const roomBytes = this.#maxBytes - buf.byteLength;
      if (rows < roomRows && end - start < roomBytes) {
        buf.appendRows(bytes, start, end, rows);
        return;
      }
      // The rows up to the one that fills the block: each is 0x0a, varint(length), length bytes.
      let p = start;
      let k = 0;
      while (k < rows) {
        let len = 0;
        let shift = 1;
        let q = p + 1;
        for (;;) {
          const b = bytes[q++]!;
          len += (b & 0x7f) * shift;
          if (b < 0x80) break;
          shift *= 128;
        }
        p = q + len;
        k++;
        if (k >= roomRows || p - start >= roomBytes) break;
      }
      buf.appendRows(bytes, start, p, k);
      this.#cut(shard);
      start = p;
      rows -= k;
    }
  }

  /** Buffers whole series (push ingestion); false when a full memory queue rejects them (nothing is buffered). */
  pushSeries(series: TimeSeries[]): boolean {
    if (!this.acceptsPush()) return false;
    for (const s of series) {
      const labels = encodeLabels(s.labels);
      const hash = hashLabels(labels);
      for (const sm of s.samples) this.appendSample(labels, hash, sm.value, sm.timestampMs);
    }
    return true;
  }

  /**
   * False while pushed data would be dropped: the client is closed, or (with -remoteWrite.disableOnDiskQueue)
   * a shard's memory queue is full. Push handlers answer 429 then, so pushers back off instead of losing data.
   */
  acceptsPush(): boolean {
    if (this.#closed) return false;
    if (!this.#opts.disableOnDiskQueue) return true;
    const max = this.#memoryBytesPerShard();
    // Full when the next block of the usual size would not fit: the memory queue would drop it.
    return !this.#shards.some((s) => s.queue.pendingBytes + (s.lastBlockBytes ?? 0) > max);
  }

  /** Cuts every non-empty pending buffer into a block now. */
  flush(): void {
    for (const s of this.#shards) if (s.buf.rows > 0) this.#cut(s);
  }

  #cut(shard: Shard): void {
    const rows = shard.buf.rows;
    const block = shard.buf.compressed();
    shard.buf.reset();
    shard.lastBlockBytes = block.length;
    if (this.#closed || !shard.queue.write(block)) {
      this.#m.samplesDropped.add(rows);
      throttled.error(
        `dropping ${rows} samples for -remoteWrite.url #${this.#opts.urlIndex + 1}: the memory queue is full`,
      );
    }
  }

  /** Bytes waiting to be sent: queued blocks plus the uncompressed pending buffers. */
  get pendingBytes(): number {
    let n = 0;
    for (const s of [...this.#shards, ...this.#drainOnly]) n += s.queue.pendingBytes + s.buf.byteLength;
    return n;
  }

  async #runSender(shard: Shard): Promise<void> {
    const signal = this.#abort.signal;
    for (;;) {
      const block = await shard.queue.next(signal);
      if (!block || signal.aborted) return;
      if (!(await this.#sendBlock(block, signal))) return; // aborted: the block stays in the queue
      shard.queue.ack();
    }
  }

  // Sends one block until it is delivered or dropped (true) or the client closes (false).
  async #sendBlock(block: Uint8Array, signal: AbortSignal): Promise<boolean> {
    let backoffMs = this.#opts.retryMinIntervalMs;
    for (;;) {
      const start = performance.now();
      const headers = this.#buildHeaders();
      const res =
        headers instanceof Error
          ? { status: 0, error: headers }
          : await this.#poster.post(block, headers, signal, this.#opts.sendTimeoutMs);
      const seconds = (performance.now() - start) / 1000;
      this.#m.sendSeconds.add(seconds);
      this.#m.duration.observe(seconds);
      if (signal.aborted) return false;
      const outcome = res.status === 0 ? 'retry' : classifyStatus(res.status);
      if (res.status !== 0)
        defaultRegistry
          .counter(`vmagent_remotewrite_requests_total{${this.#label},status_code="${res.status}"}`)
          .inc();
      if (outcome === 'ok') {
        this.#m.blocksSent.inc();
        this.#m.bytesSent.add(block.length);
        return true;
      }
      if (outcome === 'drop') {
        this.#m.packetsDropped.inc();
        throttled.error(
          `${this.#describe(res, block)}; dropping the block, since the remote storage cannot accept it`,
        );
        return true;
      }
      if (res.status === 0) this.#m.errors.inc();
      const retryAfterMs = parseRetryAfterMs(res.retryAfter, Date.now());
      const waitMs = Math.min(retryAfterMs ?? backoffMs, Math.max(this.#opts.retryMaxIntervalMs, backoffMs));
      backoffMs = Math.min(backoffMs * 2, this.#opts.retryMaxIntervalMs);
      throttled.warn(`${this.#describe(res, block)}; re-sending the block in ${(waitMs / 1000).toFixed(3)}s`);
      this.#m.retries.inc();
      if (!(await sleep(waitMs, signal))) return false;
    }
  }

  // headers() may read token files: a failure is a retryable send error, never an exception in the sender.
  #buildHeaders(): Record<string, string> | Error {
    try {
      return { ...this.#opts.headers(), ...this.#staticHeaders };
    } catch (err) {
      return new Error(`cannot build request headers: ${(err as Error).message}`);
    }
  }

  #describe(res: PostResult, block: Uint8Array): string {
    const what = `cannot send a block of ${block.length} bytes to -remoteWrite.url #${this.#opts.urlIndex + 1}`;
    if (res.error) return `${what}: ${res.error.message}`;
    return `${what}: unexpected status code ${res.status}; response body=${JSON.stringify((res.body ?? '').slice(0, 500))}`;
  }

  /**
   * Flushes pending buffers into the queues, stops the senders and closes the queues. With the on-disk queue
   * unsent blocks stay on disk for the next start; with the memory queue it first waits up to sendTimeoutMs
   * for them to be sent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    clearInterval(this.#timer);
    if (this.#opts.disableOnDiskQueue) {
      const deadline = Date.now() + this.#opts.sendTimeoutMs;
      while (this.pendingBytes > 0 && Date.now() < deadline) await sleep(20, this.#abort.signal);
    }
    this.#abort.abort();
    await Promise.all(this.#senders);
    for (const s of [...this.#shards, ...this.#drainOnly]) s.queue.close();
    this.#poster.destroy();
    defaultRegistry.unregister(`vmagent_remotewrite_pending_data_bytes{${this.#label}}`);
    log.info(`stopped client for -remoteWrite.url #${this.#opts.urlIndex + 1}`);
  }
}

// Resolves true after ms, or false as soon as signal aborts.
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
