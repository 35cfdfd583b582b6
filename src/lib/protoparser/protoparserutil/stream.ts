// The shared shape of the line protocols' stream layer: bounded line blocks in, parsed rows out.
import type { Readable } from 'node:stream';
import { decodeText, readLineChunks, readLinesBlocks } from './body.js';
import type { LineErrorHandler } from './lines.js';

/** Receives the rows of one block; false stops reading (back-pressure). May be async. */
export type RowsHandler<R> = (rows: R[]) => boolean | void | Promise<boolean | void>;

/** A pure block parser: text in, rows and line errors (numbered from 1 within the block) out. */
export type BlockParser<R> = (block: string, onRow: (row: R) => void, onError: LineErrorHandler) => void;

/**
 * Reads chunks as blocks of whole lines (each at most maxLineLen bytes, else RequestError 400 naming
 * -limitName), parses each block and hands its rows to onRows. Line numbers given to onError count from
 * the start of the stream. Returns false when onRows stopped the stream.
 */
export async function parseLinesStream<R>(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  maxLineLen: number,
  limitName: string,
  parseBlock: BlockParser<R>,
  onRows: RowsHandler<R>,
  onError: LineErrorHandler,
): Promise<boolean> {
  return readLinesBlocks(chunks, maxLineLen, limitName, (block, firstLineNum) => {
    const rows: R[] = [];
    parseBlock(
      block,
      (r) => rows.push(r),
      (n, line, msg) => onError(n + firstLineNum - 1, line, msg),
    );
    return rows.length > 0 ? onRows(rows) : true;
  });
}

/**
 * Receives scanned lines block by block: begin() (may throw to stop reading), line() per good line, end().
 * With `bytes` (where the stream layer offers it), each block's bytes go there first, unscanned (between
 * begin() and end()), for a handler with its own fast path: it returns the block's count of lines when
 * it took the block, or false to have the block scanned as usual instead.
 */
export interface LineBlockHandler<L> {
  begin: () => void;
  line: (l: L) => void;
  end: () => void;
  bytes?: (block: Buffer, firstLineNum: number) => number | false;
}

/**
 * Reads chunks as blocks of whole lines (each at most maxLineLen bytes, else RequestError 400 naming
 * limitName) and hands each block to h: begin(), then its bytes to h.bytes, or, when that does not take
 * them, its text to scanText (which numbers lines from 1 within the block; onError gets them numbered from
 * the start of the stream), then end(). Throws whatever h.begin() throws.
 */
export async function scanLineBlocks<L>(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer> | Readable,
  maxLineLen: number,
  limitName: string,
  h: LineBlockHandler<L>,
  scanText: (text: string, onLine: (l: L) => void, onError: LineErrorHandler) => void,
  onError: LineErrorHandler,
): Promise<void> {
  await readLineChunks(chunks, maxLineLen, limitName, (block, firstLineNum) => {
    h.begin();
    const lines = h.bytes?.(block, firstLineNum) ?? false;
    if (lines === false)
      scanText(decodeText(block), h.line, (n, line, msg) => onError(n + firstLineNum - 1, line, msg));
    h.end();
    return lines === false ? undefined : lines;
  });
}
