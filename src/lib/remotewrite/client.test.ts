import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { uncompressSync } from 'snappy';
import { startVictoriaMetrics } from '../../../e2e/harness/victoria-metrics.js';
import { startSwitchProxy } from '../../../e2e/harness/switch-proxy.js';
import { makeSelfSignedCert } from '../../testing/certs/certs.js';
import { defaultRegistry } from '../metrics/registry.js';
import { decodeWriteRequest } from '../prompb/decode.js';
import { encodeLabels, hashLabels, WriteRequestBuffer } from '../prompb/encode.js';
import type { TimeSeries } from '../prompb/types.js';
import { RemoteWriteClient, type RemoteWriteOptions } from './client.js';
import { classifyStatus, parseRetryAfterMs } from './send.js';

let nextIndex = 100; // each client gets its own url label, so counters do not mix between tests
const labelOf = new WeakMap<RemoteWriteClient, number>();
const makeClient = (url: string, extra: Partial<RemoteWriteOptions> = {}) => {
  const urlIndex = nextIndex++;
  const c = new RemoteWriteClient({
    url,
    urlIndex,
    queues: 2,
    flushIntervalMs: 50,
    maxBlockBytes: 1 << 20,
    maxRowsPerBlock: 100,
    sendTimeoutMs: 2000,
    retryMinIntervalMs: 10,
    retryMaxIntervalMs: 100,
    queueDir: fs.mkdtempSync(join(tmpdir(), 'lookout-rw-')),
    maxDiskBytes: 0,
    headers: () => ({ Authorization: 'Bearer t0ken' }),
    ...extra,
  });
  labelOf.set(c, urlIndex + 1);
  return c;
};
const counter = (c: RemoteWriteClient, name: string, extra = ''): number =>
  defaultRegistry.counter(`${name}{url="${labelOf.get(c)}:secret-url"${extra}}`).value;
const series = (name: string, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const labels = encodeLabels([
      { name: '__name__', value: name },
      { name: 'i', value: String(i) },
    ]);
    return { labels, hash: hashLabels(labels) };
  });
async function until(cond: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}
const t0 = Date.now() - 3600_000;

test('pure helpers: status classes and Retry-After', () => {
  const f = (code: number, want: string) => assert.equal(classifyStatus(code), want);
  f(200, 'ok');
  f(204, 'ok');
  f(400, 'drop');
  f(409, 'drop');
  f(429, 'retry');
  f(500, 'retry');
  f(503, 'retry');
  f(404, 'retry');
  const g = (h: string | undefined, want: number | undefined) =>
    assert.equal(parseRetryAfterMs(h, 1_000_000), want);
  g(undefined, undefined);
  g('3', 3000);
  g(' 0 ', 0);
  g('soon', undefined);
  g(new Date(1_000_000 + 5000).toUTCString(), 5000);
  g(new Date(0).toUTCString(), 0);
});

