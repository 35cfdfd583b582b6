// Hand-written protobuf codec for the Prometheus remote-write 1.0 WriteRequest (testdata/prompb/remote.proto,
// types.proto): WriteRequest{timeseries=1}, TimeSeries{labels=1, samples=2}, Label{name=1, value=2},
// Sample{value=1 double, timestamp=2 int64}. Other fields (metadata, exemplars, histograms) are skipped on
// decode. Pure code, no I/O. The encoder builds bytes directly so the per-sample path does not allocate.
import { SnappyStream, compress } from '../snappy/compress.js';
import type { Label, TimeSeries } from './types.js';

/** Returns the number of bytes the unsigned varint encoding of n (0 <= n < 2^53) takes. */
function varintSize(n: number): number {
  // A comparison chain instead of a divide loop: timestamps take 6 bytes and this runs per sample.
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  if (n < 0x800000000) return 5;
  if (n < 0x40000000000) return 6;
  if (n < 0x2000000000000) return 7;
  return 8;
}

/** Writes the unsigned varint n (0 <= n < 2^53) at pos and returns the new position. */
function putVarint(buf: Uint8Array, pos: number, n: number): number {
  // Float-only arithmetic on purpose: mixing `n >>>= 7` (int32) with the float loop made TurboFan box n in a
  // HeapNumber per sample (16 B/sample, ~16 scavenges per 2M samples, found with the sampling heap profiler).
  // `n - q * 128` rather than `n % 128`: float modulo is a slow fmod call.
  while (n >= 128) {
    const q = Math.floor(n / 128);
    buf[pos++] = n - q * 128 + 128;
    n = q;
  }
  buf[pos++] = n;
  return pos;
}

/** Size of int64 v as a protobuf varint (negative values take ten bytes: two's complement). */
function int64Size(v: number): number {
  return v < 0 ? 10 : varintSize(v);
}

function putInt64(buf: Uint8Array, pos: number, v: number): number {
  if (v >= 0) return putVarint(buf, pos, v);
  let u = BigInt.asUintN(64, BigInt(v)); // rare (pre-1970 timestamps): allocation is fine here
  for (let i = 0; i < 9; i++) {
    buf[pos++] = Number(u & 0x7fn) | 0x80;
    u >>= 7n;
  }
  buf[pos++] = Number(u);
  return pos;
}

// UTF-8 length of s, as TextEncoder counts it (a lone surrogate becomes U+FFFD: 3 bytes).
function utf8Length(s: string): number {
  const n = s.length;
  let size = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) size += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else size += 2;
  }
  return size;
}

// Writes s as UTF-8 at pos (exactly utf8Length(s) bytes) and returns the new position.
function putUtf8(buf: Uint8Array, pos: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[pos++] = c;
    } else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && (d & 0xfc00) === 0xdc00) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          buf[pos++] = 0xf0 | (c >> 18);
          buf[pos++] = 0x80 | ((c >> 12) & 0x3f);
          buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
          buf[pos++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}

// Size of one `Label` message body (name=1, value=2).
function labelSize(nameLen: number, valueLen: number): number {
  return 1 + varintSize(nameLen) + nameLen + 1 + varintSize(valueLen) + valueLen;
}

/** Returns the number of bytes putLabels writes for labels. */
export function encodedLabelsSize(labels: readonly Label[]): number {
  let total = 0;
  for (const l of labels) {
    const size = labelSize(utf8Length(l.name), utf8Length(l.value));
    total += 1 + varintSize(size) + size;
  }
  return total;
}

/**
 * Writes labels as the repeated `Label labels = 1` fields of a TimeSeries at buf[pos:] (which must have
 * encodedLabelsSize(labels) bytes free) and returns the new position. Hand-written UTF-8 instead of
 * TextEncoder.encode: on the agent benchmark (100 targets x 1000 new series) TextEncoder.encode, a C++
 * call per string, was 28% of the agent's CPU profile.
 */
export function putLabels(buf: Uint8Array, pos: number, labels: readonly Label[]): number {
  for (const l of labels) {
    const nameLen = utf8Length(l.name);
    const valueLen = utf8Length(l.value);
    buf[pos++] = 0x0a;
    pos = putVarint(buf, pos, labelSize(nameLen, valueLen));
    buf[pos++] = 0x0a;
    pos = putVarint(buf, pos, nameLen);
    pos = putUtf8(buf, pos, l.name);
    buf[pos++] = 0x12;
    pos = putVarint(buf, pos, valueLen);
    pos = putUtf8(buf, pos, l.value);
  }
  return pos;
}

