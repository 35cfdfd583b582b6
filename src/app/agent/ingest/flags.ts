// Command-line flags of the push-ingestion endpoints, with vmagent's names, defaults and help texts.
import { FlagSet } from '../../../lib/flagutil/flagset.js';
import type { ArrayFlag, Flag } from '../../../lib/flagutil/flagset.js';

/** The typed flags returned by addIngestFlags; read `.value` after FlagSet.parse. */
export interface IngestFlags {
  maxInsertRequestSize: Flag<number>;
  maxLabelsPerTimeseries: Flag<number>;
  maxLabelNameLen: Flag<number>;
  maxLabelValueLen: Flag<number>;
  importMaxLineLen: Flag<number>;
  influxListenAddr: Flag<string>;
  influxMaxLineSize: Flag<number>;
  influxMaxRequestSize: Flag<number>;
  influxMeasurementFieldSeparator: Flag<string>;
  influxSkipSingleField: Flag<boolean>;
  influxSkipMeasurement: Flag<boolean>;
  influxDBLabel: Flag<string>;
  influxTrimTimestampMs: Flag<number>;
  influxDatabaseNames: ArrayFlag<string>;
  graphiteListenAddr: Flag<string>;
  graphiteTrimTimestampMs: Flag<number>;
  opentsdbListenAddr: Flag<string>;
  opentsdbHTTPListenAddr: Flag<string>;
  opentsdbTrimTimestampMs: Flag<number>;
  opentsdbhttpTrimTimestampMs: Flag<number>;
  opentsdbhttpMaxInsertRequestSize: Flag<number>;
  opentelemetryMaxRequestSize: Flag<number>;
  tcpIdleTimeoutMs: Flag<number>;
  tcpMaxConnections: Flag<number>;
  routeCacheSize: Flag<number>;
  wasmFastPath: Flag<boolean>;
}

