// Starts the TCP/UDP listeners of -graphiteListenAddr, -influxListenAddr, -opentsdbListenAddr and
// -opentsdbHTTPListenAddr, each connection or datagram going to its protocol's stream handler. The
// OpenTSDB TCP port serves telnet `put` and HTTP on one port: a connection whose first bytes are not `put`
// is handed to an internal HTTP server answering /api/put.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { LineServer } from '../../../lib/ingestserver/tcp.js';
import { startTCPServer } from '../../../lib/ingestserver/tcp.js';
import { startUDPLineServer } from '../../../lib/ingestserver/udp.js';
import { parseListenAddr } from '../../../lib/ingestserver/listen-addr.js';
import type { IngestConfig } from './flags.js';
import type { IngestSink } from './common.js';
import { makeGraphiteStreamHandler } from './graphite.js';
import { makeInfluxStreamHandler } from './influx.js';
import { makeOpenTSDBHTTPHandler, makeOpenTSDBStreamHandler } from './opentsdb.js';

/** The running listeners; close() stops them all. */
export interface IngestListeners {
  /** Bound ports by name (`graphite-tcp`, `influx-udp`, `opentsdb-http`, ...), for tests and logs. */
  ports: Map<string, number>;
  close(): Promise<void>;
}

type StreamHandler = (chunks: Socket | Iterable<Buffer>) => Promise<unknown>;

function makeOpenTSDBHTTPServer(cfg: IngestConfig, sink: IngestSink): http.Server {
  const handler = makeOpenTSDBHTTPHandler(cfg);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/api/put' || path === '/opentsdb/api/put') {
      void handler(req, res, sink);
      return;
    }
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end(`unsupported path requested: ${JSON.stringify(path)}; only /api/put is served here\n`);
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 30_000;
  return server;
}

// Telnet lines start with `put` (after optional spaces); anything else on this port is HTTP.
function isTelnet(first: Buffer): boolean {
  let i = 0;
  while (i < first.length && first[i] === 32) i++;
  return first.toString('latin1', i, i + 3) === 'put' || first.length - i < 3;
}

/** Starts every listener whose flag is set. */
export async function startIngestListeners(cfg: IngestConfig, sink: IngestSink): Promise<IngestListeners> {
  const servers: LineServer[] = [];
  const httpServers: http.Server[] = [];
  const ports = new Map<string, number>();
  const add = async (name: string, start: Promise<LineServer>): Promise<void> => {
    const s = await start;
    servers.push(s);
    ports.set(name, s.address().port);
  };
  const both = async (
    type: string,
    addr: string,
    flagName: string,
    handle: StreamHandler,
    takeOver?: (s: Socket, first: Buffer) => boolean,
  ): Promise<void> => {
    const onConnection = async (socket: Socket): Promise<void> => void (await handle(socket));
    await add(
      `${type}-tcp`,
      startTCPServer({
        addr,
        flagName,
        type,
        idleTimeoutMs: cfg.tcpIdleTimeoutMs,
        maxConnections: cfg.tcpMaxConnections,
        onConnection,
        takeOver,
      }),
    );
    // With port 0, bind UDP to the port TCP got so that one flag means one port, as in vmagent.
    const { host } = parseListenAddr(addr, flagName);
    const udpAddr = `${host?.includes(':') ? `[${host}]` : (host ?? '')}:${ports.get(`${type}-tcp`)!}`;
    await add(
      `${type}-udp`,
      startUDPLineServer({ addr: udpAddr, flagName, type, onPacket: (p) => handle([p]).then(() => true) }),
    );
  };
  if (cfg.graphiteListenAddr !== '') {
    await both(
      'graphite',
      cfg.graphiteListenAddr,
      'graphiteListenAddr',
      makeGraphiteStreamHandler(cfg, sink),
    );
  }
  if (cfg.influxListenAddr !== '') {
    await both('influx', cfg.influxListenAddr, 'influxListenAddr', makeInfluxStreamHandler(cfg, sink));
  }
  if (cfg.opentsdbListenAddr !== '') {
    const httpServer = makeOpenTSDBHTTPServer(cfg, sink);
    httpServers.push(httpServer);
    const takeOver = (socket: Socket, first: Buffer): boolean => {
      if (isTelnet(first)) return false;
      socket.setTimeout(0);
      socket.unshift(first);
      httpServer.emit('connection', socket);
      return true;
    };
    await both(
      'opentsdb',
      cfg.opentsdbListenAddr,
      'opentsdbListenAddr',
      makeOpenTSDBStreamHandler(cfg, sink),
      takeOver,
    );
  }
  if (cfg.opentsdbHTTPListenAddr !== '') {
    const httpServer = makeOpenTSDBHTTPServer(cfg, sink);
    httpServers.push(httpServer);
    const { host, port } = parseListenAddr(cfg.opentsdbHTTPListenAddr, 'opentsdbHTTPListenAddr');
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen({ host, port }, () => resolve());
    });
    const a = httpServer.address();
    if (a && typeof a === 'object') ports.set('opentsdb-http', a.port);
  }
  return {
    ports,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
      for (const h of httpServers) {
        h.closeAllConnections();
        h.close();
      }
    },
  };
}
