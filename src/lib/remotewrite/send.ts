// One remote-write POST over node:http(s) with a keep-alive agent, plus the pure retry policy around it.
import * as http from 'node:http';
import * as https from 'node:https';
import type { ConnectionOptions } from 'node:tls';

/** What to do with a block after a response: retryability is a pure function of the status code. */
export type SendOutcome = 'ok' | 'drop' | 'retry';

/** 2xx is delivered; 400 and 409 can never succeed (vmagent drops them); everything else is retried. */
export function classifyStatus(code: number): SendOutcome {
  if (code >= 200 && code < 300) return 'ok';
  if (code === 400 || code === 409) return 'drop';
  return 'retry';
}

/** Parses a Retry-After header (delta seconds or an HTTP date) into ms from nowMs; undefined when absent/invalid. */
export function parseRetryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  if (!header) return undefined;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - nowMs);
}

/** The result of one POST: an HTTP status (with up to 4 KiB of the body) or a network error. */
export interface PostResult {
  /** The HTTP status, 0 on a network error. */
  status: number;
  retryAfter?: string | undefined;
  body?: string;
  error?: Error;
}

/** A reusable poster for one URL: keep-alive agent, TLS options and static request settings precomputed. */
export class Poster {
  readonly #url: URL;
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;

  /** Creates a poster for url; tls applies to https URLs (ca, cert, key, servername, rejectUnauthorized). */
  constructor(url: string, tls: ConnectionOptions | undefined, maxSockets: number) {
    this.#url = new URL(url);
    const isHttps = this.#url.protocol === 'https:';
    if (!isHttps && this.#url.protocol !== 'http:') {
      throw new Error(`cannot use -remoteWrite.url=${url}: the scheme must be http or https`);
    }
    this.#agent = isHttps
      ? new https.Agent({ keepAlive: true, maxSockets, ...tls })
      : new http.Agent({ keepAlive: true, maxSockets });
    this.#request = isHttps ? https.request : http.request;
  }

  /**
   * POSTs body with headers; resolves (never rejects) once the response ended, failed, took longer than
   * timeoutMs, or closeSignal aborted. The timer and the close destroy the request themselves: an
   * AbortSignal per request (as `signal:` of http.request) cost about a fifth of the CPU of a POST, in
   * listeners and end-of-stream bookkeeping (and AbortSignal.any on the long-lived closeSignal has leaked in
   * some Node 20 releases).
   */
  post(
    body: Uint8Array,
    headers: Record<string, string>,
    closeSignal: AbortSignal,
    timeoutMs: number,
  ): Promise<PostResult> {
    return new Promise((resolve) => {
      const req = this.#request(this.#url, {
        method: 'POST',
        agent: this.#agent,
        headers: { ...headers, 'Content-Length': String(body.length) },
      });
      // Why the request was stopped: the error reported, whatever error destroying it caused.
      let stopped: Error | undefined;
      const stop = (reason: Error): void => {
        stopped ??= reason;
        req.destroy(reason);
      };
      const onClose = (): void => stop(new Error('the remote-write client is closing'));
      const timer = setTimeout(() => stop(new Error(`no response in ${timeoutMs}ms`)), timeoutMs);
      closeSignal.addEventListener('abort', onClose, { once: true });
      const done = (r: PostResult): void => {
        clearTimeout(timer);
        closeSignal.removeEventListener('abort', onClose);
        resolve(r.status === 0 && stopped !== undefined ? { status: 0, error: stopped } : r);
      };
      req.once('error', (error) => done({ status: 0, error }));
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 4096) chunks.push(c);
          size += c.length;
        });
        res.once('error', (error) => done({ status: 0, error }));
        res.once('end', () => {
          const retryAfter = res.headers['retry-after'];
          const text = Buffer.concat(chunks).subarray(0, 4096).toString('utf8');
          done({ status: res.statusCode ?? 0, retryAfter, body: text });
        });
      });
      req.end(body);
    });
  }

  /** Closes idle and active sockets. */
  destroy(): void {
    this.#agent.destroy();
  }
}
