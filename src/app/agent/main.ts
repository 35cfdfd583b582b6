// `lookout agent`: vmagent's command line and behaviour. Wires the scrape manager (config, discovery,
// scrape loops) to the remote-write fan-out (relabeling, per-URL on-disk queues, senders) and serves the
// HTTP API. Reload on SIGHUP, /-/reload and -promscrape.configCheckInterval; graceful stop on SIGTERM/SIGINT.
import { setTimeout as sleep } from 'node:timers/promises';
import { FlagSet } from '../../lib/flagutil/flagset.js';
import { parseCommandLine } from '../../lib/flagutil/common.js';
import { getLogger, getThrottledLogger } from '../../lib/logger/logger.js';
import { defaultRegistry } from '../../lib/metrics/registry.js';
import { registerProcessMetrics } from '../../lib/metrics/process-metrics.js';
import { ScrapeManager } from '../../lib/promscrape/manager.js';
import { addAgentFlags, type AgentFlags } from './flags.js';
import { buildClients, Fanout, parseExtraLabels } from './remotewrite.js';
import { buildJobSpecs } from './scrape.js';
import { sdDiscoverers, type SdOptions } from './discovery.js';
import { ConfigFiles, loadRemoteWriteRelabel, loadScrapeConfig } from './config-files.js';
import { startHttpServer, type HttpAccess } from './http.js';
import { buildRoutes, publicPaths } from './http-api/routes.js';
import { agentMetricsWriter } from './self-metrics.js';
import { addIngestFlags, resolveIngestConfig } from './ingest/flags.js';
import { makeIngestRouter } from './ingest/router.js';
import { startIngestListeners, type IngestListeners } from './ingest/listeners.js';
import { parseText } from '../../lib/protoparser/prometheus/parser.js';
import { parseSeriesKey } from '../../lib/protoparser/prometheus/series-key.js';
import { parseMemberNum } from '../../lib/promscrape/cluster.js';
import type { TargetClusterOptions } from '../../lib/promscrape/targets.js';

const log = getLogger('app/agent');
// Duplicate-target warnings repeat on every discovery round: throttle them.
const dupLog = getThrottledLogger('lib/promscrape', 60_000);
const about =
  'lookout agent: a vmagent-compatible metrics agent. It scrapes Prometheus targets, relabels, buffers on disk and writes to -remoteWrite.url';

