// Hostile and malformed input over HTTP, TCP and UDP: limits answer 4xx naming the flag, bad lines are
// skipped and counted while good ones arrive, slow or greedy TCP clients are cut off.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import snappy from 'snappy';
import { CollectingSink } from '../../../testing/ingest-sink.js';
import { defaultRegistry } from '../../../lib/metrics/registry.js';
import { setupLogger } from '../../../lib/logger/logger.js';
import { defaultIngestConfig } from './flags.js';
import { makeIngestRouter } from './router.js';
import { parseText } from '../../../lib/protoparser/prometheus/parser.js';
import { parseSeriesKey } from '../../../lib/protoparser/prometheus/series-key.js';
import { startIngestListeners } from './listeners.js';
import type { IngestListeners } from './listeners.js';

setupLogger({ sink: () => {} });

const sink = new CollectingSink();
const names = (): string[] => sink.series.map((s) => s.labels[0]!.value).sort();

const cfg = defaultIngestConfig({
  influxMaxRequestSize: 1024 * 1024,
  influxMaxLineSize: 1000,
  importMaxLineLen: 1000,
  maxInsertRequestSize: 64 * 1024,
  maxLabelsPerTimeseries: 5,
  graphiteListenAddr: '127.0.0.1:0',
  influxListenAddr: '127.0.0.1:0',
  opentsdbListenAddr: '127.0.0.1:0',
  tcpIdleTimeoutMs: 300,
  tcpMaxConnections: 3,
});
let server: http.Server;
let base = '';
let listeners: IngestListeners;

