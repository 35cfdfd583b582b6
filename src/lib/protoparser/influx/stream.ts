// The IO layer of the influx protocol (lib/protoparser/influx/stream in VictoriaMetrics): a request body
// in batch mode (read whole, at most -influx.maxRequestSize) or stream mode (`Stream-Mode: 1`, and TCP/UDP:
// lines of at most -influx.maxLineSize), decompressed, parsed block by block.
import type { Readable } from 'node:stream';
import { decodeText, openUncompressed, readBody, readLineChunks } from '../protoparserutil/body.js';
import type { LineErrorHandler } from '../protoparserutil/lines.js';
import type { LineBlockHandler } from '../protoparserutil/stream.js';
import { scanInfluxLines } from './parser.js';
import type { InfluxLine } from './parser.js';

/** Options for parseInfluxStream. */
export interface InfluxStreamOptions {
  /** Content-Encoding of the body; '' for none. */
  encoding?: string;
  /** Stream mode: parse line blocks as they arrive instead of reading the body whole. */
  streamMode: boolean;
  maxRequestSize: number;
  maxLineSize: number;
  precision?: string;
  trimMs?: number;
}

/** Receives the scanned lines block by block (see LineBlockHandler, `bytes` included). */
export type InfluxBlockHandler = LineBlockHandler<InfluxLine>;

/**
 * Reads influx line protocol from src and hands it block by block to h. Throws RequestError (413 body
 * too big, 400 line too long or undecodable), or whatever h.begin() throws.
 */
export async function parseInfluxStream(
  src: Readable | Iterable<Buffer>,
  opts: InfluxStreamOptions,
  h: InfluxBlockHandler,
  onError: LineErrorHandler,
): Promise<void> {
  const parseBlock = (block: Buffer, firstLineNum: number): number | undefined => {
    h.begin();
    const lines = h.bytes?.(block, firstLineNum) ?? false;
    if (lines === false)
      scanInfluxLines(
        decodeText(block),
        { precision: opts.precision, nowMs: Date.now(), trimMs: opts.trimMs },
        h.line,
        (n, line, msg) => onError(n + firstLineNum - 1, line, msg),
      );
    h.end();
    return lines === false ? undefined : lines;
  };
  if (opts.streamMode || !('pipe' in src)) {
    const chunks =
      'pipe' in src
        ? openUncompressed(src, opts.encoding, opts.maxRequestSize, 'influx.maxRequestSize')
        : src;
    await readLineChunks(chunks, opts.maxLineSize, 'influx.maxLineSize', parseBlock);
    return;
  }
  parseBlock(await readBody(src, opts.encoding, opts.maxRequestSize, 'influx.maxRequestSize'), 1);
}
