// The push path's view of a Prometheus remote-write 1.0 WriteRequest: scanned, not decoded. Per series it
// records where the label fields are and reads the samples; labels are decoded only on request, for
// series a handler has not seen (app/agent/ingest/promremotewrite.ts keeps what each series resolved to).
// The checks are decodeWriteRequest's (decode.ts), with the same messages; codec.test.ts fuzzes the two
// against each other.
import type { Label } from './types.js';
import { Reader, readLabel } from './decode.js';

// Entries kept between scans; a scan of a bigger request grows the arrays, release() drops them again.
const keptSeries = 4096;
const keptSamples = 16384;
const keptScratchBytes = 65536;

const emptyBytes: Uint8Array = new Uint8Array(0);
const emptyView: DataView<ArrayBufferLike> = new DataView(emptyBytes.buffer);

/** A kept copy of the label bytes of a scanned series (WriteRequestScan.labelsKey), for labelsMatch(). */
export class LabelsKey {
  /** The bytes as little-endian 32-bit words, the last one zero-padded. */
  readonly words: Int32Array;
  readonly byteLength: number;
  constructor(words: Int32Array, byteLength: number) {
    this.words = words;
    this.byteLength = byteLength;
  }
}

/**
 * A WriteRequest scanned without decoding its labels, for the push path: per series the raw bytes of its
 * label fields and its samples. The label bytes are the series' identity as the client sent it: equal
 * bytes decode to equal labels (the same labels in another order are other bytes), so a handler caches
 * what a series resolves to by labelsHash() + labelsMatch() and calls labels() only for a series it has
 * not seen. scan() checks the message structure exactly as decodeWriteRequest does; the inside of the
 * label fields is checked by labels(). One object serves request after request (not concurrently); what
 * it holds is valid until the next scan().
 *
 * Why a hash and word compare instead of a string key (`latin1Slice` of the bytes): V8 hashes a fresh
 * string char by char, ~2 ns per byte; for the bench's 110-byte label sets the string key and Map.get
 * took ~350 ns per series, this hash, Map.get and compare ~130 ns (node 20, /tmp microbench of the
 * bench payload).
 */
export class WriteRequestScan {
  /** The number of TimeSeries in the last scanned request. */
  seriesCount = 0;
  /** The samples of series i are values[j] and timestampsMs[j] for sampleStart[i] <= j < sampleStart[i+1]. */
  sampleStart = new Int32Array(64);
  values = new Float64Array(256);
  timestampsMs = new Float64Array(256);
  #buf = emptyBytes;
  #view = emptyView;
  // The label fields of series i are the byte ranges [rangeStart[k], rangeEnd[k]) for
  // rangeFirst[i] <= k < rangeFirst[i+1]: one range unless the client put other fields between labels.
  #rangeFirst = new Int32Array(64);
  #rangeStart = new Int32Array(64);
  #rangeEnd = new Int32Array(64);
  #ranges = 0;
  #samples = 0;
  // The label bytes of the series last located (#locate): [#keyStart, #keyEnd) of #keyBytes.
  #keyBytes = emptyBytes;
  #keyView = emptyView;
  #keyStart = 0;
  #keyEnd = 0;
  // Where the label fields of a series in several ranges are put together.
  #scratch = emptyBytes;
  #scratchView = emptyView;

  /** Scans an uncompressed WriteRequest; throws "cannot parse WriteRequest: ..." on malformed structure. */
  scan(buf: Uint8Array): void {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.seriesCount = 0;
    this.#ranges = 0;
    this.#samples = 0;
    const r = new Reader(buf, 0, buf.length);
    try {
      while (r.pos < buf.length) {
        const tag = r.varint();
        if (tag === 0x0a) {
          const end = r.length();
          this.#series(r, end);
          r.pos = end;
          r.end = buf.length;
        } else {
          r.skip(tag & 7);
        }
      }
    } catch (err) {
      throw new Error(`cannot parse WriteRequest: ${(err as Error).message}`);
    }
    this.#rangeFirst[this.seriesCount] = this.#ranges;
    this.sampleStart[this.seriesCount] = this.#samples;
  }