/** Runs the agent until SIGTERM/SIGINT; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const fs = new FlagSet('agent');
  const f = addAgentFlags(fs);
  const ingestFlags = addIngestFlags(fs);
  const parsed = parseCommandLine(fs, argv, about);
  if (!parsed.run) return parsed.exitCode;
  if (parsed.args.length > 0) {
    process.stderr.write(
      `lookout agent: unexpected argument ${JSON.stringify(parsed.args[0])}; flags look like -name=value\n`,
    );
    return 2;
  }
  if (f.dryRun.value || f.promscrape.configDryRun.value) return dryRun(f);
  if (f.remoteWrite.url.values.length === 0) {
    log.error('at least one -remoteWrite.url command-line flag must be set');
    return 1;
  }
  let fanout: Fanout;
  let files: ConfigFiles;
  try {
    const cluster = clusterOptions(f);
    files = new ConfigFiles(f, (salt) => ({
      maxScrapeSize: f.promscrape.maxScrapeSize.value,
      noStaleMarkers: f.promscrape.noStaleMarkers.value,
      disableCompression: f.promscrape.disableCompression.value,
      disableKeepAlive: f.promscrape.disableKeepAlive.value,
      suppressScrapeErrors: f.promscrape.suppressScrapeErrors.value,
      fileSDCheckIntervalMs: f.promscrape.fileSDCheckIntervalMs.value,
      maxDroppedTargets: f.promscrape.maxDroppedTargets.value,
      cluster,
      configKeySalt: salt,
      extraDiscoverers: sdDiscoverers(sdOptions(f)),
    }));
    // The fan-out keeps these functions for its life; they follow reloads of the relabel files.
    const rw = files.relabelFunctions();
    fanout = new Fanout(
      buildClients(f.remoteWrite),
      parseExtraLabels(f.remoteWrite.label.values),
      rw.global,
      rw.perUrl,
      rw.version,
    );
  } catch (err) {
    log.error((err as Error).message);
    return 1;
  }
  registerProcessMetrics(defaultRegistry);
  const manager = new ScrapeManager((msg) => dupLog.warn(msg));
  try {
    await files.start(manager, fanout);
  } catch (err) {
    // A bad discovery entry (kubernetes_sd_configs, http_sd_configs) is found when the jobs are built.
    log.error((err as Error).message);
    await manager.stop();
    await fanout.close();
    return 1;
  }
  const reload = (why: string): Promise<string> => files.reload(manager, fanout, why);

  let shuttingDown = false;
  const routes = buildRoutes({
    manager,
    config: () => files.config,
    flags: fs,
    reload,
    shuttingDown: () => shuttingDown,
    extraMetrics: agentMetricsWriter(manager, fs, Date.now() - process.uptime() * 1000),
  });
  // Pushed data takes the same road as scraped data: -remoteWrite.label, global and per-URL relabeling,
  // the per-URL queues.
  const ingestCfg = resolveIngestConfig(ingestFlags);
  const sink = fanout;
  const ingestRouter = makeIngestRouter(ingestCfg, sink, {
    prometheus: { parseText, parseSeriesKey },
  });
  let listeners: IngestListeners;
  try {
    listeners = await startIngestListeners(ingestCfg, sink);
  } catch (err) {
    log.error(`cannot start ingestion listeners: ${(err as Error).message}`);
    await manager.stop();
    await fanout.close();
    return 1;
  }
  let http: Awaited<ReturnType<typeof startHttpServer>> | undefined;
  if (f.httpListenAddr.value !== '') {
    try {
      http = await startHttpServer(f.httpListenAddr.value, routes, [], httpAccess(f), ingestRouter);
    } catch (err) {
      log.error(
        `cannot start HTTP server at -httpListenAddr=${f.httpListenAddr.value}: ${(err as Error).message}`,
      );
      await manager.stop();
      await listeners.close();
      await fanout.close();
      return 1;
    }
    const scheme = f.tls.value ? 'https' : 'http';
    log.info(`started HTTP server at ${scheme}://${f.httpListenAddr.value}/ (port ${http.port})`);
  }

  const onHup = (): void => void reload('SIGHUP');
  process.on('SIGHUP', onHup);
  let checkTimer: NodeJS.Timeout | undefined;
  if (f.promscrape.configCheckIntervalMs.value > 0) {
    checkTimer = setInterval(
      () => files.checkForChanges(manager, fanout),
      f.promscrape.configCheckIntervalMs.value,
    );
  }

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info(`received signal ${signal}; stopping gracefully`);
  shuttingDown = true;
  if (f.httpShutdownDelayMs.value > 0) {
    log.info(
      `waiting for -http.shutdownDelay=${f.httpShutdownDelayMs.value}ms; /health answers 503 meanwhile`,
    );
    await sleep(f.httpShutdownDelayMs.value);
  }
  const hardStop = setTimeout(() => {
    log.error('graceful stop took longer than 30s; exiting now');
    process.exit(1);
  }, 30_000);
  hardStop.unref();
  process.off('SIGHUP', onHup);
  clearInterval(checkTimer);
  await files.idle();
  await manager.stop();
  await listeners.close();
  await http?.close();
  // Last: everything scraped or pushed until now is flushed into the queues and persisted.
  await fanout.close();
  clearTimeout(hardStop);
  log.info('stopped');
  return 0;
}

function httpAccess(f: AgentFlags): HttpAccess {
  const key = (flag: string, value: string, withBasicAuth = false) => ({ flag, value, withBasicAuth });
  const authKeys = new Map([
    ['/-/reload', key('reloadAuthKey', f.reloadAuthKey.value)],
    ['/metrics', key('metricsAuthKey', f.metricsAuthKey.value)],
    ['/config', key('configAuthKey', f.configAuthKey.value, true)],
    ['/api/v1/status/config', key('configAuthKey', f.configAuthKey.value, true)],
    ['/flags', key('flagsAuthKey', f.flagsAuthKey.value)],
  ]);
  if (f.tls.value && (f.tlsCertFile.value === '' || f.tlsKeyFile.value === ''))
    throw new Error('-tlsCertFile and -tlsKeyFile must be set if -tls is set');
  return {
    basicAuth: { username: f.httpAuthUsername.value, password: f.httpAuthPassword.value },
    authKeys,
    publicPaths,
    tls: f.tls.value ? { certFile: f.tlsCertFile.value, keyFile: f.tlsKeyFile.value } : undefined,
  };
}

function sdOptions(f: AgentFlags): SdOptions {
  const p = f.promscrape;
  return {
    strict: p.strictParse.value,
    kubernetesSDCheckIntervalMs: p.kubernetesSDCheckIntervalMs.value,
    kubernetesApiServerTimeoutMs: p.kubernetesApiServerTimeoutMs.value,
    httpSDCheckIntervalMs: p.httpSDCheckIntervalMs.value,
  };
}

/** -promscrape.cluster.*: undefined when sharding is off and no member label is asked for. */
function clusterOptions(f: AgentFlags): TargetClusterOptions | undefined {
  const p = f.promscrape;
  const membersCount = p.clusterMembersCount.value;
  if (membersCount <= 1 && p.clusterMemberLabel.value === '' && p.clusterName.value === '') return undefined;
  const memberNum = membersCount > 1 ? parseMemberNum(p.clusterMemberNum.value, membersCount) : 0;
  if (p.clusterReplicationFactor.value < 1)
    throw new Error(
      `-promscrape.cluster.replicationFactor must be at least 1; got ${p.clusterReplicationFactor.value}`,
    );
  return {
    membersCount,
    memberNum,
    replicationFactor: p.clusterReplicationFactor.value,
    name: p.clusterName.value,
    memberLabel: p.clusterMemberLabel.value,
    memberNumText: p.clusterMemberNum.value,
  };
}

/** -dryRun: checks every config file the agent would read, prints errors, exits non-zero on any. */
function dryRun(f: AgentFlags): number {
  let failed = false;
  try {
    loadRemoteWriteRelabel(f);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    failed = true;
  }
  if (f.promscrape.config.value) {
    try {
      const cfg = loadScrapeConfig(f);
      buildJobSpecs(
        cfg,
        { route: () => undefined, append: () => {} },
        {
          maxScrapeSize: 0,
          noStaleMarkers: true,
          disableCompression: false,
          disableKeepAlive: false,
          suppressScrapeErrors: true,
          fileSDCheckIntervalMs: 0,
          maxDroppedTargets: 0,
          extraDiscoverers: sdDiscoverers(sdOptions(f)),
        },
      ).forEach((s) => s.close());
      log.info(
        `-promscrape.config=${f.promscrape.config.value} is OK: ${cfg.scrapeConfigs.length} scrape jobs`,
      );
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
