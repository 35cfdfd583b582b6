// The IO layer of /api/v1/import: a decompressed body read as line blocks of at most -import.maxLineLen.
import type { Readable } from 'node:stream';
import { openUncompressed, readLinesBlocks } from '../protoparserutil/body.js';
import type { LineErrorHandler } from '../protoparserutil/lines.js';
import { scanVMImportLines } from './parser.js';
import type { VMImportLine } from './parser.js';

/** Receives the scanned lines block by block: begin() (may throw to stop), line() per good line, end(). */
export interface VMImportBlockHandler {
  begin: () => void;
  line: (l: VMImportLine) => void;
  end: () => void;
}

/**
 * Scans JSON lines from src and hands them block by block to h. Throws RequestError (400 line too long
 * or undecodable body), or whatever h.begin() throws.
 */
export async function scanVMImportStream(
  src: Readable,
  opts: { encoding?: string; maxLineLen: number },
  h: VMImportBlockHandler,
  onError: LineErrorHandler,
): Promise<void> {
  const chunks = openUncompressed(src, opts.encoding, opts.maxLineLen, 'import.maxLineLen');
  await readLinesBlocks(chunks, opts.maxLineLen, 'import.maxLineLen', (block, firstLineNum) => {
    h.begin();
    scanVMImportLines(block, h.line, (n, line, msg) => onError(n + firstLineNum - 1, line, msg));
    h.end();
  });
}
