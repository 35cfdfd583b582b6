// A file-backed FIFO of blocks, one per directory (vmagent's lib/persistentqueue, made crash-safe).
//
// On disk: segment files named by the 16-hex-digit global byte offset of their first record, each at most
// segmentBytes long; records never span segments. A record is
//   u32 LE payload length | u32 LE CRC-32C(length bytes + payload) | payload
// and `reader.offset` holds the global offset of the oldest unacked record (u64 LE as two u32 + CRC-32C).
//
// Guarantees: write() appends with one writev(2) before returning, so once it returns the block survives a
// kill -9 of the process (it is in the page cache). ack() rewrites reader.offset in place (16 bytes, one
// pwrite) before the next block is handed out, so after a process crash at most the block being acked is
// delivered twice. fsync: the segment and the offset file are fdatasync'ed at most once per second when
// dirty and on close() (the directory when a segment is created), so a power loss or kernel crash loses at
// most the last second of writes and acks. The periodic fdatasync runs on the event loop (it is at most one
// per second and covers at most a second of writes).
// The reader takes the blocks this process wrote from memory while it keeps up (the last recentBytes of
// them), so a block is checksummed once, not read back and checked again; older ones are read from disk.
// On open every record from the read offset is validated: a torn or corrupt tail is cut back to the last
// good record; a corrupt record in an older segment ends that segment (the reader skips to the next one).
import * as fs from 'node:fs';
import { join } from 'node:path';
import { getLogger } from '../logger/logger.js';
import { defaultRegistry, type Counter } from '../metrics/registry.js';
import { Waiters, type BlockQueue } from './block-queue.js';
import { crc32c } from './crc32c.js';

const log = getLogger('lib/persistentqueue');
const headerBytes = 8;
const maxRecordBytes = 1 << 30;
// Written blocks kept in memory for the reader, per queue (about 40 remote-write blocks of 50 KiB).
const defaultRecentBytes = 2 << 20;
const offsetFile = 'reader.offset';
const segmentName = /^[0-9a-f]{16}$/;

interface Segment {
  start: number; // global offset of the first byte
  size: number; // bytes in the file
  records: number; // records not yet acked (for the first segment) or in total
}

/** Options of PersistentQueue.mustOpen. */
export interface PersistentQueueOptions {
  /** Disk budget for pending data; at the limit the oldest segments are dropped and counted. 0 = unlimited. */
  maxDiskBytes: number;
  /** The `path` label of the vm_persistentqueue_* metrics. */
  name: string;
  /** Segment file size; default min(32 MiB, maxDiskBytes/4) and at least 64 KiB. */
  segmentBytes?: number;
  /** fsync period in ms; default 1000. */
  syncIntervalMs?: number;
  /** Bytes of recently written blocks kept in memory for the reader; default 2 MiB, 0 reads everything back. */
  recentBytes?: number;
}

/** A crash-safe FIFO of blocks in one directory; see the file comment for the exact guarantees. */
export class PersistentQueue implements BlockQueue {
  readonly #dir: string;
  readonly #maxDiskBytes: number;
  readonly #segmentBytes: number;
  readonly #segments: Segment[] = [];
  readonly #waiters = new Waiters();
  readonly #m: Record<
    | 'bytesWritten'
    | 'blocksWritten'
    | 'bytesRead'
    | 'blocksRead'
    | 'bytesDropped'
    | 'blocksDropped'
    | 'bytesCorrupt',
    Counter
  >;
  readonly #pendingSeries: string;
  #readOffset = 0;
  #pendingBlocks = 0;
  #writeFd = -1;
  #offsetFd = -1;
  #readFd = -1;
  #readFdStart = -1;
  #current: { block: Uint8Array; end: number; dropped: boolean } | undefined;
  // Blocks this process wrote, by global offset, oldest first, at most recentMaxBytes: the reader takes
  // them from here instead of reading them back and checking their CRC again (the usual case: a sender
  // that keeps up). They are on disk all the same.
  readonly #recent: Array<{ offset: number; block: Uint8Array }> = [];
  #recentBytes = 0;
  readonly #recentMaxBytes: number;
  #dirty = false;
  #closed = false;
  readonly #timer: NodeJS.Timeout;