before(async () => {
  const route = makeIngestRouter(cfg, sink, { prometheus: { parseText, parseSeriesKey } });
  server = http.createServer((req, res) => void (route(req, res) || res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  listeners = await startIngestListeners(cfg, sink);
});

after(async () => {
  await listeners.close();
  server.closeAllConnections();
  server.close();
});

async function post(
  path: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): Promise<[number, string]> {
  sink.clear();
  const res = await fetch(base + path, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return [res.status, await res.text()];
}

test('HTTP: limits answer 400/413/415 naming the limit, nothing reaches the sink', async () => {
  const f = async (
    path: string,
    body: Buffer | string,
    headers: Record<string, string>,
    status: number,
    want: RegExp,
  ): Promise<void> => {
    const [s, text] = await post(path, body, headers);
    assert.equal(s, status, `${path}: ${text}`);
    assert.match(text, want, path);
    assert.deepEqual(names(), [], path);
  };
  const big = 'm v=1\n'.repeat(200_000);
  await f('/write', big, {}, 413, /-influx\.maxRequestSize=1048576/);
  await f(
    '/write',
    zlib.gzipSync(Buffer.alloc(10 * 1024 * 1024, 'a')),
    { 'Content-Encoding': 'gzip' },
    413,
    /influx\.maxRequestSize/,
  );
  await f('/write', 'm v=1 ' + 'x'.repeat(2000), { 'Stream-Mode': '1' }, 400, /-influx\.maxLineSize=1000/);
  await f('/write', Buffer.from('not gzip at all'), { 'Content-Encoding': 'gzip' }, 400, /cannot/);
  await f('/write', 'm v=1', { 'Content-Encoding': 'br' }, 415, /unsupported Content-Encoding/);
  await f('/write?extra_label=novalue', 'm v=1', {}, 400, /missing '=' in `extra_label`/);
  await f(
    '/api/v1/import',
    '{"metric":{"a":"' + 'x'.repeat(2000) + '"}}',
    {},
    400,
    /-import\.maxLineLen=1000/,
  );
  await f(
    '/api/v1/write',
    Buffer.alloc(100 * 1024),
    { 'Content-Encoding': 'snappy' },
    413,
    /-maxInsertRequestSize=65536/,
  );
  const bomb = snappy.compressSync(Buffer.alloc(1024 * 1024));
  await f('/api/v1/write', bomb, { 'Content-Encoding': 'snappy' }, 413, /maxInsertRequestSize/);
  await f('/api/v1/write', Buffer.from('garbage'), { 'Content-Encoding': 'snappy' }, 400, /snappy/);
  await f(
    '/opentelemetry/v1/metrics',
    Buffer.from([0x0a, 0xff, 0xff, 0x01]),
    {},
    400,
    /cannot unmarshal OpenTelemetry/,
  );
  await f('/api/put', '{not json', {}, 400, /cannot parse OpenTSDB HTTP put request/);
});

test('HTTP: Prometheus text import streams as vmagent does: any body size, lines up to 256 KiB', async () => {
  // A body over -maxInsertRequestSize (64 KiB here) lands whole: only a snappy body is bounded by it.
  const body = Array.from({ length: 5000 }, (_, i) => `p_big{i="${i}"} ${i}\n`).join('');
  assert.ok(body.length > cfg.maxInsertRequestSize);
  assert.deepEqual(await post('/api/v1/import/prometheus', body), [204, '']);
  assert.equal(sink.series.length, 5000);
  // A line over 256 KiB is a 400 naming the size; the blocks before it have landed.
  const long = `p_ok 1\n${'p_long{a="' + 'x'.repeat(300 * 1024) + '"} 1'}\np_after 1\n`;
  const [s, text] = await post('/api/v1/import/prometheus', long);
  assert.equal(s, 400);
  assert.match(text, /too long line: it exceeds 262144 bytes/);
  assert.ok(!names().includes('p_after'));
});

test('HTTP: bad lines are skipped, reported and counted; good lines go to the sink', async () => {
  const invalid = defaultRegistry.counter('vm_rows_invalid_total{type="influx"}');
  const before = invalid.value;
  const [s, text] = await post('/write', 'good1 v=1\nbad\ngood2 v=2 12x\ngood3 a=1,b=2\n');
  assert.equal(s, 200);
  assert.match(text, /skipped 2 invalid influx line\(s\)/);
  assert.match(text, /line 2: cannot parse "bad"/);
  assert.match(text, /line 3: .*cannot parse timestamp/);
  assert.deepEqual(names(), ['good1_v', 'good3_a', 'good3_b']);
  assert.equal(invalid.value - before, 2);
  const [s2] = await post('/write', 'ok v=1\n');
  assert.equal(s2, 204);
});

test('HTTP: a flood of distinct bad lines is counted, ten are reported, and the log gets one line', async () => {
  // vmagent throttles these logs per kind (one message per 5 seconds, whatever its text); lines that
  // differ in letters used to get a log line each.
  const logged: string[] = [];
  setupLogger({ sink: (line) => void logged.push(line) });
  try {
    const invalid = defaultRegistry.counter('vm_rows_invalid_total{type="influx"}');
    const before = invalid.value;
    const bad = Array.from({ length: 2000 }, (_, i) => `garbage${String.fromCharCode(97 + (i % 26))}${i}`);
    const [s, text] = await post('/write', `${bad.join('\n')}\nflood v=1\n`);
    assert.equal(s, 200);
    assert.match(text, /^skipped 2000 invalid influx line\(s\); first errors:\n/);
    assert.equal(text.trim().split('\n').length, 1 + 10);
    assert.equal(invalid.value - before, 2000);
    assert.ok(names().includes('flood_v'));
    assert.ok(logged.filter((l) => l.includes('skipping invalid influx line')).length <= 1, logged.join(''));
  } finally {
    setupLogger({ sink: () => {} });
  }
});

test('HTTP: gzip, deflate, zstd and snappy bodies decode', async () => {
  const f = async (enc: string, body: Buffer, want: string): Promise<void> => {
    const [s, text] = await post('/write', body, { 'Content-Encoding': enc });
    assert.equal(s, 204, `${enc}: ${text}`);
    assert.deepEqual(names(), [want], enc);
  };
  await f('gzip', zlib.gzipSync('gz v=1\n'), 'gz_v');
  await f('deflate', zlib.deflateSync('df v=1\n'), 'df_v');
  await f('snappy', snappy.compressSync('sn v=1\n'), 'sn_v');
  await f('zstd', zstdRawFrame(Buffer.from('zs v=1\n')), 'zs_v');
});

test('HTTP: back-pressure answers 429 and counts nothing as inserted', async () => {
  const inserted = defaultRegistry.counter('vmagent_rows_inserted_total{type="influx"}');
  const before = inserted.value;
  sink.accepting = false;
  try {
    const [s, text] = await post('/write', 'm v=1\n');
    assert.equal(s, 429);
    assert.match(text, /queues are full/);
  } finally {
    sink.accepting = true;
  }
  assert.equal(inserted.value, before);
});

test('HTTP: label limits drop the series and count the reason', async () => {
  const ignored = defaultRegistry.counter('vm_rows_ignored_total{reason="too_many_labels"}');
  const before = ignored.value;
  const [s] = await post('/write', 'many,a=1,b=2,c=3,d=4,e=5 v=1\nfew,a=1 v=1\n');
  assert.equal(s, 204);
  assert.deepEqual(names(), ['few_v']);
  assert.equal(ignored.value - before, 1);
});

// A minimal zstd frame: single segment, 1-byte content size, one raw (uncompressed) last block. Checked
// against the zstd CLI (`zstd -d` prints the payload); avoids needing the CLI in CI.
function zstdRawFrame(payload: Buffer): Buffer {
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, payload.length]);
  const bh = 1 | (payload.length << 3);
  return Buffer.concat([header, Buffer.from([bh & 255, (bh >> 8) & 255, (bh >> 16) & 255]), payload]);
}

// Resolves when the connection closes. A reset or a broken pipe is how the server's close shows up when it
// cuts the connection while the client is still writing (the too-long-line test): 'close' follows it.
function tcpSession(port: number, write: (s: net.Socket) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => write(s));
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    s.on('close', () => resolve());
    s.resume();
  });
}

