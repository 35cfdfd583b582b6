// The agent's config files and their hot reload: -promscrape.config (with its includes) and the
// -remoteWrite relabel files, loaded, digested for -promscrape.configCheckInterval, and swapped in on
// SIGHUP, /-/reload or a detected change. A reload that fails keeps everything as it was.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { getLogger } from '../../lib/logger/logger.js';
import { defaultRegistry } from '../../lib/metrics/registry.js';
import type { Label } from '../../lib/prompb/types.js';
import { loadConfig, type Config } from '../../lib/promscrape/config/config.js';
import type { ScrapeManager } from '../../lib/promscrape/manager.js';
import type { SeriesSink } from '../../lib/promscrape/sink.js';
import { loadRelabelConfigsFile } from '../../lib/promrelabel/load-file.js';
import type { ParsedConfigs } from '../../lib/promrelabel/relabel.js';
import type { AgentFlags } from './flags.js';
import { buildJobSpecs, type ScrapeOptions } from './scrape.js';

const log = getLogger('app/agent');
const reloadsTotal = defaultRegistry.counter('vm_promscrape_config_reloads_total');
const reloadErrors = defaultRegistry.counter('vm_promscrape_config_reload_errors_total');
const lastReloadOk = defaultRegistry.gauge('vm_promscrape_config_last_reload_successful');
const lastReloadOkTs = defaultRegistry.gauge('vm_promscrape_config_last_reload_success_timestamp_seconds');

/** The -remoteWrite relabel files, parsed, with a digest of their text (for the jobs' configKey). */
export interface RemoteWriteRelabel {
  global: ParsedConfigs | undefined;
  perUrl: Array<ParsedConfigs | undefined>;
  digest: string;
}

/** Loads -promscrape.config; throws a ConfigError naming file, line and field. */
export function loadScrapeConfig(f: AgentFlags): Config {
  return loadConfig(f.promscrape.config.value, {
    strictParse: f.promscrape.strictParse.value,
    onWarning: (msg) => log.warn(msg),
  });
}

function relabelFiles(f: AgentFlags): string[] {
  const rw = f.remoteWrite;
  return [rw.relabelConfig.value, ...rw.urlRelabelConfig.values].filter((p) => p !== '');
}

/** Loads -remoteWrite.relabelConfig and -remoteWrite.urlRelabelConfig (paired with -remoteWrite.url by position). */
export function loadRemoteWriteRelabel(f: AgentFlags): RemoteWriteRelabel {
  const rw = f.remoteWrite;
  const global = rw.relabelConfig.value ? loadRelabelConfigsFile(rw.relabelConfig.value) : undefined;
  const perUrl = rw.url.values.map((_u, i) => {
    const p =
      rw.urlRelabelConfig.values[i] ??
      (rw.urlRelabelConfig.values.length === 1 ? rw.urlRelabelConfig.values[0] : undefined);
    return p ? loadRelabelConfigsFile(p) : undefined;
  });
  return { global, perUrl, digest: relabelFiles(f).length > 0 ? digestFiles(relabelFiles(f)) : '' };
}

// A digest of the files' contents: -promscrape.configCheckInterval reloads only on a change.
function digestFiles(files: readonly string[]): string {
  const h = createHash('sha256');
  for (const file of files) {
    try {
      h.update(file).update('\0').update(readFileSync(file)).update('\0');
    } catch {
      h.update(file).update('\0missing\0');
    }
  }
  return h.digest('hex');
}

/**
 * Owns the running config: loads it at start (throws on errors), hands the fan-out relabel functions that
 * follow reloads, and reloads on request. Reloads serialize; each resolves with '' or the error text.
 */
export class ConfigFiles {
  readonly #f: AgentFlags;
  readonly #opts: (salt: string) => ScrapeOptions;
  #cfg: Config | undefined;
  #rw: RemoteWriteRelabel;
  #digest = '';
  #ok = true;
  #reloading: Promise<string> = Promise.resolve('');

