import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import zlib from 'node:zlib';
import {
  RequestError,
  decodeText,
  openUncompressed,
  readBody,
  readLineChunks,
  readLinesBlocks,
} from './body.js';
import { parseLinesStream } from './stream.js';

const chunks = (...parts: string[]): Buffer[] => parts.map((p) => Buffer.from(p));

test('readLinesBlocks: blocks end at line breaks whatever the chunking', async () => {
  const f = async (parts: string[], want: Array<[string, number]>): Promise<void> => {
    const got: Array<[string, number]> = [];
    await readLinesBlocks(chunks(...parts), 100, 'x', (b, n) => void got.push([b, n]));
    assert.deepEqual(got, want, JSON.stringify(parts));
  };
  await f(
    ['a\nb', 'c\nd'],
    [
      ['a\n', 1],
      ['bc\n', 2],
      ['d', 3],
    ],
  );
  // A carried partial line is completed as a block of its own; the rest of the chunk follows in place.
  await f(
    ['a\nb', 'c\nd\ne\n', 'f'],
    [
      ['a\n', 1],
      ['bc\n', 2],
      ['d\ne\n', 3],
      ['f', 5],
    ],
  );
  await f(['a', 'b', 'c'], [['abc', 1]]);
  await f(
    ['a\n\n', '\nb\n'],
    [
      ['a\n\n', 1],
      ['\nb\n', 3],
    ],
  );
  await f([], []);
});

test('readLinesBlocks: a line over the limit is a 400 naming the flag, even when trickled', async () => {
  const trickle = Array.from({ length: 200 }, () => 'x');
  await assert.rejects(
    readLinesBlocks(chunks(...trickle), 100, 'import.maxLineLen', () => {}),
    (err: unknown) =>
      err instanceof RequestError && err.statusCode === 400 && /-import\.maxLineLen=100/.test(err.message),
  );
});

test('parseLinesStream numbers lines from the start of the stream', async () => {
  const errors: number[] = [];
  await parseLinesStream(
    chunks('ok\nbad\n', 'ok\nbad\n'),
    100,
    'x',
    (block, onRow, onError) =>
      block.split('\n').forEach((l, i) => (l === 'bad' ? onError(i + 1, l, 'bad') : l && onRow(l))),
    () => {},
    (n) => errors.push(n),
  );
  assert.deepEqual(errors, [2, 4]);
});

test('readBody bounds the decompressed size', async () => {
  const gz = zlib.gzipSync(Buffer.alloc(1000, 'a'));
  assert.equal((await readBody(Readable.from([gz]), 'gzip', 1000, 'x')).length, 1000);
  await assert.rejects(
    readBody(Readable.from([gz]), 'gzip', 999, 'lim'),
    /too big request; mustn't exceed -lim=999 bytes/,
  );
});

test('decodeText: ASCII, UTF-8 and invalid bytes decode as UTF-8 would', () => {
  for (const b of [
    Buffer.from('cpu,host=a v=1\n'),
    Buffer.from('température,lieu=Zürich v=1 ✓\n'),
    Buffer.from([0x61, 0xff, 0x62, 0xc3]),
    Buffer.alloc(0),
  ])
    assert.equal(decodeText(b), b.toString('utf8'));
});

