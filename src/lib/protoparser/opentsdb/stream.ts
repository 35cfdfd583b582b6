// The IO layer of the OpenTSDB telnet protocol: a TCP connection or a UDP datagram as bounded line blocks.
import type { LineErrorHandler } from '../protoparserutil/lines.js';
import { scanLineBlocks } from '../protoparserutil/stream.js';
import type { LineBlockHandler } from '../protoparserutil/stream.js';
import { scanOpenTSDBLines } from './parser.js';
import type { OpenTSDBLine } from './parser.js';

/** Lines longer than this close the connection. */
export const openTSDBMaxLineLen = 256 * 1024;

/** Receives the scanned lines block by block (see LineBlockHandler, `bytes` included). */
export type OpenTSDBBlockHandler = LineBlockHandler<OpenTSDBLine>;

/**
 * Scans `put` lines from chunks and hands them block by block to h ("now" is read per block). Throws
 * RequestError 400 for a too long line, or whatever h.begin() throws.
 */
export async function parseOpenTSDBStream(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  opts: { trimMs?: number },
  h: OpenTSDBBlockHandler,
  onError: LineErrorHandler,
): Promise<void> {
  await scanLineBlocks(
    chunks,
    openTSDBMaxLineLen,
    'opentsdb line length limit',
    h,
    (text, onLine, onBlockError) =>
      scanOpenTSDBLines(text, { nowMs: Date.now(), trimMs: opts.trimMs }, onLine, onBlockError),
    onError,
  );
}
