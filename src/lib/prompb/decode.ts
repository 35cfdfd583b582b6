// Decoder for the Prometheus remote-write 1.0 WriteRequest. Input is hostile (it also serves /api/v1/write):
// every length is checked against the remaining bytes, varints are at most 10 bytes, nesting is fixed, groups
// are rejected, and unknown fields are skipped by wire type. The caller bounds the input size.
import type { Label, Sample, TimeSeries } from './types.js';

const utf8 = new TextDecoder('utf-8');

/** A bounds-checked protobuf reader over buf[pos:end) (shared with scan.ts). */
export class Reader {
  pos: number;
  readonly buf: Uint8Array;
  /** The end of the message being read; the scanner moves it in and out of nested messages. */
  end: number;
  constructor(buf: Uint8Array, pos: number, end: number) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Reads an unsigned varint as a number; exact up to 2^53, larger values lose low bits (only int64). */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error(`unexpected end of data at offset ${this.pos}`);
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new Error(`too long varint at offset ${this.pos}`);
  }

  /** Reads an int64 varint (two's complement for negative numbers). */
  int64(): number {
    const start = this.pos;
    const v = this.varint();
    if (v < 2 ** 63) return v;
    let u = 0n;
    for (let i = this.pos - 1; i >= start; i--) u = (u << 7n) | BigInt(this.buf[i]! & 0x7f);
    return Number(BigInt.asIntN(64, u));
  }

  /** Reads a length prefix and returns the end offset of the field, checked against the message end. */
  length(): number {
    const n = this.varint();
    if (n > this.end - this.pos)
      throw new Error(`field length ${n} exceeds the remaining ${this.end - this.pos} bytes`);
    return this.pos + n;
  }

  double(): number {
    if (this.end - this.pos < 8) throw new Error(`unexpected end of double at offset ${this.pos}`);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.length();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${wireType} at offset ${this.pos}`);
    }
    if (this.pos > this.end) throw new Error(`unexpected end of data in a fixed-size field`);
  }
}

/** Decodes a WriteRequest body (already decompressed); throws "cannot parse WriteRequest: ..." on malformed input. */
export function decodeWriteRequest(buf: Uint8Array): TimeSeries[] {
  const r = new Reader(buf, 0, buf.length);
  const out: TimeSeries[] = [];
  try {
    while (r.pos < r.end) {
      const tag = r.varint();
      if (tag === 0x0a) {
        const end = r.length();
        out.push(readTimeSeries(new Reader(buf, r.pos, end)));
        r.pos = end;
      } else {
        r.skip(tag & 7);
      }
    }
  } catch (err) {
    throw new Error(`cannot parse WriteRequest: ${(err as Error).message}`);
  }
  return out;
}

function readTimeSeries(r: Reader): TimeSeries {
  const labels: Label[] = [];
  const samples: Sample[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 0x0a || tag === 0x12) {
      const end = r.length();
      const sub = new Reader(r.buf, r.pos, end);
      if (tag === 0x0a) labels.push(readLabel(sub));
      else samples.push(readSample(sub));
      r.pos = end;
    } else {
      r.skip(tag & 7);
    }
  }
  return { labels, samples };
}

/** Reads one Label message (r spans exactly the message). */
export function readLabel(r: Reader): Label {
  let name = '';
  let value = '';
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 0x0a || tag === 0x12) {
      const end = r.length();
      const s = utf8.decode(r.buf.subarray(r.pos, end));
      if (tag === 0x0a) name = s;
      else value = s;
      r.pos = end;
    } else {
      r.skip(tag & 7);
    }
  }
  return { name, value };
}

function readSample(r: Reader): Sample {
  let value = 0;
  let timestampMs = 0;
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag === 0x09) value = r.double();
    else if (tag === 0x10) timestampMs = r.int64();
    else r.skip(tag & 7);
  }
  return { value, timestampMs };
}