test('readBody: a plain body over the limit is a 413; the stream is paused, not destroyed', async () => {
  const src = new PassThrough();
  src.write('x'.repeat(600));
  src.write('y'.repeat(600));
  await assert.rejects(readBody(src, undefined, 1000, 'lim'), /mustn't exceed -lim=1000 bytes/);
  assert.equal(src.destroyed, false);
  assert.equal(src.isPaused(), true);
  src.end('z');
  // The handler drains what is left, as drain() does.
  let rest = 0;
  src.on('data', (c: Buffer) => (rest += c.length));
  src.resume();
  await new Promise((r) => src.on('end', r));
  assert.ok(rest >= 1, `drained ${rest} bytes`);
  assert.equal(
    (await readBody(Readable.from([Buffer.from('ab'), Buffer.from('c')]), 'identity', 3, 'x')).toString(),
    'abc',
  );
});

test('readBody and readLineChunks fail when the stream closes before its end', async () => {
  const a = new PassThrough();
  a.write('partial');
  setImmediate(() => a.destroy());
  await assert.rejects(
    readBody(a, '', 1000, 'x'),
    (err: unknown) => err instanceof RequestError && err.statusCode === 400,
  );
  const b = new PassThrough();
  b.write('a\n');
  setImmediate(() => b.destroy());
  await assert.rejects(
    readLineChunks(b, 100, 'x', () => {}),
    (err: unknown) => err instanceof RequestError && err.statusCode === 400,
  );
});

test('readLineChunks reads a Readable with events: waits for async blocks, stops on false, resumes a paused one', async () => {
  const src = new PassThrough();
  // Paused and a chunk put back, as the OpenTSDB port does after peeking at the first bytes.
  src.pause();
  src.unshift(Buffer.from('a\n'));
  for (const c of ['b\nc', '\nd\n', 'e\nf']) src.write(c);
  src.end();
  const got: Array<[string, number]> = [];
  let pending = 0;
  const ok = await readLineChunks(src, 100, 'x', async (block, n) => {
    assert.equal(pending, 0, 'a block while the one before is pending');
    pending++;
    await new Promise((r) => setTimeout(r, 2));
    pending--;
    got.push([block.toString(), n]);
  });
  assert.equal(ok, true);
  assert.deepEqual(got.map(([b]) => b).join(''), 'a\nb\nc\nd\ne\nf');
  assert.deepEqual(got.at(-1), ['f', 6]);

  const stopped = new PassThrough();
  stopped.write('1\n');
  stopped.write('2\n');
  stopped.end('3\n');
  let calls = 0;
  assert.equal(await readLineChunks(stopped, 100, 'x', () => ++calls < 1), false);
  assert.equal(calls, 1);
  assert.equal(stopped.destroyed, false);

  // false for the completed partial line stops before the rest of its chunk.
  const seen: string[] = [];
  const stop = (b: Buffer): boolean => (seen.push(b.toString()), b.toString() !== '2\n');
  assert.equal(await readLineChunks(chunks('1\n2', '\n3\n'), 100, 'x', stop), false);
  assert.deepEqual(seen, ['1\n', '2\n']);
  seen.length = 0;
  assert.equal(await readLineChunks(chunks('1\n2', '\n3\n'), 100, 'x', async (b) => stop(b)), false);
  assert.deepEqual(seen, ['1\n', '2\n']);
});

test('readLineChunks numbers lines by the counts block handlers return', async () => {
  const firsts: number[] = [];
  // A handler that reports 10 lines per block (a scanner knows its count): numbering follows it.
  await readLineChunks(chunks('a\n', 'b\n', 'c\n'), 100, 'x', (_b, n) => {
    firsts.push(n);
    return 10;
  });
  assert.deepEqual(firsts, [1, 11, 21]);
});

test('a decompressed stream that stops early: the request, unpiped and resumed as drain() does, drains', async () => {
  // A gzip body bigger than the pipe buffers, whose first line is over the limit.
  const text =
    'x'.repeat(50_000) + '\n' + Array.from({ length: 20_000 }, (_, i) => `${i * 7919}`.repeat(3)).join('\n');
  const src = new PassThrough();
  const gz = zlib.gzipSync(Buffer.from(text), { level: 0 });
  for (let i = 0; i < gz.length; i += 1024) src.write(gz.subarray(i, i + 1024));
  src.end();
  await assert.rejects(
    readLineChunks(openUncompressed(src, 'gzip', 1 << 30, 'x'), 100, 'lim', () => {}),
    /-lim=100/,
  );
  // As drain() does: unpipe and resume the request, and wait for its end.
  assert.equal(src.readableEnded, false);
  src.unpipe();
  src.resume();
  const ended = await Promise.race([
    new Promise((r) => src.once('end', () => r(true))),
    new Promise((r) => setTimeout(() => r(false), 2000)),
  ]);
  assert.equal(ended, true, 'the request body never drained');
});
