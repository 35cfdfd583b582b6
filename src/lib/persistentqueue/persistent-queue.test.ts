import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defaultRegistry } from '../metrics/registry.js';
import { reservedBytes } from '../wasm/module.js';
import { crc32c, crc32cJS } from './crc32c.js';
import { MemoryQueue } from './memory-queue.js';
import { PersistentQueue } from './persistent-queue.js';

const tmp = (): string => fs.mkdtempSync(join(tmpdir(), 'lookout-pq-'));
const block = (n: number, size = 100): Buffer => {
  const b = Buffer.alloc(size, n % 251);
  b.writeUInt32LE(n, 0);
  return b;
};
const open = (
  dir: string,
  name: string,
  extra: { maxDiskBytes?: number; segmentBytes?: number; recentBytes?: number } = {},
) => PersistentQueue.mustOpen(dir, { maxDiskBytes: 0, name, ...extra });
const metric = (n: string, path: string): number => defaultRegistry.counter(`${n}{path="${path}"}`).value;
const segments = (dir: string): string[] =>
  fs
    .readdirSync(dir)
    .filter((f) => /^[0-9a-f]{16}$/.test(f))
    .sort();

// Reads and acks everything pending; returns the block numbers in order.
async function drain(q: PersistentQueue | MemoryQueue): Promise<number[]> {
  const out: number[] = [];
  while (q.pendingBlocks > 0) {
    const ac = new AbortController();
    const pending = q.next(ac.signal);
    if (q.pendingBlocks === 0) ac.abort(); // next() found only corrupt records (synchronously) and now waits
    const b = await pending;
    if (!b) break;
    const n = Buffer.from(b).readUInt32LE(0);
    assert.ok(
      Buffer.from(b)
        .subarray(4)
        .every((x) => x === n % 251),
      `block ${n} intact`,
    );
    out.push(n);
    q.ack();
  }
  return out;
}
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

test('crc32c matches the standard check value', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.from('56789'), crc32c(Buffer.from('1234'))), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
});

test('crc32c in WebAssembly = in JavaScript, for lengths and offsets around its cut-offs', () => {
  let seed = 1;
  const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) & 0xff;
  const buf = Uint8Array.from({ length: (64 << 10) * 2 + 100 }, rand);
  const lengths = [0, 1, 7, 8, 9, 255, 256, 257, 1000, 4099, 65535, 65536, 65537, 131072 + 99];
  for (const n of lengths) {
    for (const off of [0, 1, 3]) {
      const b = buf.subarray(off, off + n);
      assert.equal(crc32c(b), crc32cJS(b), `length ${n} at ${off}`);
      // Continued from a previous result, including one with the top bit set.
      assert.equal(crc32c(b, 0xe3069283), crc32cJS(b, 0xe3069283), `length ${n} at ${off}, continued`);
    }
  }
  const long = new Uint8Array(1000).fill(0xff);
  assert.equal(crc32c(long), crc32cJS(long));
});

test('crc32c reserves no WebAssembly memory when called (the queue calls it while the output emits rows)', async () => {
  // A fresh copy of the module, as the first call in a process makes it.
  const { crc32c: fresh } = (await import(`./crc32c.js?fresh=${Date.now()}`)) as typeof import('./crc32c.js');
  const top = reservedBytes();
  fresh(new Uint8Array(100_000));
  assert.equal(reservedBytes(), top);
});

test('write, next, ack, reopen', async () => {
  const dir = tmp();
  let q = open(dir, 'basic');
  for (let i = 0; i < 3; i++) q.write(block(i));
  assert.equal(q.pendingBlocks, 3);
  assert.equal(q.pendingBytes, 3 * 108);
  const b0 = await q.next();
  assert.deepEqual(await q.next(), b0, 'next before ack returns the same block');
  q.ack();
  q.close();
  q = open(dir, 'basic');
  assert.equal(q.pendingBlocks, 2);
  assert.deepEqual(await drain(q), [1, 2]);
  const waiting = q.next();
  q.write(block(3));
  assert.equal(Buffer.from((await waiting)!).readUInt32LE(0), 3);
  const ac = new AbortController();
  q.ack();
  const aborted = q.next(ac.signal);
  ac.abort();
  assert.equal(await aborted, undefined);
  q.close();
  assert.equal(await q.next(), undefined);
  assert.equal(metric('vm_persistentqueue_blocks_written_total', 'basic'), 4);
});

test('fully read segments are deleted', async () => {
  const dir = tmp();
  const q = open(dir, 'segs', { segmentBytes: 64 << 10 });
  for (let i = 0; i < 20; i++) q.write(block(i, 20_000));
  assert.equal(segments(dir).length, 7);
  assert.deepEqual(await drain(q), range(0, 20));
  assert.equal(segments(dir).length, 1);
  q.close();
});

test('a torn tail is cut back to the last good record', async () => {
  const f = async (damage: (file: string) => void, want: number[]) => {
    const dir = tmp();
    let q = open(dir, 'torn');
    for (let i = 0; i < 3; i++) q.write(block(i));
    q.close();
    damage(join(dir, segments(dir)[0]!));
    const before = metric('lookout_persistentqueue_bytes_corrupted_total', 'torn');
    q = open(dir, 'torn');
    assert.ok(metric('lookout_persistentqueue_bytes_corrupted_total', 'torn') > before);
    q.write(block(9));
    assert.deepEqual(await drain(q), want);
    q.close();
  };
  await f((p) => fs.truncateSync(p, fs.statSync(p).size - 3), [0, 1, 9]);
  await f((p) => fs.truncateSync(p, 2 * 108 + 5), [0, 1, 9]);
  await f((p) => fs.appendFileSync(p, Buffer.from([1, 0, 0, 0, 9, 9, 9, 9, 0xff])), [0, 1, 2, 9]);
  await f((p) => fs.appendFileSync(p, Buffer.from([0xff, 0xff, 0xff, 0x7f])), [0, 1, 2, 9]);
});

