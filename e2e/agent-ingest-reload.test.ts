// Pushed series are resolved once and remembered (docs/ingestion.md, "Series memory"): a reload of the
// -remoteWrite relabel file must make the agent resolve them again, for every protocol's memory. Pushes
// the same series before and after changing the file and reloading through /-/reload, and reads what
// reached VictoriaMetrics.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { compressSync } from 'snappy';
import { startVictoriaMetrics, type VictoriaMetrics } from './harness/victoria-metrics.js';
import { freePort, makeTempDir, removeDir, waitFor } from './harness/proc.js';
import { seriesSet, startAgent, writeFile, type RunningAgent } from './agent-helpers.js';
import { encodeWriteRequest } from '../src/lib/prompb/encode.js';

let dir: string;
let vm: VictoriaMetrics;
let agent: RunningAgent;
let graphitePort: number;
let relabelFile: string;
const nowSec = Math.floor(Date.now() / 1000) - 60;

const relabel = (stage: string): string =>
  `- action: replace\n  target_label: stage\n  replacement: ${stage}\n`;

before(async () => {
  dir = makeTempDir('e2e-ingest-reload');
  vm = await startVictoriaMetrics();
  graphitePort = await freePort();
  relabelFile = writeFile(dir, 'relabel.yml', relabel('one'));
  agent = await startAgent('lookout', [
    `-remoteWrite.url=${vm.url}/api/v1/write`,
    `-remoteWrite.tmpDataPath=${dir}/q`,
    `-remoteWrite.relabelConfig=${relabelFile}`,
    `-graphiteListenAddr=127.0.0.1:${graphitePort}`,
    '-remoteWrite.flushInterval=200ms',
    '-loggerLevel=ERROR',
  ]);
});

after(async () => {
  await agent.proc.stop();
  await vm.stop();
  removeDir(dir);
});

async function pushAll(tsSec: number): Promise<void> {
  const u = agent.url;
  const ok = async (what: string, r: Promise<Response>): Promise<void> => {
    const res = await r;
    await res.text();
    assert.ok(res.status === 204 || res.status === 200, `${what}: ${res.status}`);
  };
  await ok('influx', fetch(`${u}/write`, { method: 'POST', body: `rl_influx,h=a v=1 ${tsSec}000000000\n` }));
  await ok(
    'import',
    fetch(`${u}/api/v1/import`, {
      method: 'POST',
      body: JSON.stringify({ metric: { __name__: 'rl_json' }, values: [1], timestamps: [tsSec * 1000] }),
    }),
  );
  await ok(
    'prometheus',
    fetch(`${u}/api/v1/import/prometheus`, { method: 'POST', body: `rl_prom 1 ${tsSec * 1000}\n` }),
  );
  const rw = compressSync(
    Buffer.from(
      encodeWriteRequest([
        {
          labels: [{ name: '__name__', value: 'rl_rw' }],
          samples: [{ value: 1, timestampMs: tsSec * 1000 }],
        },
      ]),
    ),
  );
  await ok(
    'remote write',
    fetch(`${u}/api/v1/write`, { method: 'POST', body: rw, headers: { 'Content-Encoding': 'snappy' } }),
  );
  await new Promise<void>((resolve, reject) => {
    const sock = net.connect(graphitePort, '127.0.0.1', () => sock.end(`rl_graphite 1 ${tsSec}\n`));
    sock.on('close', () => resolve());
    sock.on('error', reject);
  });
}

test('a relabel reload re-resolves remembered pushed series of every protocol', async () => {
  const match = '{__name__=~"rl_.*"}';
  await pushAll(nowSec);
  await waitFor('series with stage=one', async () => (await vm.export(match)).length >= 5, 20_000, 200);
  writeFile(dir, 'relabel.yml', relabel('two'));
  const reload = await fetch(`${agent.url}/-/reload`);
  await reload.text();
  assert.equal(reload.status, 200);
  await pushAll(nowSec + 10);
  await waitFor('series with stage=two', async () => (await vm.export(match)).length >= 10, 20_000, 200);
  const got = seriesSet(await vm.export(match));
  for (const name of ['rl_influx_v', 'rl_json', 'rl_prom', 'rl_rw', 'rl_graphite']) {
    for (const stage of ['one', 'two']) {
      assert.ok(
        got.some((id) => id.startsWith(`${name}{`) && id.includes(`stage="${stage}"`)),
        `${name} with stage=${stage} in:\n${got.join('\n')}`,
      );
    }
  }
});