  /** Loads every config file; throws with the first error. `opts` gives the scrape options for a relabel digest. */
  constructor(f: AgentFlags, opts: (salt: string) => ScrapeOptions) {
    this.#f = f;
    this.#opts = opts;
    this.#rw = loadRemoteWriteRelabel(f);
    this.#cfg = f.promscrape.config.value ? loadScrapeConfig(f) : undefined;
  }

  /** The running scrape config. */
  get config(): Config | undefined {
    return this.#cfg;
  }

  /** Functions for the fan-out that always apply the current -remoteWrite relabel files. */
  relabelFunctions(): {
    global: ((l: Label[]) => Label[]) | undefined;
    perUrl: Array<((l: Label[]) => Label[]) | undefined>;
    version: () => string;
  } {
    return {
      version: () => this.#rw.digest,
      global: this.#rw.global ? (l) => this.#rw.global!.apply(l) : undefined,
      perUrl: this.#rw.perUrl.map((p, i) => (p ? (l: Label[]) => this.#rw.perUrl[i]!.apply(l) : undefined)),
    };
  }

  /** Starts the jobs of the loaded config. */
  async start(manager: ScrapeManager, sink: SeriesSink): Promise<void> {
    if (this.#cfg) await manager.applyJobs(buildJobSpecs(this.#cfg, sink, this.#opts(this.#rw.digest)));
    this.#digest = digestFiles(this.#watched(this.#cfg));
    this.#setOk(true);
  }

  /** Reloads every file; only jobs whose config changed restart. */
  reload(manager: ScrapeManager, sink: SeriesSink, why: string): Promise<string> {
    this.#reloading = this.#reloading.then(() => this.#reloadNow(manager, sink, why));
    return this.#reloading;
  }

  /** For -promscrape.configCheckInterval: reloads when a file changed. */
  checkForChanges(manager: ScrapeManager, sink: SeriesSink): void {
    if (digestFiles(this.#watched(this.#cfg)) !== this.#digest)
      void this.reload(manager, sink, '-promscrape.configCheckInterval found a change');
    // The files are back to the running config after a failed reload: it is valid again (as vmagent).
    else if (!this.#ok) this.#setOk(true);
  }

  /** Resolves when no reload is running. */
  async idle(): Promise<void> {
    await this.#reloading;
  }

  async #reloadNow(manager: ScrapeManager, sink: SeriesSink, why: string): Promise<string> {
    reloadsTotal.inc();
    const prev = this.#rw;
    try {
      const nextRw = loadRemoteWriteRelabel(this.#f);
      const next = this.#f.promscrape.config.value ? loadScrapeConfig(this.#f) : undefined;
      const specs = next ? buildJobSpecs(next, sink, this.#opts(nextRw.digest)) : [];
      this.#rw = nextRw;
      const started = await manager.applyJobs(specs);
      this.#digest = digestFiles(this.#watched(next));
      this.#cfg = next;
      this.#setOk(true);
      log.info(
        `reloaded config files (${why}); restarted jobs: ${started.length ? started.join(', ') : 'none'}`,
      );
      return '';
    } catch (err) {
      this.#rw = prev;
      reloadErrors.inc();
      this.#setOk(false);
      const msg = (err as Error).message;
      log.error(`cannot reload config files (${why}); keeping the previous config: ${msg}`);
      return msg;
    }
  }

  // Every file a reload reads: the scrape config (with its includes) and the relabel files.
  #watched(cfg: Config | undefined): string[] {
    const f = this.#f;
    const scrape = cfg ? cfg.files : f.promscrape.config.value ? [f.promscrape.config.value] : [];
    return [...scrape, ...relabelFiles(f)];
  }

  #setOk(ok: boolean): void {
    this.#ok = ok;
    lastReloadOk.set(ok ? 1 : 0);
    if (ok) lastReloadOkTs.set(Math.floor(Date.now() / 1000));
  }
}