/**
 * Encodes labels as the repeated `Label labels = 1` fields of a TimeSeries; the result is passed to
 * WriteRequestBuffer.appendSample for every sample of the series.
 */
export function encodeLabels(labels: readonly Label[]): Uint8Array {
  const out = new Uint8Array(encodedLabelsSize(labels));
  putLabels(out, 0, labels);
  return out;
}

/** Returns the 32-bit FNV-1a hash of encoded labels, used to route a series to a remote-write shard. */
export function hashLabels(encodedLabels: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < encodedLabels.length; i++) {
    h = Math.imul(h ^ encodedLabels[i]!, 0x01000193);
  }
  return h >>> 0;
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/**
 * A growable byte buffer that builds a WriteRequest body one sample at a time. Each appendSample adds one
 * `TimeSeries{labels, samples: [one]}` field (what vmagent sends after relabeling, too); the buffer is reused
 * after reset() so steady-state appends allocate nothing.
 */
export class WriteRequestBuffer {
  #buf: Uint8Array;
  #len = 0;
  #rows = 0;
  #lastTs = NaN;
  #tsLen = 0;
  readonly #tsBytes = new Uint8Array(10);
  readonly #snappy: SnappyStream | undefined;

  /**
   * Creates a buffer with `initialBytes` preallocated; it doubles when full. With `snappy`, every full
   * 64 KiB of the body is compressed as soon as it is written and dropped (see SnappyStream): the buffer
   * stays small and compressed() gives the block, while bytes() is only valid before the first 64 KiB.
   */
  constructor(initialBytes = 64 * 1024, opts: { snappy?: boolean } = {}) {
    this.#buf = new Uint8Array(Math.max(64, initialBytes));
    this.#snappy = opts.snappy ? new SnappyStream() : undefined;
  }

  /**
   * Appends one TimeSeries with the pre-encoded labels and one sample (value, timestamp in ms). The labels
   * are copied with set(): for a whole array it is a memcpy, 2-3x faster than the loop of
   * appendSampleRange for typical 80-byte label sets.
   */
  appendSample(encodedLabels: Uint8Array, value: number, timestampMs: number): void {
    const length = encodedLabels.length;
    let pos = this.#header(length, timestampMs);
    this.#buf.set(encodedLabels, pos);
    pos += length;
    this.#putSample(pos, value, timestampMs);
  }

  /**
   * Like appendSample with the labels at bytes[start:start+length) (an arena shared by many series);
   * copies with a loop because set(subarray()) would allocate a view per sample.
   */
  appendSampleRange(
    bytes: Uint8Array,
    start: number,
    length: number,
    value: number,
    timestampMs: number,
  ): void {
    let pos = this.#header(length, timestampMs);
    const buf = this.#buf;
    for (let i = start, end = start + length; i < end; i++) buf[pos++] = bytes[i]!;
    this.#putSample(pos, value, timestampMs);
  }

