// Bounded, decompressing readers for pushed request bodies and TCP streams (VictoriaMetrics'
// protoparserutil.GetUncompressedReader, ReadUncompressedData and ReadLinesBlockExt).
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { isAscii } from 'node:buffer';
import zlib from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import snappy from 'snappy';

/** An error answered to the client with `statusCode` (400 bad input, 413 too big, 415 bad encoding). */
export class RequestError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.statusCode = statusCode;
  }
}

/** The Content-Encoding values vmagent accepts on push endpoints (identity = none). */
export const supportedEncodings = ['', 'identity', 'gzip', 'x-gzip', 'deflate', 'snappy', 'zstd'] as const;

function normalizeEncoding(encoding: string | undefined): string {
  return (encoding ?? '').trim().toLowerCase();
}

/** Reports whether the Content-Encoding value is one of supportedEncodings. */
export function isSupportedEncoding(encoding: string | undefined): boolean {
  return (supportedEncodings as readonly string[]).includes(normalizeEncoding(encoding));
}

class ZstdTransform extends Transform {
  readonly #d: ZstdDecompress;
  constructor() {
    super();
    this.#d = new ZstdDecompress((chunk) => {
      // Copy: fzstd may reuse its window buffer for the next chunk.
      this.push(Buffer.from(chunk));
    });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.#d.push(new Uint8Array(chunk));
      cb();
    } catch (err) {
      cb(new Error(`cannot decompress zstd data: ${(err as Error).message}`));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.#d.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(new Error(`cannot decompress zstd data: ${(err as Error).message}`));
    }
  }
}

// Snappy has no streaming form here (vmagent uses the block format): read the compressed body whole,
// bounded, check the declared length, then decode.
async function* snappyChunks(src: Readable, maxBytes: number, limitName: string): AsyncGenerator<Buffer> {
  yield decodeSnappyBlock(await readSnappyBlock(src, maxBytes, limitName));
}

/**
 * Reads a snappy block body whole: at most maxBytes compressed, and declaring at most maxBytes
 * decompressed (else RequestError 413 naming -limitName). Decode it with decodeSnappyBlock, or another
 * decoder that rejects what that one rejects.
 */
export async function readSnappyBlock(src: Readable, maxBytes: number, limitName: string): Promise<Buffer> {
  let compressed: Buffer;
  try {
    compressed = await collect(src, maxBytes, limitName);
  } catch (err) {
    throw wrapDecodeError(err);
  }
  let len = 0;
  let shift = 0;
  for (let i = 0; i < 5 && i < compressed.length; i++) {
    const b = compressed[i]!;
    len += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) break;
  }
  if (len > maxBytes) throw tooBig(maxBytes, limitName);
  return compressed;
}

/** Decodes a snappy block read by readSnappyBlock; throws RequestError 400 when it is malformed. */
export function decodeSnappyBlock(compressed: Buffer): Buffer {
  try {
    return snappy.uncompressSync(compressed, { asBuffer: true }) as Buffer;
  } catch (err) {
    throw new RequestError(400, `cannot decompress snappy data: ${(err as Error).message}`);
  }
}

/**
 * Returns the uncompressed chunks of src for a Content-Encoding. Throws RequestError(415) for an encoding
 * vmagent does not accept. maxBytes bounds snappy input (the other codecs stream).
 */
export function openUncompressed(
  src: Readable,
  encoding: string | undefined,
  maxBytes: number,
  limitName: string,
): AsyncIterable<Buffer> {
  const enc = normalizeEncoding(encoding);
  switch (enc) {
    case '':
    case 'identity':
      // The stream itself: readLineChunks reads a Readable with events and never destroys it (the
      // handler still answers on its socket).
      return src;
    // A decompressor is read through its async iterator, which destroys it when the reader stops early:
    // that unpipes the request, so that the handler can drain the rest.
    case 'gzip':
    case 'x-gzip':
      return src
        .pipe(zlib.createGunzip())
        .on('error', () => {})
        .iterator();
    case 'deflate':
      return src
        .pipe(zlib.createInflate())
        .on('error', () => {})
        .iterator();
    case 'zstd':
      return src
        .pipe(new ZstdTransform())
        .on('error', () => {})
        .iterator();
    case 'snappy':
      return snappyChunks(src, maxBytes, limitName);
    default:
      throw new RequestError(
        415,
        `unsupported Content-Encoding: ${JSON.stringify(encoding)}; supported: gzip, deflate, snappy, zstd`,
      );
  }
}