  /**
   * A 30-bit hash of the label bytes of series i (a small integer, so a Map key without boxing). Equal
   * label bytes have equal hashes; check a hit with labelsMatch().
   */
  labelsHash(i: number): number {
    this.#locate(i);
    return labelsHash(this.#keyBytes, this.#keyView, this.#keyStart, this.#keyEnd);
  }

  /** Whether the label bytes of series i are those kept in key. */
  labelsMatch(i: number, key: LabelsKey): boolean {
    this.#locate(i);
    return labelsMatch(this.#keyBytes, this.#keyView, this.#keyStart, this.#keyEnd, key);
  }

  /** A copy of the label bytes of series i, to keep as the key of what it resolved to. */
  labelsKey(i: number): LabelsKey {
    this.#locate(i);
    return labelsKey(this.#keyBytes, this.#keyView, this.#keyStart, this.#keyEnd);
  }

  /** Decodes the labels of series i (as decodeWriteRequest would); throws "cannot parse WriteRequest: ...". */
  labels(i: number): Label[] {
    const out: Label[] = [];
    for (let k = this.#rangeFirst[i]!; k < this.#rangeFirst[i + 1]!; k++)
      decodeLabelFields(this.#buf, this.#rangeStart[k]!, this.#rangeEnd[k]!, out);
    return out;
  }

  /** Lets go of the request and of arrays grown for a big one (call when done with a request). */
  release(): void {
    if (this.sampleStart.length > keptSeries + 1) {
      this.sampleStart = new Int32Array(64);
      this.#rangeFirst = new Int32Array(64);
    }
    if (this.#rangeStart.length > keptSeries) {
      this.#rangeStart = new Int32Array(64);
      this.#rangeEnd = new Int32Array(64);
    }
    if (this.values.length > keptSamples) {
      this.values = new Float64Array(256);
      this.timestampsMs = new Float64Array(256);
    }
    if (this.#scratch.length > keptScratchBytes) {
      this.#scratch = emptyBytes;
      this.#scratchView = emptyView;
    }
    this.#buf = this.#keyBytes = emptyBytes;
    this.#view = this.#keyView = emptyView;
    this.seriesCount = 0;
  }

  // Points #keyBytes/#keyView/#keyStart/#keyEnd at the label bytes of series i: the request itself when
  // they are one range, else a copy of the ranges put together.
  #locate(i: number): void {
    const first = this.#rangeFirst[i]!;
    const last = this.#rangeFirst[i + 1]!;
    if (last - first <= 1) {
      this.#keyBytes = this.#buf;
      this.#keyView = this.#view;
      this.#keyStart = last === first ? 0 : this.#rangeStart[first]!;
      this.#keyEnd = last === first ? 0 : this.#rangeEnd[first]!;
      return;
    }
    let n = 0;
    for (let k = first; k < last; k++) n += this.#rangeEnd[k]! - this.#rangeStart[k]!;
    if (n > this.#scratch.length) {
      this.#scratch = new Uint8Array(Math.max(n, 2 * this.#scratch.length));
      this.#scratchView = new DataView(this.#scratch.buffer);
    }
    n = 0;
    for (let k = first; k < last; k++) {
      this.#scratch.set(this.#buf.subarray(this.#rangeStart[k], this.#rangeEnd[k]), n);
      n += this.#rangeEnd[k]! - this.#rangeStart[k]!;
    }
    this.#keyBytes = this.#scratch;
    this.#keyView = this.#scratchView;
    this.#keyStart = 0;
    this.#keyEnd = n;
  }

  // One TimeSeries in r up to end: label field ranges and samples, as readTimeSeries reads it.
  #series(r: Reader, end: number): void {
    const i = this.seriesCount++;
    if (i + 2 > this.sampleStart.length) {
      this.sampleStart = grow(this.sampleStart, i + 2);
      this.#rangeFirst = grow(this.#rangeFirst, i + 2);
    }
    const first = this.#ranges;
    this.#rangeFirst[i] = first;
    this.sampleStart[i] = this.#samples;
    r.end = end;
    while (r.pos < end) {
      const start = r.pos;
      const tag = r.varint();
      if (tag === 0x0a) {
        const fieldEnd = r.length();
        const k = this.#ranges;
        if (k > first && this.#rangeEnd[k - 1] === start) {
          this.#rangeEnd[k - 1] = fieldEnd;
        } else {
          if (k === this.#rangeStart.length) {
            this.#rangeStart = grow(this.#rangeStart, k + 1);
            this.#rangeEnd = grow(this.#rangeEnd, k + 1);
          }
          this.#rangeStart[k] = start;
          this.#rangeEnd[k] = fieldEnd;
          this.#ranges++;
        }
        r.pos = fieldEnd;
      } else if (tag === 0x12) {
        const fieldEnd = r.length();
        this.#sample(r, fieldEnd);
        r.pos = fieldEnd;
        r.end = end;
      } else {
        r.skip(tag & 7);
      }
    }
  }

  // One Sample in r up to end, as readSample reads it.
  #sample(r: Reader, end: number): void {
    r.end = end;
    let value = 0;
    let timestampMs = 0;
    while (r.pos < end) {
      const tag = r.varint();
      if (tag === 0x09) {
        if (end - r.pos < 8) throw new Error(`unexpected end of double at offset ${r.pos}`);
        value = this.#view.getFloat64(r.pos, true);
        r.pos += 8;
      } else if (tag === 0x10) {
        timestampMs = r.int64();
      } else {
        r.skip(tag & 7);
      }
    }
    const j = this.#samples++;
    if (j === this.values.length) {
      this.values = grow(this.values, j + 1);
      this.timestampsMs = grow(this.timestampsMs, j + 1);
    }
    this.values[j] = value;
    this.timestampsMs[j] = timestampMs;
  }
}

/**
 * A 30-bit hash of the label bytes bytes[start:end) (view is a DataView of bytes): a small integer, so a
 * Map key without boxing. Equal label bytes have equal hashes; check a hit with labelsMatch().
 */
export function labelsHash(bytes: Uint8Array, view: DataView, start: number, end: number): number {
  // MurmurHash3 (x86, 32-bit) over little-endian words, the tail bytes FNV-mixed.
  let h = end - start;
  let p = start;
  for (; p + 4 <= end; p += 4) {
    let k = view.getInt32(p, true);
    k = Math.imul(k, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  for (; p < end; p++) h = Math.imul(h ^ bytes[p]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 2;
}

/** Whether the label bytes bytes[start:end) (view is a DataView of bytes) are those kept in key. */
export function labelsMatch(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  key: LabelsKey,
): boolean {
  const n = end - start;
  if (n !== key.byteLength) return false;
  const words = key.words;
  const full = n >> 2;
  for (let w = 0; w < full; w++) if (words[w] !== view.getInt32(start + 4 * w, true)) return false;
  for (let b = 4 * full; b < n; b++) {
    if (((words[b >> 2]! >>> (8 * (b & 3))) & 0xff) !== bytes[start + b]) return false;
  }
  return true;
}

/** A copy of the label bytes bytes[start:end) (view is a DataView of bytes), to keep as a key. */
export function labelsKey(bytes: Uint8Array, view: DataView, start: number, end: number): LabelsKey {
  const n = end - start;
  const words = new Int32Array((n + 3) >> 2);
  const full = n >> 2;
  for (let w = 0; w < full; w++) words[w] = view.getInt32(start + 4 * w, true);
  for (let b = 4 * full; b < n; b++) words[b >> 2]! |= bytes[start + b]! << (8 * (b & 3));
  return new LabelsKey(words, n);
}

/**
 * Decodes the label fields buf[start:end) (field tags 1, as a scan found them) into out, as
 * decodeWriteRequest would; throws "cannot parse WriteRequest: ...".
 */
export function decodeLabelFields(buf: Uint8Array, start: number, end: number, out: Label[]): void {
  const r = new Reader(buf, start, end);
  try {
    while (r.pos < r.end) {
      r.varint(); // the field tag, 1 (checked by the scan)
      const fieldEnd = r.length();
      out.push(readLabel(new Reader(buf, r.pos, fieldEnd)));
      r.pos = fieldEnd;
    }
  } catch (err) {
    throw new Error(`cannot parse WriteRequest: ${(err as Error).message}`);
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, need: number): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