test('samples reach a real VictoriaMetrics, in order, also across a receiver outage', async () => {
  const dataDir = fs.mkdtempSync(join(tmpdir(), 'lookout-vm-keep-'));
  // The client writes through a relay this test owns, so the outage never frees a port that a parallel
  // test could take.
  const rx = await startSwitchProxy();
  let vm2 = await startVictoriaMetrics({ dataDir });
  rx.up(vm2.port);
  const c = makeClient(`http://127.0.0.1:${rx.port}/api/v1/write`);
  const ss = series('rw_outage', 50);
  const push = (k: number) =>
    ss.forEach((s, i) => c.appendSample(s.labels, s.hash, i * 1000 + k, t0 + k * 1000));
  for (let k = 0; k < 5; k++) push(k);
  c.flush();
  await until(
    async () => (await vm2.export('rw_outage')).every((s) => s.values.length === 5),
    'first samples',
  );
  // Acknowledged first: cutting the connection before the answer arrives would (rightly) resend the block.
  await until(() => c.pendingBytes === 0, 'the first blocks acknowledged');
  rx.down();
  await vm2.stop();
  for (let k = 5; k < 10; k++) push(k);
  c.flush();
  await until(() => counter(c, 'vmagent_remotewrite_errors_total') >= 2, 'retries while down');
  vm2 = await startVictoriaMetrics({ dataDir });
  rx.up(vm2.port);
  try {
    await until(() => c.pendingBytes === 0, 'the queue to drain');
    const got = await vm2.export('rw_outage');
    assert.equal(got.length, 50);
    for (const s of await vm2.export('rw_outage')) {
      const i = Number(s.metric.i);
      assert.deepEqual(
        s.values,
        Array.from({ length: 10 }, (_, k) => i * 1000 + k),
      );
      assert.deepEqual(
        s.timestamps,
        Array.from({ length: 10 }, (_, k) => t0 + k * 1000),
      );
    }
    assert.ok(counter(c, 'vmagent_remotewrite_retries_count_total') >= 2);
    assert.ok(counter(c, 'vmagent_remotewrite_blocks_sent_total') >= 2);
  } finally {
    await c.close();
    await vm2.stop();
    await rx.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a graceful close keeps the backlog on disk and the next client sends it', async () => {
  const rx = await startSwitchProxy();
  const queueDir = fs.mkdtempSync(join(tmpdir(), 'lookout-rw-'));
  const url = `http://127.0.0.1:${rx.port}/api/v1/write`;
  const c1 = makeClient(url, { queueDir });
  const ss = series('rw_backlog', 20);
  for (let k = 0; k < 3; k++) ss.forEach((s) => c1.appendSample(s.labels, s.hash, k, t0 + k * 1000));
  await c1.close(); // nobody listens: everything stays queued
  const vm = await startVictoriaMetrics();
  rx.up(vm.port);
  const c2 = makeClient(url, { queueDir });
  try {
    await until(
      async () => (await vm.export('rw_backlog')).filter((s) => s.values.length === 3).length === 20,
      'backlog',
    );
    await until(() => c2.pendingBytes === 0, 'empty queue');
  } finally {
    await c2.close();
    await vm.stop();
    await rx.close();
  }
});

test('a backlog left by a run with more queues is still sent', async () => {
  const queueDir = fs.mkdtempSync(join(tmpdir(), 'lookout-rw-'));
  const c1 = makeClient(`http://127.0.0.1:1/api/v1/write`, { queueDir, queues: 3 });
  const ss = series('rw_leftover', 30);
  ss.forEach((s, i) => c1.appendSample(s.labels, s.hash, i, t0));
  await c1.close();
  assert.equal(fs.readdirSync(queueDir).length, 3);
  const srv = await startScripted([]);
  const c2 = makeClient(srv.url, { queueDir, queues: 1 });
  await until(() => srv.got.reduce((n, g) => n + g.series.length, 0) === 30, 'the leftover backlog');
  await c2.close();
  await srv.close();
});

// A tiny receiver that answers scripted status codes (VictoriaMetrics cannot be made to), records what it got.
async function startScripted(codes: number[]) {
  const got: { code: number; series: TimeSeries[]; headers: http.IncomingHttpHeaders }[] = [];
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const code = codes.shift() ?? 204;
      const series = decodeWriteRequest(uncompressSync(Buffer.concat(chunks)) as Buffer);
      got.push({ code, series, headers: req.headers });
      if (code === 0) return; // hang: never answer
      if (code === -1) {
        // A 200 cut short: half of the body its Content-Length announces, then the connection closes.
        res.writeHead(200, { 'Content-Length': '10' }).write('12345', () => res.destroy());
        return;
      }
      if (code === 429) res.setHeader('Retry-After', '0');
      if (code === 503) res.setHeader('Retry-After', new Date(Date.now() - 1000).toUTCString());
      res.writeHead(code).end(code === 400 ? 'bad sample' : '');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    got,
    close: () => new Promise((r) => srv.close(r)),
    closeAll: () => srv.closeAllConnections(),
  };
}

