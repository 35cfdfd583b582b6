// The benchmark workload: exposition bodies shaped like real exporters (node-exporter-like families
// with labels), written once to files that nginx serves cheaply.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TimeSeries } from '../src/lib/prompb/types.js';

/** Builds one target's body with about `series` series; values differ per target so bodies differ. */
export function makeBody(targetIdx: number, series: number): string {
  const lines: string[] = [];
  let n = 0;
  let fam = 0;
  while (n < series) {
    const name = `bench_family_${fam}_total`;
    lines.push(`# HELP ${name} Synthetic counter family ${fam}.`, `# TYPE ${name} counter`);
    for (let i = 0; i < 50 && n < series; i++, n++) {
      const v = (targetIdx * 7919 + n * 104729) % 1_000_000;
      lines.push(
        `${name}{cpu="${i % 16}",mode="${['idle', 'user', 'system', 'iowait', 'irq'][i % 5]}",device="sd${String.fromCharCode(97 + (i % 8))}",index="${i}"} ${v}.${n % 10}`,
      );
    }
    fam++;
  }
  return lines.join('\n') + '\n';
}

/** Writes `targets` bodies into dir/t<i>.prom and returns their paths relative to dir. */
export function writeBodies(dir: string, targets: number, series: number): string[] {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (let i = 0; i < targets; i++) {
    const p = `t${i}.prom`;
    writeFileSync(join(dir, p), makeBody(i, series));
    paths.push(p);
  }
  return paths;
}

/** An nginx config serving dir on 127.0.0.1:port as text/plain, logging nothing. */
export function nginxConfig(dir: string, port: number, tmp: string): string {
  return `
worker_processes 1;
daemon off;
pid ${tmp}/nginx.pid;
error_log ${tmp}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  default_type text/plain;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:${port};
    root ${dir};
  }
}
`;
}

/** A scrape config with one static target per body, told apart by a `target` label. */
export function scrapeConfig(address: string, paths: string[], intervalS: number): string {
  const groups = paths
    .map(
      (p, i) =>
        `      - targets: ['${address}']\n        labels: {__metrics_path__: '/${p}', target: 't${i}'}`,
    )
    .join('\n');
  return `global:\n  scrape_interval: ${intervalS}s\n  scrape_timeout: ${Math.max(1, intervalS - 1)}s\nscrape_configs:\n  - job_name: bench\n    static_configs:\n${groups}\n`;
}

/**
 * The push benchmarks' remote-write series (ingest.bench.ts, scanners.bench.ts): `n` series of six labels
 * over 100 hosts, one sample each at nowSec.
 */
export function remoteWriteSeries(n: number, nowSec: number): TimeSeries[] {
  return Array.from({ length: n }, (_, i) => ({
    labels: [
      { name: '__name__', value: `rw_metric_${i % 50}` },
      { name: 'host', value: `host-${i % 100}` },
      { name: 'job', value: 'node' },
      { name: 'dc', value: 'eu-1' },
      { name: 'instance', value: `10.0.${i % 7}.${i % 251}:9100` },
      { name: 'id', value: String(i) },
    ],
    samples: [{ value: i * 1.5, timestampMs: nowSec * 1000 }],
  }));
}
