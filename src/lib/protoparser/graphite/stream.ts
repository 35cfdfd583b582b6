// The IO layer of the graphite protocol: a TCP connection or a UDP datagram read as bounded line blocks.
import type { LineErrorHandler } from '../protoparserutil/lines.js';
import { scanLineBlocks } from '../protoparserutil/stream.js';
import type { LineBlockHandler } from '../protoparserutil/stream.js';
import { scanGraphiteLines } from './parser.js';
import type { GraphiteLine } from './parser.js';

/** Lines longer than this close the connection (vmagent's ReadLinesBlock limit). */
export const graphiteMaxLineLen = 256 * 1024;

/** Receives the scanned lines block by block (see LineBlockHandler, `bytes` included). */
export type GraphiteBlockHandler = LineBlockHandler<GraphiteLine>;

/**
 * Scans graphite lines from chunks and hands them block by block to h ("now" is read per block). Throws
 * RequestError 400 for a too long line, or whatever h.begin() throws.
 */
export async function parseGraphiteStream(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  opts: { trimMs?: number },
  h: GraphiteBlockHandler,
  onError: LineErrorHandler,
): Promise<void> {
  await scanLineBlocks(
    chunks,
    graphiteMaxLineLen,
    'graphite line length limit',
    h,
    (text, onLine, onBlockError) =>
      scanGraphiteLines(text, { nowMs: Date.now(), trimMs: opts.trimMs }, onLine, onBlockError),
    onError,
  );
}