test('a corrupt record in an older segment skips to the next segment', async () => {
  const dir = tmp();
  let q = open(dir, 'middle', { segmentBytes: 64 << 10 });
  for (let i = 0; i < 9; i++) q.write(block(i, 20_000)); // 3 records per segment
  q.close();
  const first = join(dir, segments(dir)[0]!);
  const fd = fs.openSync(first, 'r+');
  fs.writeSync(fd, Buffer.from([0xee]), 0, 1, 20_008 + 8 + 100); // inside the payload of record 1
  fs.closeSync(fd);
  q = open(dir, 'middle', { segmentBytes: 64 << 10 });
  assert.equal(q.pendingBlocks, 7);
  assert.deepEqual(await drain(q), [0, ...range(3, 9)]);
  assert.equal(metric('lookout_persistentqueue_bytes_corrupted_total', 'middle'), 2 * 20_008);
  q.close();
});

test('corruption found while reading skips to the next segment', async () => {
  const f = async (blocks: number, want: number[]) => {
    const dir = tmp();
    // recentBytes 0: the reader must read the blocks back (by default it takes them from memory).
    const q = open(dir, 'runtime', { segmentBytes: 64 << 10, recentBytes: 0 });
    for (let i = 0; i < blocks; i++) q.write(block(i, 20_000));
    const fd = fs.openSync(join(dir, segments(dir)[0]!), 'r+');
    fs.writeSync(fd, Buffer.from([0xee]), 0, 1, 20_008 + 8 + 100);
    fs.closeSync(fd);
    q.write(block(99, 20_000)); // the rest of a corrupt segment is lost, later segments are not
    assert.deepEqual(await drain(q), want);
    assert.equal(q.pendingBlocks, 0);
    q.write(block(100, 20_000));
    assert.deepEqual(await drain(q), [100]);
    q.close();
  };
  await f(9, [0, ...range(3, 9), 99]);
  await f(2, [0]); // the corrupt segment is the one being written: 99 shares its fate, writing goes on
});

test('maxDiskBytes drops the oldest blocks and counts them', async () => {
  const dir = tmp();
  const q = open(dir, 'full', { maxDiskBytes: 256 << 10 });
  for (let i = 0; i < 100; i++) q.write(block(i, 10_000));
  assert.ok(q.pendingBytes <= 256 << 10);
  const got = await drain(q);
  const dropped = metric('vm_persistentqueue_blocks_dropped_total', 'full');
  assert.ok(dropped > 0);
  assert.deepEqual(got, range(dropped, 100));
  assert.equal(metric('vm_persistentqueue_bytes_dropped_total', 'full'), dropped * 10_008);
  q.close();
});

test('MemoryQueue is bounded and FIFO', async () => {
  const q = new MemoryQueue({ maxBytes: 250 });
  assert.equal(q.write(block(0)), true);
  assert.equal(q.write(block(1)), true);
  assert.equal(q.write(block(2)), false);
  assert.deepEqual(await drain(q), [0, 1]);
  assert.equal(q.write(block(3, 1000)), true, 'one oversized block is accepted into an empty queue');
  q.close();
  assert.equal(await q.next(), undefined);
});

// The real thing: a child process writes and acks in a loop and is killed with SIGKILL at random moments.
test('nothing acknowledged as written is lost across kill -9', async () => {
  const dir = tmp();
  const report = join(tmp(), 'report');
  const child = fileURLToPath(new URL('./crash-child.js', import.meta.url));
  let next = 0;
  for (let round = 0; round < 5; round++) {
    const p = spawn(process.execPath, [child, dir, report, String(next)], { stdio: 'inherit' });
    const exited = new Promise((r) => p.once('exit', r));
    while (!fs.existsSync(report) || fs.statSync(report).size < 200 * (round + 1)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, Math.random() * 300));
    p.kill('SIGKILL');
    await exited;
    const lines = fs.readFileSync(report, 'utf8').split('\n');
    const last = (k: string) =>
      Math.max(-1, ...lines.filter((l) => l[0] === k).map((l) => Number(l.slice(2))));
    const [written, acked] = [last('w'), last('a')];
    // Read a copy so the next round continues on the original.
    const copy = tmp();
    fs.cpSync(dir, copy, { recursive: true });
    const q = open(copy, 'crash-check');
    const got = await drain(q);
    q.close();
    const from = got[0] ?? written + 1;
    assert.ok(
      from === acked + 1 || from === acked + 2,
      `round ${round}: first ${from}, last reported ack ${acked}`,
    );
    assert.deepEqual(got, range(from, from + got.length), `round ${round}: in order, no gaps or duplicates`);
    const to = from + got.length - 1;
    assert.ok(
      to === written || to === written + 1,
      `round ${round}: last ${to}, last reported write ${written}`,
    );
    next = to + 1;
  }
});

test('blocks written by this process are read from memory, older ones from disk, in order', async () => {
  const dir = tmp();
  const q = open(dir, 'recent', { recentBytes: 50_000 });
  const readBefore = metric('vm_persistentqueue_bytes_read_total', 'recent');
  for (let i = 0; i < 10; i++) q.write(block(i, 10_000));
  // The 5 newest fit the 50,000-byte budget; the 5 before are read back from the segment file.
  assert.deepEqual(await drain(q), range(0, 10));
  assert.equal(metric('vm_persistentqueue_bytes_read_total', 'recent') - readBefore, 10 * 10_000);
  q.close();
  const again = open(dir, 'recent');
  assert.equal(again.pendingBlocks, 0);
  again.close();
});