async function waitUntil(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(cond(), what);
}

test('TCP: bad lines skipped, good lines delivered, a too long line closes the connection', async () => {
  sink.clear();
  const port = listeners.ports.get('graphite-tcp')!;
  await tcpSession(port, (s) => s.end('g.ok 1 1700000000\ng.bad x\ng.ok2 2 1700000000\n'));
  await waitUntil(() => names().length === 2, 'good graphite lines arrive');
  assert.deepEqual(names(), ['g.ok', 'g.ok2']);
  sink.clear();
  // 300 KiB without a line break (> 256 KiB): the server must close the connection by itself.
  await tcpSession(port, (s) => {
    s.write('g.before 1 1700000000\n');
    s.write('x'.repeat(300 * 1024));
  });
  assert.deepEqual(names(), ['g.before']);
});

test('TCP: idle clients are closed, connections beyond the limit are refused', async () => {
  const port = listeners.ports.get('influx-tcp')!;
  // Sends nothing: the idle timeout (300 ms here) must close it; the wait is bounded by the test timeout.
  await tcpSession(port, () => {});
  const refused = defaultRegistry.counter('vm_ingestserver_conns_refused_total{type="influx",name="tcp"}');
  const before = refused.value;
  const held: net.Socket[] = [];
  for (let i = 0; i < 3; i++) {
    await new Promise<void>((r) => held.push(net.connect(port, '127.0.0.1', r).on('error', () => {})));
  }
  await tcpSession(port, () => {});
  for (const s of held) s.destroy();
  assert.equal(refused.value - before, 1);
});

test('UDP: a datagram with bad lines still delivers its good lines', async () => {
  sink.clear();
  const port = listeners.ports.get('opentsdb-udp')!;
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) =>
    sock.send('put u.ok 1700000000 1 a=b\nput bad\nput u.ok2 1700000000 2\n', port, '127.0.0.1', () => r()),
  );
  sock.close();
  await waitUntil(() => names().length === 2, 'good opentsdb lines arrive over UDP');
  assert.deepEqual(names(), ['u.ok', 'u.ok2']);
});

test('OpenTSDB port: HTTP and telnet on one port', async () => {
  sink.clear();
  const port = listeners.ports.get('opentsdb-tcp')!;
  const res = await fetch(`http://127.0.0.1:${port}/api/put`, {
    method: 'POST',
    body: JSON.stringify({ metric: 'h.ok', timestamp: 1700000000, value: 1 }),
  });
  assert.equal(res.status, 204);
  const bad = await fetch(`http://127.0.0.1:${port}/api/put`, {
    method: 'POST',
    body: '[{"metric":"h.ok2","value":2},{"value":3}]',
  });
  assert.equal(bad.status, 200);
  assert.match(await bad.text(), /missing `metric`/);
  await tcpSession(port, (s) => s.end('put t.ok 1700000000 1\n'));
  await waitUntil(() => names().length === 3, 'telnet line arrives');
  assert.deepEqual(names(), ['h.ok', 'h.ok2', 't.ok']);
});
