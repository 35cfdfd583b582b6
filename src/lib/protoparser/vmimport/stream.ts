// The IO layer of /api/v1/import: a decompressed body read as line blocks of at most -import.maxLineLen.
import type { LineErrorHandler } from '../protoparserutil/lines.js';
import { scanLineBlocks } from '../protoparserutil/stream.js';
import type { LineBlockHandler } from '../protoparserutil/stream.js';
import { scanVMImportLines } from './parser.js';
import type { VMImportLine } from './parser.js';

/** Receives the scanned lines block by block (see LineBlockHandler, `bytes` included). */
export type VMImportBlockHandler = LineBlockHandler<VMImportLine>;

/**
 * Scans JSON lines from decompressed chunks and hands them block by block to h. Throws RequestError (400
 * line too long or undecodable body), or whatever h.begin() throws.
 */
export async function scanVMImportStream(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  maxLineLen: number,
  h: VMImportBlockHandler,
  onError: LineErrorHandler,
): Promise<void> {
  await scanLineBlocks(chunks, maxLineLen, 'import.maxLineLen', h, scanVMImportLines, onError);
}