  /**
   * Appends `rows` whole TimeSeries fields already encoded as appendSample writes them (bytes[start:end),
   * e.g. staged by the WebAssembly output of lib/wasm/rows.ts).
   */
  appendRows(bytes: Uint8Array, start: number, end: number, rows: number): void {
    const n = end - start;
    if (this.#len + n > this.#buf.length) this.#grow(this.#len + n);
    this.#buf.set(bytes.subarray(start, end), this.#len);
    this.#len += n;
    this.#rows += rows;
    if (this.#len >= SnappyStream.pieceSize && this.#snappy !== undefined) this.#spill(this.#snappy);
  }

  // Makes room for one TimeSeries with `length` label bytes and writes its tag and length; returns where
  // the labels go. Encodes the timestamp's varint for #putSample.
  #header(length: number, timestampMs: number): number {
    const sampleSize = 10 + this.#tsVarint(timestampMs);
    const tsSize = length + 2 + sampleSize; // sampleSize < 128: one-byte length
    const need = 1 + varintSize(tsSize) + tsSize;
    if (this.#len + need > this.#buf.length) this.#grow(this.#len + need);
    this.#buf[this.#len] = 0x0a;
    return putVarint(this.#buf, this.#len + 1, tsSize);
  }

  // The varint of timestampMs in #tsBytes, and its length. The rows of one scrape or one push mostly share
  // a timestamp, so it is encoded once for them (six divisions saved per sample).
  #tsVarint(timestampMs: number): number {
    if (timestampMs !== this.#lastTs) {
      this.#tsLen =
        timestampMs < 0 ? putInt64(this.#tsBytes, 0, timestampMs) : putVarint(this.#tsBytes, 0, timestampMs);
      this.#lastTs = timestampMs;
    }
    return this.#tsLen;
  }

  // Writes the Sample field after the labels at pos (the timestamp as #header encoded it) and ends the row.
  #putSample(pos: number, value: number, timestampMs: number): void {
    const buf = this.#buf;
    const tsLen = this.#tsVarint(timestampMs);
    buf[pos++] = 0x12;
    buf[pos++] = 10 + tsLen;
    buf[pos++] = 0x09;
    f64[0] = value; // little-endian hosts only (x86, arm64): protobuf fixed64 is little-endian
    for (let i = 0; i < 8; i++) buf[pos++] = f64Bytes[i]!;
    buf[pos++] = 0x10;
    const ts = this.#tsBytes;
    for (let i = 0; i < tsLen; i++) buf[pos++] = ts[i]!;
    this.#len = pos;
    this.#rows++;
    if (pos >= SnappyStream.pieceSize && this.#snappy !== undefined) this.#spill(this.#snappy);
  }

  // Compresses the full 64 KiB pieces and keeps the rest (part of the last row) at the start.
  #spill(stream: SnappyStream): void {
    const piece = SnappyStream.pieceSize;
    let from = 0;
    while (this.#len - from >= piece) {
      stream.write(this.#buf, from, from + piece);
      from += piece;
    }
    this.#buf.copyWithin(0, from, this.#len);
    this.#len -= from;
  }

  #grow(min: number): void {
    let size = this.#buf.length * 2;
    while (size < min) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** The encoded (uncompressed) size so far in bytes. */
  get byteLength(): number {
    return this.#len + (this.#snappy?.inputLength ?? 0);
  }
  /** The number of samples appended since the last reset. */
  get rows(): number {
    return this.#rows;
  }
  /** Returns a view of the encoded WriteRequest; valid until the next append or reset. */
  bytes(): Uint8Array {
    if (this.#snappy !== undefined && this.#snappy.inputLength > 0)
      throw new Error('BUG: WriteRequestBuffer.bytes() after a piece was compressed; use compressed()');
    return this.#buf.subarray(0, this.#len);
  }
  /** The snappy-compressed WriteRequest (a new array; the same bytes as compress(body)). */
  compressed(): Uint8Array {
    if (this.#snappy === undefined) return compress(this.bytes());
    this.#snappy.write(this.#buf, 0, this.#len);
    this.#len = 0;
    return this.#snappy.finish();
  }
  /** Empties the buffer, keeping its memory. */
  reset(): void {
    this.#len = 0;
    this.#rows = 0;
    this.#snappy?.reset();
  }
}

/** Encodes series as a WriteRequest body (not compressed), one TimeSeries field per input series. */
export function encodeWriteRequest(series: TimeSeries[]): Uint8Array {
  const encoded = series.map((s) => {
    const labels = encodeLabels(s.labels);
    let size = labels.length;
    for (const sm of s.samples) size += 2 + 10 + int64Size(sm.timestampMs);
    return { labels, size };
  });
  let total = 0;
  for (const e of encoded) total += 1 + varintSize(e.size) + e.size;
  const out = new Uint8Array(total);
  let pos = 0;
  series.forEach((s, i) => {
    const e = encoded[i]!;
    out[pos++] = 0x0a;
    pos = putVarint(out, pos, e.size);
    out.set(e.labels, pos);
    pos += e.labels.length;
    for (const sm of s.samples) {
      out[pos++] = 0x12;
      out[pos++] = 10 + int64Size(sm.timestampMs);
      out[pos++] = 0x09;
      f64[0] = sm.value;
      out.set(f64Bytes, pos);
      pos += 8;
      out[pos++] = 0x10;
      pos = putInt64(out, pos, sm.timestampMs);
    }
  });
  return out;
}
