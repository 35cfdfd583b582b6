import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '../../../../e2e/harness/proc.js';
import { startVictoriaMetrics, type VictoriaMetrics } from '../../../../e2e/harness/victoria-metrics.js';
import { Toolbox } from '../toolbox.js';
import { createPrometheusToolset, parseTimeArg } from './prometheus.js';

// Samples imported a moment ago must be queryable at once.
const freshData = ['-search.latencyOffset=0s', '-search.disableCache'];

let vm: VictoriaMetrics;
let box: Toolbox;
// Two minutes back: a query at the very minute the samples end raced VictoriaMetrics' visibility of the
// newest sample when it ran right after a minute boundary (one CI run saw 219000000 instead of 220000000).
const nowMs = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;

before(async () => {
  vm = await startVictoriaMetrics({ extraArgs: freshData });
  const lines: string[] = [];
  // One hour of memory samples every 30 s for two pods; api-1 climbs to its limit.
  for (let i = 120; i >= 0; i--) {
    const t = nowMs - i * 30_000;
    lines.push(
      `container_memory_working_set_bytes{namespace="shop",pod="api-1",container="api"} ${100e6 + (120 - i) * 1e6} ${t}`,
    );
    lines.push(
      `container_memory_working_set_bytes{namespace="shop",pod="api-2",container="api"} 50000000 ${t}`,
    );
  }
  for (let p = 0; p < 80; p++) lines.push(`many_series{idx="${p}"} ${p} ${nowMs}`);
  await vm.importSamples(lines);
  box = new Toolbox([createPrometheusToolset({ url: vm.url, maxSeries: 10, maxPointsPerSeries: 12 })], {
    timeoutMs: 10_000,
    maxOutputBytes: 32 * 1024,
  });
});
after(() => vm?.stop());

const call = async (name: string, args: unknown) => (await box.call(name, JSON.stringify(args))).output;

test('instant query renders series and values', async () => {
  const o = await call('prometheus_query', {
    query: 'max by (pod) (container_memory_working_set_bytes{namespace="shop"})',
    time: String(nowMs / 1000),
  });
  assert.equal(o.status, 'success', o.error);
  assert.match(o.data, /^2 series/);
  assert.match(o.data, /\{pod="api-1"\} 220000000/);
  assert.match(o.data, /\{pod="api-2"\} 50000000/);
});

test('range query is summarised and downsampled', async () => {
  const o = await call('prometheus_query_range', {
    query: 'container_memory_working_set_bytes{pod="api-1"}',
    start: String(nowMs / 1000 - 3600),
    end: String(nowMs / 1000),
    step: '30s',
  });
  assert.equal(o.status, 'success', o.error);
  assert.match(o.data, /points=121 min=100000000 max=220000000/);
  assert.match(o.data, /last=220000000/);
  assert.match(o.data, /every 11th point/);
});

test('long results list the first series and say how many more', async () => {
  const o = await call('prometheus_query', { query: 'many_series', time: String(nowMs / 1000) });
  assert.match(o.data, /^80 series/);
  assert.match(o.data, /70 more series not shown/);
});

test('series, label names and label values', async () => {
  const s = await call('prometheus_series', {
    match: '{__name__="container_memory_working_set_bytes"}',
    start: String(nowMs / 1000 - 3600),
  });
  assert.match(s.data, /container_memory_working_set_bytes\{.*pod="api-1"/);
  const names = await call('prometheus_label_names', {});
  assert.match(names.data, /namespace/);
  const vals = await call('prometheus_label_values', {
    label: 'pod',
    match: 'container_memory_working_set_bytes',
  });
  assert.equal(vals.data.trim(), 'api-1\napi-2');
  const badLabel = await call('prometheus_label_values', { label: 'x/../../admin' });
  assert.equal(badLabel.status, 'error');
});

test('a bad query comes back as an error the model can read', async () => {
  const o = await call('prometheus_query', { query: 'sum(rate(' });
  assert.equal(o.status, 'error');
  assert.match(o.error!, /bad_data|unexpected|cannot parse/i);
  const empty = await call('prometheus_query', { query: 'no_such_metric' });
  assert.equal(empty.status, 'no_data');
});

test('time arguments', () => {
  const f = (v: string | undefined, want: number) => assert.equal(parseTimeArg(v, 10_000, 5), want);
  f(undefined, 5);
  f('now', 10_000);
  f('-1h', 6400);
  f('now-30m', 8200);
  f('1700000000', 1700000000);
  f('2023-11-14T22:13:20Z', 1700000000);
  assert.throws(() => parseTimeArg('yesterday', 1, 1), /cannot parse time/);
});

test('alert rules come from vmalert through VictoriaMetrics -vmalert.proxyURL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-vmalert-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'rules.yml'),
    'groups:\n  - name: memory\n    interval: 1s\n    rules:\n      - alert: MemoryNearLimit\n        expr: container_memory_working_set_bytes > 200e6\n        for: 1h\n',
  );
  const vmalert = spawn(
    'vmalert',
    [
      `-rule=${join(dir, 'rules.yml')}`,
      `-datasource.url=${vm.url}`,
      '-notifier.url=http://127.0.0.1:9',
      `-httpListenAddr=127.0.0.1:${port}`,
      '-loggerLevel=FATAL',
    ],
    { stdio: 'ignore' },
  );
  const proxied = await startVictoriaMetrics({
    extraArgs: [...freshData, `-vmalert.proxyURL=http://127.0.0.1:${port}`],
  });
  try {
    const rules = new Toolbox([createPrometheusToolset({ url: proxied.url })], {
      timeoutMs: 10_000,
      maxOutputBytes: 32 * 1024,
    });
    let o = (await rules.call('prometheus_rules', '{}')).output;
    for (let i = 0; i < 50 && !/MemoryNearLimit/.test(o.data); i++) {
      await new Promise((r) => setTimeout(r, 100));
      o = (await rules.call('prometheus_rules', '{}')).output;
    }
    assert.equal(o.status, 'success', o.error);
    assert.match(
      o.data,
      /^memory\/MemoryNearLimit type=alerting state=\w+ health=\w+ active=\d+ query=container_memory_working_set_bytes > 200e6/,
    );
  } finally {
    vmalert.kill('SIGKILL');
    await proxied.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