test('400 and 409 are dropped, 429 and 503 are retried in order', async () => {
  const srv = await startScripted([400, 409, 429, 503, 500]);
  const c = makeClient(srv.url, { queues: 1, maxRowsPerBlock: 1, flushIntervalMs: 60_000 });
  const [s] = series('rw_codes', 1);
  for (let k = 0; k < 6; k++) c.appendSample(s!.labels, s!.hash, k, t0 + k);
  await until(() => srv.got.filter((g) => g.code === 204).length === 4, 'accepted blocks');
  const ts = (g: { series: TimeSeries[] }) => g.series[0]!.samples[0]!.timestampMs - t0;
  assert.deepEqual(
    srv.got.map((g) => [g.code, ts(g)]),
    [
      [400, 0],
      [409, 1],
      [429, 2],
      [503, 2],
      [500, 2],
      [204, 2],
      [204, 3],
      [204, 4],
      [204, 5],
    ],
  );
  const h = srv.got[0]!.headers;
  assert.equal(h['content-encoding'], 'snappy');
  assert.equal(h['content-type'], 'application/x-protobuf');
  assert.equal(h['x-prometheus-remote-write-version'], '0.1.0');
  assert.equal(h.authorization, 'Bearer t0ken');
  assert.equal(counter(c, 'vmagent_remotewrite_packets_dropped_total'), 2);
  assert.equal(counter(c, 'vmagent_remotewrite_retries_count_total'), 3);
  assert.equal(counter(c, 'vmagent_remotewrite_requests_total', ',status_code="429"'), 1);
  assert.equal(counter(c, 'vmagent_remotewrite_requests_total', ',status_code="204"'), 4);
  assert.equal(counter(c, 'vmagent_remotewrite_blocks_sent_total'), 4);
  await c.close();
  await srv.close();
});

// Sends one block to a receiver whose first answer is `code` (scripted), waits until the block came again
// and landed, and checks the failure was counted as one error and one retry.
async function sentAgainAfter(code: number, name: string, extra: Partial<RemoteWriteOptions> = {}) {
  const srv = await startScripted([code]);
  const c = makeClient(srv.url, { queues: 1, ...extra });
  const [s] = series(name, 1);
  c.appendSample(s!.labels, s!.hash, 1, t0);
  c.flush();
  await until(() => srv.got.length === 2 && c.pendingBytes === 0, `the block sent again after ${code}`);
  assert.deepEqual(
    srv.got.map((g) => g.code),
    [code, 204],
  );
  assert.equal(counter(c, 'vmagent_remotewrite_blocks_sent_total'), 1);
  assert.equal(counter(c, 'vmagent_remotewrite_errors_total'), 1);
  assert.equal(counter(c, 'vmagent_remotewrite_retries_count_total'), 1);
  await c.close();
  srv.closeAll();
  await srv.close();
}

test('a receiver that does not answer in sendTimeoutMs gets the block again', async () => {
  await sentAgainAfter(0, 'rw_timeout', { sendTimeoutMs: 200 });
});

test('a response cut short is not a delivery: the block is sent again', async () => {
  await sentAgainAfter(-1, 'rw_cut_short');
});

test('one series always lands on one shard; a dead URL does not hold back another client', async () => {
  const srv = await startScripted([]);
  const dead = makeClient(`http://127.0.0.1:1/api/v1/write`, { queues: 4 });
  const live = makeClient(srv.url, { queues: 4, maxRowsPerBlock: 7 });
  const ss = series('rw_shards', 40);
  for (let k = 0; k < 20; k++) {
    for (const s of ss) {
      dead.appendSample(s.labels, s.hash, k, t0 + k);
      live.appendSample(s.labels, s.hash, k, t0 + k);
    }
  }
  live.flush();
  await until(() => srv.got.reduce((n, g) => n + g.series.length, 0) === 800, 'all samples at the live URL');
  const bySeries = new Map<string, number[]>();
  for (const g of srv.got) {
    for (const s of g.series) {
      const key = s.labels.map((l) => l.value).join(',');
      bySeries.set(key, [...(bySeries.get(key) ?? []), s.samples[0]!.timestampMs - t0]);
    }
  }
  assert.equal(bySeries.size, 40);
  for (const v of bySeries.values())
    assert.deepEqual(
      v,
      Array.from({ length: 20 }, (_, k) => k),
    );
  assert.ok(dead.pendingBytes > 0);
  await Promise.all([dead.close(), live.close()]);
  await srv.close();
});