function tooBig(maxBytes: number, limitName: string): RequestError {
  return new RequestError(413, `too big request; mustn't exceed -${limitName}=${maxBytes} bytes`);
}

async function readRaw(src: AsyncIterable<Buffer>, maxBytes: number, limitName: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of src) {
    n += chunk.length;
    if (n > maxBytes) throw tooBig(maxBytes, limitName);
    parts.push(chunk);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
}

/**
 * Reads src to its end with 'data' events (forEachChunk), at most maxBytes (else RequestError 413 naming
 * -limitName, src paused and left open for the caller to drain).
 */
async function collect(src: Readable, maxBytes: number, limitName: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  await forEachChunk(src, (chunk) => {
    n += chunk.length;
    if (n > maxBytes) throw tooBig(maxBytes, limitName);
    parts.push(chunk);
    return true;
  });
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
}

function wrapDecodeError(err: unknown): unknown {
  if (err instanceof RequestError) return err;
  const msg = (err as Error).message;
  return new RequestError(400, msg.startsWith('cannot') ? msg : `cannot read request body: ${msg}`);
}

/**
 * Reads the whole uncompressed body, at most maxBytes (else RequestError 413 naming -limitName).
 * Decoding errors become RequestError 400.
 */
export async function readBody(
  src: Readable,
  encoding: string | undefined,
  maxBytes: number,
  limitName: string,
): Promise<Buffer> {
  const plain = normalizeEncoding(encoding);
  const chunks =
    plain === '' || plain === 'identity' ? undefined : openUncompressed(src, encoding, maxBytes, limitName);
  try {
    return await (chunks === undefined
      ? collect(src, maxBytes, limitName)
      : readRaw(chunks, maxBytes, limitName));
  } catch (err) {
    throw wrapDecodeError(err);
  }
}

/**
 * Decodes UTF-8 text; pure ASCII (the usual push payload) is copied as Latin-1, which gives the same
 * string at about twice the speed of UTF-8 decoding (Buffer.isAscii is a SIMD scan).
 */
export function decodeText(buf: Buffer): string {
  return buf.toString(isAscii(buf) ? 'latin1' : 'utf8');
}

/**
 * Called with a block of whole lines (ending at a line break or the end of input) and the 1-based number
 * of its first line in the whole stream; false stops reading.
 */
export type LinesBlockHandler = (
  block: string,
  firstLineNum: number,
) => boolean | void | Promise<boolean | void>;

