// Pushed data through the wired `lookout agent` process (not just its handlers): the same pushes to
// lookout and to the real vmagent, each remote-writing into its own VictoriaMetrics, give the same series.
// Pushed data takes the road of scraped data: -remoteWrite.label is applied to it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { compressSync } from 'snappy';
import { startVictoriaMetrics, type VictoriaMetrics } from './harness/victoria-metrics.js';
import { freePort, makeTempDir, removeDir, waitFor } from './harness/proc.js';
import { seriesSet, startAgent, type RunningAgent } from './agent-helpers.js';
import { encodeWriteRequest } from '../src/lib/prompb/encode.js';

interface Side {
  name: string;
  vm: VictoriaMetrics;
  agent: RunningAgent;
  graphitePort: number;
}

let dir: string;
const sides: Side[] = [];
const nowSec = Math.floor(Date.now() / 1000) - 30;

before(async () => {
  dir = makeTempDir('e2e-ingest');
  for (const name of ['lookout', 'vmagent'] as const) {
    const vm = await startVictoriaMetrics();
    const graphitePort = await freePort();
    const agent = await startAgent(name, [
      `-remoteWrite.url=${vm.url}/api/v1/write`,
      `-remoteWrite.tmpDataPath=${dir}/${name}-q`,
      `-graphiteListenAddr=127.0.0.1:${graphitePort}`,
      '-remoteWrite.label=pushed_via=agent',
      '-remoteWrite.flushInterval=200ms',
      '-loggerLevel=ERROR',
    ]);
    sides.push({ name, vm, agent, graphitePort });
  }
});

after(async () => {
  for (const s of sides) {
    await s.agent.proc.stop();
    await s.vm.stop();
  }
  removeDir(dir);
});

async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<number> {
  const r = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
  await r.text();
  return r.status;
}

async function graphite(port: number, text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.end(text));
    sock.on('close', () => resolve());
    sock.on('error', reject);
  });
}

test('influx, graphite, JSON import, Prometheus import and remote write land the same in both', async () => {
  const rw = compressSync(
    Buffer.from(
      encodeWriteRequest([
        {
          labels: [
            { name: '__name__', value: 'rw_metric' },
            { name: 'a', value: 'b' },
          ],
          samples: [{ value: 7, timestampMs: nowSec * 1000 }],
        },
      ]),
    ),
  );
  for (const s of sides) {
    const u = s.agent.url;
    const influx = await fetch(`${u}/write?db=mydb`, {
      method: 'POST',
      body: `cpu,host=h1 usage=0.5,idle=99 ${nowSec}000000000\nbad line here\nmem,host=h1 used=3 ${nowSec}000000000\n`,
    });
    const influxBody = await influx.text();
    // vmagent answers 204 and only logs the bad line; lookout also names it in the response (200).
    if (s.name === 'lookout') {
      assert.equal(influx.status, 200);
      assert.match(influxBody, /bad line here/);
    } else assert.equal(influx.status, 204);
    assert.equal(
      await post(
        `${u}/api/v1/import`,
        JSON.stringify({
          metric: { __name__: 'json_metric', k: 'v' },
          values: [1.5],
          timestamps: [nowSec * 1000],
        }) + '\n',
      ),
      204,
      `${s.name} import`,
    );
    assert.equal(
      await post(`${u}/api/v1/import/prometheus`, `prom_metric{x="1"} 42 ${nowSec * 1000}\n`),
      204,
      `${s.name} prometheus import`,
    );
    const rwStatus = await post(`${u}/api/v1/write`, rw, {
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
    });
    assert.ok(rwStatus === 204 || rwStatus === 200, `${s.name} remote write: ${rwStatus}`);
    await graphite(s.graphitePort, `gr.metric;env=prod 5 ${nowSec}\n`);
  }
  const match = '{__name__=~"cpu_.*|mem_.*|json_metric|prom_metric|rw_metric|gr.metric"}';
  // Seven series: three from influx (cpu_usage, cpu_idle, mem_used) and one per other protocol. Waiting
  // for six let a late Graphite row (vmagent flushes TCP input asynchronously) fail the comparison.
  for (const s of sides) {
    await waitFor(
      `${s.name}: all pushed series`,
      async () => (await s.vm.export(match)).length >= 7,
      20_000,
      300,
    );
  }
  const [l, v] = await Promise.all(sides.map(async (s) => seriesSet(await s.vm.export(match))));
  assert.deepEqual(l, v);
  assert.ok(
    l!.every((id) => id.includes('pushed_via="agent"')),
    `-remoteWrite.label applies to pushed data:\n${l!.join('\n')}`,
  );
  assert.ok(l!.includes('cpu_usage{db="mydb",host="h1",pushed_via="agent"}'), l!.join('\n'));
});

test('with -remoteWrite.disableOnDiskQueue and a dead receiver, pushers get 429 once the memory queue is full', async () => {
  const agent = await startAgent('lookout', [
    // Port 1: nothing listens there, and no parallel test can start a server on it.
    '-remoteWrite.url=http://127.0.0.1:1/api/v1/write',
    `-remoteWrite.tmpDataPath=${dir}/bp-q`,
    '-remoteWrite.disableOnDiskQueue',
    '-remoteWrite.maxPendingBytesPerURL=64KiB',
    '-remoteWrite.queues=1',
    '-remoteWrite.flushInterval=100ms',
    '-loggerLevel=ERROR',
  ]);
  try {
    const line = (i: number) => `bp_metric,host=h${i} value=${i}`;
    let status = 0;
    let sent = 0;
    // Bounded: at most 200 requests of 500 lines each.
    for (let i = 0; i < 200 && status !== 429; i++) {
      const body = Array.from({ length: 500 }, (_, j) => line(i * 500 + j)).join('\n');
      const r = await fetch(`${agent.url}/write`, { method: 'POST', body });
      status = r.status;
      await r.text();
      sent++;
      await new Promise((res) => setTimeout(res, 120));
    }
    assert.equal(status, 429, `no 429 after ${sent} requests`);
    const metrics = await (await fetch(`${agent.url}/metrics`)).text();
    assert.match(metrics, /vmagent_http_requests_total|vm_rows_ignored_total|vmagent_rows_inserted_total/);
  } finally {
    await agent.proc.stop();
  }
});