  private constructor(dir: string, opts: PersistentQueueOptions) {
    this.#dir = dir;
    this.#maxDiskBytes = opts.maxDiskBytes;
    this.#recentMaxBytes = opts.recentBytes ?? defaultRecentBytes;
    const auto = opts.maxDiskBytes > 0 ? Math.floor(opts.maxDiskBytes / 4) : 32 << 20;
    this.#segmentBytes = opts.segmentBytes ?? Math.max(64 << 10, Math.min(32 << 20, auto));
    const p = `{path="${opts.name.replace(/[\\"\n]/g, '_')}"}`;
    const c = (n: string): Counter => defaultRegistry.counter(`vm_persistentqueue_${n}${p}`);
    this.#m = {
      bytesWritten: c('bytes_written_total'),
      blocksWritten: c('blocks_written_total'),
      bytesRead: c('bytes_read_total'),
      blocksRead: c('blocks_read_total'),
      bytesDropped: c('bytes_dropped_total'),
      blocksDropped: c('blocks_dropped_total'),
      bytesCorrupt: defaultRegistry.counter(`lookout_persistentqueue_bytes_corrupted_total${p}`),
    };
    this.#pendingSeries = `vm_persistentqueue_bytes_pending${p}`;
    defaultRegistry.unregister(this.#pendingSeries);
    defaultRegistry.gauge(this.#pendingSeries, () => this.pendingBytes);
    this.#timer = setInterval(() => this.#sync(), opts.syncIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Opens (creating if needed) the queue in dir, validating and repairing its files; throws on I/O errors. */
  static mustOpen(dir: string, opts: PersistentQueueOptions): PersistentQueue {
    const q = new PersistentQueue(dir, opts);
    try {
      q.#open();
    } catch (err) {
      q.close();
      throw new Error(`cannot open persistent queue at ${dir}: ${(err as Error).message}`);
    }
    return q;
  }

  #open(): void {
    fs.mkdirSync(this.#dir, { recursive: true });
    for (const f of fs.readdirSync(this.#dir).sort()) {
      if (!segmentName.test(f)) continue;
      const size = fs.statSync(join(this.#dir, f)).size;
      this.#segments.push({ start: parseInt(f, 16), size, records: 0 });
    }
    this.#offsetFd = fs.openSync(join(this.#dir, offsetFile), fs.constants.O_RDWR | fs.constants.O_CREAT);
    const first = this.#segments[0];
    const saved = this.#readSavedOffset();
    this.#readOffset = first ? Math.max(first.start, saved ?? first.start) : (saved ?? 0);
    for (let i = 0; i < this.#segments.length; i++)
      this.#validate(this.#segments[i]!, i === this.#segments.length - 1);
    if (this.#segments.length === 0) this.#segments.push({ start: this.#readOffset, size: 0, records: 0 });
    const last = this.#segments.at(-1)!;
    if (this.#readOffset > last.start + last.size) this.#readOffset = last.start + last.size;
    this.#writeFd = fs.openSync(this.#segmentPath(last.start), 'a');
    this.#dropReadSegments();
    this.#persistOffset();
    syncDir(this.#dir);
    for (const s of this.#segments) this.#pendingBlocks += s.records;
  }

  #readSavedOffset(): number | undefined {
    const b = Buffer.alloc(16);
    if (fs.readSync(this.#offsetFd, b, 0, 16, 0) !== 16) return undefined;
    if (b.readUInt32LE(12) !== 0x7165756f || crc32c(b.subarray(0, 8)) !== b.readUInt32LE(8)) {
      log.error(
        `cannot read ${join(this.#dir, offsetFile)}: checksum mismatch; re-reading from the oldest segment`,
      );
      return undefined;
    }
    return b.readUInt32LE(0) + b.readUInt32LE(4) * 2 ** 32;
  }

  // Counts the valid records of seg from the read offset and truncates the file at the first bad one.
  #validate(seg: Segment, isLast: boolean): void {
    const path = this.#segmentPath(seg.start);
    if (seg.start + seg.size <= this.#readOffset && !isLast) return; // fully read: removed by #dropReadSegments
    let pos = Math.min(seg.size, Math.max(0, this.#readOffset - seg.start));
    const fd = fs.openSync(path, 'r+');
    try {
      for (;;) {
        const r = readRecord(fd, pos, seg.size);
        if (r === 'end') break;
        if (typeof r === 'string') {
          const lost = seg.size - pos;
          this.#m.bytesCorrupt.add(lost);
          log.error(
            `${isLast ? 'torn or corrupt tail' : 'corrupt record'} in ${path} at offset ${pos} (${r}); ` +
              `dropping the last ${lost} bytes of this segment`,
          );
          fs.ftruncateSync(fd, pos);
          seg.size = pos;
          break;
        }
        pos += headerBytes + r.length;
        seg.records++;
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  #segmentPath(start: number): string {
    return join(this.#dir, start.toString(16).padStart(16, '0'));
  }

  /** Appends block durably against process crashes (see the file comment). Always returns true. */
  write(block: Uint8Array): boolean {
    if (this.#closed) throw new Error(`BUG: write to the closed persistent queue ${this.#dir}`);
    if (block.length > maxRecordBytes) throw new Error(`cannot write a ${block.length}-byte block: too big`);
    const recordBytes = headerBytes + block.length;
    if (this.#maxDiskBytes > 0) this.#makeRoom(recordBytes);
    let last = this.#segments.at(-1)!;
    if (last.size > 0 && last.size + recordBytes > this.#segmentBytes) last = this.#rollSegment();
    const header = Buffer.allocUnsafe(headerBytes);
    header.writeUInt32LE(block.length, 0);
    header.writeUInt32LE(crc32c(block, crc32c(header.subarray(0, 4))), 4);
    writeAll(this.#writeFd, [header, block]);
    this.#remember(last.start + last.size, block);
    last.size += recordBytes;
    last.records++;
    this.#pendingBlocks++;
    this.#dirty = true;
    this.#m.bytesWritten.add(block.length);
    this.#m.blocksWritten.inc();
    this.#waiters.wake();
    return true;
  }

  #remember(offset: number, block: Uint8Array): void {
    this.#recent.push({ offset, block });
    this.#recentBytes += block.length;
    while (this.#recentBytes > this.#recentMaxBytes) this.#recentBytes -= this.#recent.shift()!.block.length;
  }

  // The block at the read offset if this process wrote it and still holds it; forgets older ones.
  #takeRecent(): Uint8Array | undefined {
    const r = this.#recent;
    while (r.length > 0 && r[0]!.offset < this.#readOffset) this.#recentBytes -= r.shift()!.block.length;
    if (r.length === 0 || r[0]!.offset !== this.#readOffset) return undefined;
    const { block } = r.shift()!;
    this.#recentBytes -= block.length;
    return block;
  }

  #rollSegment(): Segment {
    const last = this.#segments.at(-1)!;
    const seg = { start: last.start + last.size, size: 0, records: 0 };
    fs.fdatasyncSync(this.#writeFd);
    fs.closeSync(this.#writeFd);
    this.#writeFd = fs.openSync(this.#segmentPath(seg.start), 'a');
    this.#segments.push(seg);
    syncDir(this.#dir); // the new file's directory entry must survive a power loss too
    return seg;
  }

  // Drops the oldest segments until recordBytes more fit in maxDiskBytes (vmagent drops whole chunk files too).
  #makeRoom(recordBytes: number): void {
    while (this.pendingBytes + recordBytes > this.#maxDiskBytes && this.pendingBlocks > 0) {
      if (this.#segments.length === 1) this.#rollSegment();
      const seg = this.#segments[0]!;
      this.#m.bytesDropped.add(seg.start + seg.size - this.#readOffset);
      this.#m.blocksDropped.add(seg.records);
      this.#pendingBlocks -= seg.records;
      if (this.#current) this.#current.dropped = true;
      this.#readOffset = this.#segments[1]!.start;
      log.error(
        `dropping ${seg.records} oldest blocks from ${this.#dir}: -maxDiskBytes=${this.#maxDiskBytes} reached`,
      );
      this.#persistOffset();
      this.#dropReadSegments();
    }
  }

  /** Resolves to the oldest unacked block; the same block again until ack(); undefined once closed or aborted. */
  async next(signal?: AbortSignal): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.#closed || signal?.aborted) return undefined;
      if (this.#current && !this.#current.dropped) return this.#current.block;
      this.#current = undefined;
      if (this.#readOffset < this.#writeOffset()) {
        const b = this.#readNext();
        if (b) return b;
        continue;
      }
      await this.#waiters.wait(signal);
    }
  }

  #readNext(): Uint8Array | undefined {
    const seg = this.#segments[0]!;
    if (this.#readOffset >= seg.start + seg.size) {
      this.#readOffset = this.#segments[1]!.start;
      this.#dropReadSegments();
      return undefined;
    }
    if (this.#readFdStart !== seg.start) {
      if (this.#readFd >= 0) fs.closeSync(this.#readFd);
      this.#readFd = fs.openSync(this.#segmentPath(seg.start), 'r');
      this.#readFdStart = seg.start;
    }
    const pos = this.#readOffset - seg.start;
    const r = this.#takeRecent() ?? readRecord(this.#readFd, pos, seg.size);
    if (typeof r === 'string') {
      // Corrupted after open (disk error): skip the rest of this segment.
      const lost = seg.size - pos;
      this.#m.bytesCorrupt.add(lost);
      log.error(
        `corrupt record in ${this.#segmentPath(seg.start)} at offset ${pos} (${r}); skipping ${lost} bytes`,
      );
      this.#pendingBlocks -= seg.records;
      seg.records = 0;
      seg.size = pos;
      if (this.#segments.length === 1) this.#rollSegment();
      return undefined;
    }
    this.#current = { block: r, end: this.#readOffset + headerBytes + r.length, dropped: false };
    this.#m.bytesRead.add(r.length);
    this.#m.blocksRead.inc();
    return r;
  }

  /** Marks the block returned by next() as delivered and persists the new read offset. */
  ack(): void {
    const cur = this.#current;
    if (!cur) return;
    this.#current = undefined;
    if (cur.dropped) return;
    this.#readOffset = cur.end;
    this.#pendingBlocks--;
    this.#segments[0]!.records--;
    this.#persistOffset();
    this.#dropReadSegments();
  }

  // Deletes fully read segments (never the one being written).
  #dropReadSegments(): void {
    while (this.#segments.length > 1) {
      const seg = this.#segments[0]!;
      if (this.#readOffset < seg.start + seg.size) break;
      if (this.#readFdStart === seg.start) {
        fs.closeSync(this.#readFd);
        this.#readFd = this.#readFdStart = -1;
      }
      fs.rmSync(this.#segmentPath(seg.start), { force: true });
      this.#segments.shift();
      if (this.#readOffset < this.#segments[0]!.start) this.#readOffset = this.#segments[0]!.start;
    }
  }

  #persistOffset(): void {
    const b = Buffer.alloc(16);
    b.writeUInt32LE(this.#readOffset % 2 ** 32, 0);
    b.writeUInt32LE(Math.floor(this.#readOffset / 2 ** 32), 4);
    b.writeUInt32LE(crc32c(b.subarray(0, 8)), 8);
    b.writeUInt32LE(0x7165756f, 12);
    fs.writeSync(this.#offsetFd, b, 0, 16, 0);
    this.#dirty = true;
  }

  #writeOffset(): number {
    const last = this.#segments.at(-1)!;
    return last.start + last.size;
  }

  #sync(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    if (this.#writeFd >= 0) fs.fdatasyncSync(this.#writeFd);
    if (this.#offsetFd >= 0) fs.fdatasyncSync(this.#offsetFd);
  }

  /** Bytes on disk not yet acked, record headers included. */
  get pendingBytes(): number {
    return this.#segments.length === 0 ? 0 : this.#writeOffset() - this.#readOffset;
  }
  /** Blocks not yet acked. */
  get pendingBlocks(): number {
    return this.#pendingBlocks;
  }

  /** fsyncs and closes the files; pending next() calls resolve to undefined. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    try {
      this.#sync();
    } finally {
      for (const fd of [this.#writeFd, this.#offsetFd, this.#readFd]) if (fd >= 0) fs.closeSync(fd);
      this.#writeFd = this.#offsetFd = this.#readFd = -1;
      defaultRegistry.unregister(this.#pendingSeries);
      this.#waiters.wake();
    }
  }
}

// Reads the record at pos of a segment file of `size` bytes: the payload, 'end' at the end of the data, or
// a string saying why the record is bad.
function readRecord(fd: number, pos: number, size: number): Uint8Array | string {
  if (pos === size) return 'end';
  if (size - pos < headerBytes) return 'short header';
  const header = Buffer.allocUnsafe(headerBytes);
  fs.readSync(fd, header, 0, headerBytes, pos);
  const len = header.readUInt32LE(0);
  if (len > size - pos - headerBytes) return `length ${len} beyond the end of the file`;
  const payload = Buffer.allocUnsafe(len);
  if (len > 0 && fs.readSync(fd, payload, 0, len, pos + headerBytes) !== len) return 'short read';
  if (crc32c(payload, crc32c(header.subarray(0, 4))) !== header.readUInt32LE(4)) return 'checksum mismatch';
  return payload;
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeAll(fd: number, parts: Uint8Array[]): void {
  let total = 0;
  for (const p of parts) total += p.length;
  let n = fs.writevSync(fd, parts);
  if (n === total) return;
  // Short write (rare: disk full, signals): finish with plain writes.
  const all = Buffer.concat(parts);
  while (n < total) n += fs.writeSync(fd, all, n, total - n);
}
