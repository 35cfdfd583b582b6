import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { RequestError, decodeText, readBody, readLinesBlocks } from './body.js';
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