/** Declares the ingestion flags on fs (vmagent names; the two -ingest.tcp* flags are Lookout's own). */
export function addIngestFlags(fs: FlagSet): IngestFlags {
  return {
    maxInsertRequestSize: fs.bytes(
      'maxInsertRequestSize',
      32 * 1024 * 1024,
      'The maximum size in bytes of a single Prometheus remote_write API request',
    ),
    maxLabelsPerTimeseries: fs.int(
      'maxLabelsPerTimeseries',
      40,
      'The maximum number of labels per time series to be accepted. Series with superfluous labels are ignored. In this case the vm_rows_ignored_total{reason="too_many_labels"} metric at /metrics page is incremented',
    ),
    maxLabelNameLen: fs.int(
      'maxLabelNameLen',
      256,
      'The maximum length of label name in the accepted time series. Series with longer label name are ignored. In this case the vm_rows_ignored_total{reason="too_long_label_name"} metric at /metrics page is incremented',
    ),
    maxLabelValueLen: fs.int(
      'maxLabelValueLen',
      4 * 1024,
      'The maximum length of label values in the accepted time series. Series with longer label value are ignored. In this case the vm_rows_ignored_total{reason="too_long_label_value"} metric at /metrics page is incremented',
    ),
    importMaxLineLen: fs.bytes(
      'import.maxLineLen',
      100 * 1024 * 1024,
      "The maximum length in bytes of a single line accepted by /api/v1/import; the line length can be limited with 'max_rows_per_line' query arg passed to /api/v1/export",
    ),
    influxListenAddr: fs.string(
      'influxListenAddr',
      '',
      "TCP and UDP address to listen for InfluxDB line protocol data. Usually :8089 must be set. Doesn't work if empty. This flag isn't needed when ingesting data over HTTP - just send it to http://<lookout>:8429/write",
    ),
    influxMaxLineSize: fs.bytes(
      'influx.maxLineSize',
      256 * 1024,
      'The maximum size in bytes for a single InfluxDB line during parsing. Applicable for stream mode only',
    ),
    influxMaxRequestSize: fs.bytes(
      'influx.maxRequestSize',
      64 * 1024 * 1024,
      'The maximum size in bytes of a single InfluxDB request. Applicable for batch mode only',
    ),
    influxMeasurementFieldSeparator: fs.string(
      'influxMeasurementFieldSeparator',
      '_',
      "Separator for '{measurement}{separator}{field_name}' metric name when inserted via InfluxDB line protocol",
    ),
    influxSkipSingleField: fs.bool(
      'influxSkipSingleField',
      false,
      "Uses '{measurement}' instead of '{measurement}{separator}{field_name}' for metric name if InfluxDB line contains only a single field",
    ),
    influxSkipMeasurement: fs.bool(
      'influxSkipMeasurement',
      false,
      "Uses '{field_name}' as a metric name while ignoring '{measurement}' and '-influxMeasurementFieldSeparator'",
    ),
    influxDBLabel: fs.string(
      'influxDBLabel',
      'db',
      "Default label for the DB name sent over '?db={db_name}' query parameter",
    ),
    influxTrimTimestampMs: fs.durationMs(
      'influxTrimTimestamp',
      1,
      'Trim timestamps for InfluxDB line protocol data to this duration. Minimum practical duration is 1ms. Higher duration (i.e. 1s) may be used for reducing disk space usage for timestamp data',
      '1ms',
    ),
    influxDatabaseNames: fs.stringArray(
      'influx.databaseNames',
      'Comma-separated list of database names to return from /query and /influx/query API. This can be needed for accepting data from Telegraf plugins such as https://github.com/fangli/fluent-plugin-influxdb',
    ),
    graphiteListenAddr: fs.string(
      'graphiteListenAddr',
      '',
      "TCP and UDP address to listen for Graphite plaintext data. Usually :2003 must be set. Doesn't work if empty",
    ),
    graphiteTrimTimestampMs: fs.durationMs(
      'graphiteTrimTimestamp',
      1000,
      'Trim timestamps for Graphite data to this duration. Minimum practical duration is 1s. Higher duration (i.e. 1m) may be used for reducing disk space usage for timestamp data',
      '1s',
    ),
    opentsdbListenAddr: fs.string(
      'opentsdbListenAddr',
      '',
      "TCP and UDP address to listen for OpenTSDB metrics. Telnet put messages and HTTP /api/put messages are simultaneously served on TCP port. Usually :4242 must be set. Doesn't work if empty",
    ),
    opentsdbHTTPListenAddr: fs.string(
      'opentsdbHTTPListenAddr',
      '',
      "TCP address to listen for OpenTSDB HTTP put requests. Usually :4242 must be set. Doesn't work if empty",
    ),
    opentsdbTrimTimestampMs: fs.durationMs(
      'opentsdbTrimTimestamp',
      1000,
      "Trim timestamps for OpenTSDB 'telnet put' data to this duration. Minimum practical duration is 1s. Higher duration (i.e. 1m) may be used for reducing disk space usage for timestamp data",
      '1s',
    ),
    opentsdbhttpTrimTimestampMs: fs.durationMs(
      'opentsdbhttpTrimTimestamp',
      1,
      'Trim timestamps for OpenTSDB HTTP data to this duration. Minimum practical duration is 1ms. Higher duration (i.e. 1s) may be used for reducing disk space usage for timestamp data',
      '1ms',
    ),
    opentsdbhttpMaxInsertRequestSize: fs.bytes(
      'opentsdbhttp.maxInsertRequestSize',
      32 * 1024 * 1024,
      'The maximum size of OpenTSDB HTTP put request',
    ),
    opentelemetryMaxRequestSize: fs.bytes(
      'opentelemetry.maxRequestSize',
      64 * 1024 * 1024,
      'The maximum size in bytes of a single OpenTelemetry request',
    ),
    tcpIdleTimeoutMs: fs.durationMs(
      'ingest.tcpIdleTimeout',
      5 * 60 * 1000,
      'Close Graphite, InfluxDB and OpenTSDB TCP connections that send nothing for this long (Lookout extension)',
      '5m',
    ),
    tcpMaxConnections: fs.int(
      'ingest.maxTCPConnections',
      1000,
      'The maximum number of concurrent TCP connections per Graphite, InfluxDB or OpenTSDB listener; further connections are closed at once and counted (Lookout extension)',
    ),
    routeCacheSize: fs.bytes(
      'ingest.routeCacheSize',
      64 * 1024 * 1024,
      'The memory budget for remembering pushed series (their labels after relabeling, encoded for remote write), so that series pushed again skip parsing and relabeling; when full it is emptied and refills. See lookout_ingest_route_cache_bytes (Lookout extension)',
    ),
    wasmFastPath: fs.bool(
      'ingest.wasmFastPath',
      true,
      'Read the known series of InfluxDB, Graphite, OpenTSDB telnet, Prometheus text, JSON import and remote-write requests, and write the rows of every protocol into the remote-write buffers, in WebAssembly; false does all of it in JavaScript, which gives the same rows (Lookout extension)',
    ),
  };
}

/** The flag values as one plain object, resolved once at wiring time (the handlers read only this). */
export type IngestConfig = {
  [K in keyof IngestFlags]: IngestFlags[K] extends Flag<infer T> ? T : readonly string[];
};

/** Resolves the parsed flags into an IngestConfig. */
export function resolveIngestConfig(f: IngestFlags): IngestConfig {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) out[k] = 'values' in v ? v.values : (v as Flag<unknown>).value;
  return out as IngestConfig;
}

/** An IngestConfig with every default, for tests and benchmarks. */
export function defaultIngestConfig(overrides: Partial<IngestConfig> = {}): IngestConfig {
  return { ...resolveIngestConfig(addIngestFlags(new FlagSet('defaults'))), ...overrides };
}
