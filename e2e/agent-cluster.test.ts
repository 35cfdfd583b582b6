// Cluster mode side by side with the real vmagent 1.79.5: 3 members, replicationFactor 2. Both fleets must
// assign every target to the same members, and every target must be scraped by exactly 2 lookout members
// (checked in VictoriaMetrics, where each member writes with its own `member` label).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startVictoriaMetrics, type VictoriaMetrics } from './harness/victoria-metrics.js';
import { startMetricsTarget, type MetricsTarget } from './harness/metrics-target.js';
import { httpGet, makeTempDir, removeDir, waitFor } from './harness/proc.js';
import { startAgent, writeFile, type RunningAgent } from './agent-helpers.js';

const members = 3;
const targetsCount = 12;

interface TargetsJson {
  data: { activeTargets: Array<{ labels: Record<string, string> }> };
}

async function activeInstances(a: RunningAgent): Promise<string[]> {
  const r = await httpGet(`${a.url}/api/v1/targets?state=active`);
  assert.equal(r.status, 200);
  return (JSON.parse(r.body) as TargetsJson).data.activeTargets.map((t) => t.labels.instance ?? '').sort();
}

describe('cluster mode: lookout and vmagent shard targets identically', () => {
  let dir: string;
  const targets: MetricsTarget[] = [];
  let vm: VictoriaMetrics;
  const lookout: RunningAgent[] = [];
  const vmagent: RunningAgent[] = [];

  before(async () => {
    dir = makeTempDir('e2e-cluster');
    for (let i = 0; i < targetsCount; i++)
      targets.push(await startMetricsTarget(`sharded_metric{n="${i}"} ${i}\n`));
    vm = await startVictoriaMetrics();
    const cfg = writeFile(
      dir,
      'scrape.yml',
      `global:
  scrape_interval: 1s
scrape_configs:
  - job_name: sharded
    static_configs:
      - targets: [${targets.map((t) => `'${t.address}'`).join(', ')}]
        labels: {env: e2e}
    relabel_configs:
      - source_labels: [__address__]
        regex: '127\\.0\\.0\\.1:(\\d+)'
        target_label: port
`,
    );
    const common = [
      `-promscrape.config=${cfg}`,
      `-promscrape.cluster.membersCount=${members}`,
      '-promscrape.cluster.replicationFactor=2',
      '-remoteWrite.flushInterval=200ms',
      '-loggerLevel=WARN',
    ];
    for (let m = 0; m < members; m++) {
      // StatefulSet pod names for vmagent, plain numbers for lookout: both forms must work.
      vmagent.push(
        await startAgent('vmagent', [
          ...common,
          `-promscrape.cluster.memberNum=vmagent-${m}`,
          `-remoteWrite.url=http://127.0.0.1:1/api/v1/write`,
          `-remoteWrite.tmpDataPath=${dir}/vmagent-${m}`,
        ]),
      );
      lookout.push(
        await startAgent('lookout', [
          ...common,
          `-promscrape.cluster.memberNum=${m}`,
          `-remoteWrite.url=${vm.url}/api/v1/write`,
          `-remoteWrite.label=member=${m}`,
          `-remoteWrite.tmpDataPath=${dir}/lookout-${m}`,
        ]),
      );
    }
  });

  after(async () => {
    for (const a of [...lookout, ...vmagent]) await a.proc.stop();
    await vm?.stop();
    for (const t of targets) await t.close();
    removeDir(dir);
  });

  test('every member has the same active targets in lookout and vmagent', async () => {
    const owners = new Map<string, number>();
    for (let m = 0; m < members; m++) {
      const l = await activeInstances(lookout[m]!);
      const v = await activeInstances(vmagent[m]!);
      assert.deepEqual(l, v, `member ${m}`);
      // No per-member share is asserted: the targets' ports are random, so one member may own all 12 by
      // chance ((2/3)^12 per member, about 2% a run). Exactly 2 owners per target is the sharding check.
      for (const i of l) owners.set(i, (owners.get(i) ?? 0) + 1);
    }
    assert.equal(owners.size, targetsCount);
    for (const [i, n] of owners) assert.equal(n, 2, `${i} is scraped by ${n} members`);
  });

  test('targets of other members show as dropped with the owners', async () => {
    const r = await httpGet(`${lookout[0]!.url}/service-discovery?format=json&state=dropped`);
    const rows = (JSON.parse(r.body) as { data: Array<{ reason: string; clusterMemberNums: number[] }> })
      .data;
    const mine = (await activeInstances(lookout[0]!)).length;
    assert.equal(rows.length, targetsCount - mine);
    for (const row of rows) {
      assert.match(row.reason, /^sharding/);
      assert.equal(row.clusterMemberNums.length, 2);
      assert.ok(!row.clusterMemberNums.includes(0));
    }
  });

  test('in VictoriaMetrics every target has samples from exactly 2 members', async () => {
    const count = async (): Promise<Map<string, Set<string>>> => {
      const byInstance = new Map<string, Set<string>>();
      for (const s of await vm.export('{__name__="sharded_metric"}')) {
        const set = byInstance.get(s.metric.instance ?? '') ?? new Set<string>();
        set.add(s.metric.member ?? '');
        byInstance.set(s.metric.instance ?? '', set);
      }
      return byInstance;
    };
    const complete = async (): Promise<boolean> => {
      const c = await count();
      return c.size === targetsCount && [...c.values()].every((set) => set.size >= 2);
    };
    await waitFor('samples of every target from 2 members', complete, 30_000, 500);
    for (const [inst, set] of await count())
      assert.equal(set.size, 2, `${inst}: members ${[...set].join(',')}`);
  });
});