test('a full memory queue rejects pushes and counts dropped samples', async () => {
  const c = makeClient(`http://127.0.0.1:1/api/v1/write`, {
    queues: 1,
    disableOnDiskQueue: true,
    memoryQueueBytes: 1,
    sendTimeoutMs: 50,
  });
  const one = (k: number): TimeSeries[] => [
    { labels: [{ name: '__name__', value: 'rw_mem' }], samples: [{ value: k, timestampMs: t0 + k }] },
  ];
  assert.equal(c.pushSeries(one(0)), true);
  c.flush();
  assert.equal(c.pushSeries(one(1)), false);
  await c.close();
});

test('https with a custom CA and the Authorization header from headers()', async () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'lookout-tls-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  makeSelfSignedCert(dir);
  const got: string[] = [];
  const srv = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
    got.push(String(req.headers.authorization));
    req.resume().on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(srv.address() as { port: number }).port}/api/v1/write`;
  let token = 0;
  const c = makeClient(url, {
    queues: 1,
    tls: { ca: fs.readFileSync(cert) },
    headers: () => {
      if (token++ === 0) throw new Error('token file missing');
      return { Authorization: `Bearer ${token}` };
    },
  });
  const [s] = series('rw_tls', 1);
  c.appendSample(s!.labels, s!.hash, 1, t0);
  c.flush();
  c.appendSample(s!.labels, s!.hash, 2, t0 + 1);
  c.flush();
  await until(() => got.length === 2, 'two requests over TLS');
  assert.deepEqual(got, ['Bearer 2', 'Bearer 3'], 'a throwing headers() is retried like a network error');
  // Without the CA the certificate is rejected: a network error, retried, never delivered.
  const bad = makeClient(url, { queues: 1 });
  bad.appendSample(s!.labels, s!.hash, 3, t0 + 2);
  bad.flush();
  await until(() => counter(bad, 'vmagent_remotewrite_errors_total') >= 1, 'a TLS error');
  assert.equal(got.length, 2);
  await Promise.all([c.close(), bad.close()]);
  await new Promise((r) => srv.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('appendRows cuts blocks exactly where appendSample would (rows and bytes limits)', async () => {
  const srv = await startScripted([]);
  const opts = { queues: 1, maxRowsPerBlock: 7, maxBlockBytes: 600, flushIntervalMs: 60_000 };
  const one = makeClient(srv.url, opts);
  const ss = series('rw_append_rows_with_a_longer_name', 30);
  // Rows of varied sizes (label sets and timestamps), appended one by one to `one`...
  const rows = Array.from({ length: 200 }, (_, k) => ({
    s: ss[(k * 7) % 30]!,
    v: k / 3,
    ts: t0 + k * 99_991,
  }));
  for (const r of rows) one.appendSample(r.s.labels, r.s.hash, r.v, r.ts);
  one.flush();
  await until(() => srv.got.reduce((n, g) => n + g.series.length, 0) === 200, 'the rows appended one by one');
  const want = srv.got.splice(0).map((g) => g.series);
  await one.close();
  // ...and, encoded the same way, to `batched` in runs of 1 to 40 rows.
  const batched = makeClient(srv.url, opts);
  for (let i = 0, run = 1; i < rows.length; i += run, run = (run * 5) % 41 || 1) {
    const enc = new WriteRequestBuffer(64);
    const part = rows.slice(i, i + run);
    for (const r of part) enc.appendSample(r.s.labels, r.v, r.ts);
    const bytes = new Uint8Array(enc.bytes().length + 10);
    bytes.set(enc.bytes(), 5);
    batched.appendRows(0, bytes, 5, 5 + enc.bytes().length, part.length);
  }
  batched.flush();
  await until(() => srv.got.reduce((n, g) => n + g.series.length, 0) === 200, 'the rows appended in runs');
  const got = srv.got.map((g) => g.series);
  assert.ok(want.length > 200 / 7, `${want.length} blocks`);
  assert.deepEqual(got, want);
  await batched.close();
  await srv.close();
});