function countLines(block: Buffer): number {
  let n = 0;
  for (let i = block.indexOf(10); i >= 0; i = block.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * Streams src as blocks of whole lines, holding at most one partial line of maxLineLen bytes between
 * chunks; a longer line fails with RequestError 400 naming -limitName (or only the size, when limitName is
 * '': a limit without a flag). Returns false when onBlock stopped.
 */
export async function readLinesBlocks(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  maxLineLen: number,
  limitName: string,
  onBlock: LinesBlockHandler,
): Promise<boolean> {
  return readLineChunks(chunks, maxLineLen, limitName, (block, firstLineNum) =>
    onBlock(decodeText(block), firstLineNum),
  );
}

/**
 * What a block handler of readLineChunks returns: false stops reading; a number is the block's count of
 * lines, which saves counting its line breaks (a scanner that went through the block knows it).
 */
export type LineChunkResult = boolean | void | number;

/** readLinesBlocks with the blocks as bytes (valid during the call only); a Readable is read with events. */
export async function readLineChunks(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer> | Readable,
  maxLineLen: number,
  limitName: string,
  onBlock: (block: Buffer, firstLineNum: number) => LineChunkResult | Promise<LineChunkResult>,
): Promise<boolean> {
  // Partial-line chunks are kept as a list and joined once a line break arrives (no O(n^2) re-copying).
  let parts: Buffer[] = [];
  let partsLen = 0;
  let lineNum = 1;
  const advance = (r: LineChunkResult, block: Buffer): boolean => {
    if (r === false) return false;
    lineNum += typeof r === 'number' ? r : countLines(block);
    return true;
  };
  const deliver = (b: Buffer): boolean | Promise<boolean> => {
    const r = onBlock(b, lineNum);
    return r instanceof Promise ? r.then((v) => advance(v, b)) : advance(r, b);
  };
  const take = (chunk: Buffer): boolean | Promise<boolean> => {
    const nl = chunk.lastIndexOf(10);
    if (nl < 0) {
      parts.push(chunk);
      partsLen += chunk.length;
      if (partsLen > maxLineLen) throw tooLongLine(maxLineLen, limitName);
      return true;
    }
    // A partial line carried over is completed on its own, as a block of one line, and the rest of the
    // chunk is a block in place: joining it all would copy (and allocate) the whole chunk again.
    let head: Buffer | undefined;
    let from = 0;
    if (partsLen > 0) {
      from = chunk.indexOf(10) + 1;
      parts.push(chunk.subarray(0, from));
      head = Buffer.concat(parts);
    }
    const block = from <= nl ? chunk.subarray(from, nl + 1) : undefined;
    // Copy the rest: decompressors may reuse their output buffers.
    partsLen = chunk.length - nl - 1;
    if (partsLen > maxLineLen) throw tooLongLine(maxLineLen, limitName);
    parts = partsLen > 0 ? [Buffer.from(chunk.subarray(nl + 1))] : [];
    if (head === undefined) return deliver(block!);
    const h = deliver(head);
    if (block === undefined) return h;
    if (h instanceof Promise) return h.then((ok) => ok && deliver(block));
    return h && deliver(block);
  };
  try {
    if (chunks instanceof Readable) {
      if (!(await forEachChunk(chunks, take))) return false;
    } else {
      for await (const chunk of chunks) if (!(await take(chunk))) return false;
    }
  } catch (err) {
    throw wrapDecodeError(err);
  }
  if (partsLen > 0 && (await onBlock(Buffer.concat(parts), lineNum)) === false) return false;
  return true;
}

/**
 * Calls onChunk with each chunk of src in order; while a promise it returned is pending, src is paused.
 * Resolves true at src's end and false when onChunk gave false; rejects with what onChunk threw or src
 * failed with. Stopping early pauses src and leaves it open: the caller answers on it or closes it. Why
 * not `for await`: the stream's async iterator makes a promise, a result object and its end-of-stream
 * bookkeeping per chunk; in the allocation profile of /api/v1/import/prometheus it was a tenth of all bytes
 * allocated per request.
 */
function forEachChunk(
  src: Readable,
  onChunk: (chunk: Buffer) => boolean | Promise<boolean>,
): Promise<boolean> {
  if (src.readableEnded) return Promise.resolve(true);
  if (src.destroyed) return Promise.reject(new Error('the stream was closed before it was read'));
  return new Promise((resolve, reject) => {
    let settled = false;
    let waiting = false; // a promise of onChunk is pending
    let endedMeanwhile = false;
    const settle = (err: Error | undefined, ok: boolean): void => {
      if (settled) return;
      settled = true;
      src.off('data', onData);
      src.off('end', onEnd);
      src.off('error', onError);
      src.off('close', onClose);
      if (err !== undefined || !ok) src.pause();
      if (err !== undefined) reject(err);
      else resolve(ok);
    };
    const onData = (chunk: Buffer): void => {
      let r: boolean | Promise<boolean>;
      try {
        r = onChunk(chunk);
      } catch (err) {
        settle(err as Error, false);
        return;
      }
      if (r === false) settle(undefined, false);
      else if (r !== true) {
        waiting = true;
        src.pause();
        r.then(
          (ok) => {
            waiting = false;
            if (!ok || endedMeanwhile) settle(undefined, ok);
            else if (!settled) src.resume();
          },
          (err: unknown) => settle(err as Error, false),
        );
      }
    };
    const onEnd = (): void => {
      if (waiting) endedMeanwhile = true;
      else settle(undefined, true);
    };
    const onError = (err: Error): void => settle(err, false);
    const onClose = (): void => {
      if (!endedMeanwhile) settle(new Error('the stream was closed before its end'), false);
    };
    src.on('data', onData);
    src.on('end', onEnd);
    src.on('error', onError);
    src.on('close', onClose);
    src.resume(); // a 'data' listener alone does not restart a stream paused before (pause(), unshift())
  });
}

function tooLongLine(maxLineLen: number, limitName: string): RequestError {
  const limit = limitName === '' ? `${maxLineLen} bytes` : `-${limitName}=${maxLineLen} bytes`;
  return new RequestError(400, `too long line: it exceeds ${limit}`);
}
