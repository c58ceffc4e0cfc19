/**
 * `accura-id-liveness/server/node`: the proxy's Node fast path. The body's chunks are kept as the
 * IncomingMessage gave them (no Web Request, no copy), and the image goes upstream as views of them
 * through a keep-alive agent (no FormData). Node only; Web hosts use `proxy.fetch`.
 */
import http from 'node:http';
import https from 'node:https';
import { type BodyResult, BodyCollector, declaredLength } from './proxy/body.ts';
import {
  type CheckInput,
  type LivenessProxy,
  type LivenessProxyOptions,
  type UpstreamTransport,
  createLivenessProxy,
} from './proxy/proxy.ts';

export { createLivenessMetrics } from './metrics.ts';
export type { LivenessMetrics, LivenessMetricsOptions } from './metrics.ts';

const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED']);
const IDLE_SOCKET_MS = 4_000;

/** Accura's answers are small; anything past this is not a liveness answer. */
const MAX_UPSTREAM_ANSWER = 4 * 1024 * 1024;

export interface NodeTransportOptions {
  /** Keep-alive agents for http: and https: upstreams. Default: one of each, keep-alive, no socket cap. */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
}

/** An upstream transport over node:http(s): writes the parts as they are, keeps connections alive. */
export function nodeTransport(options: NodeTransportOptions = {}): UpstreamTransport {
  // An idle socket is closed after 4 s, before a server's usual 5 s keep-alive ends: reusing a socket
  // the server is closing loses the check after it was sent, and a paid check is never sent twice.
  const httpAgent = options.httpAgent ?? new http.Agent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_SOCKET_MS });
  const httpsAgent = options.httpsAgent ?? new https.Agent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_SOCKET_MS });
  const once = (url: URL, headers: Record<string, string>, parts: Uint8Array[], length: number, signal: AbortSignal, sent: () => void) =>
    new Promise<{ status: number; text: string } | 'stale-socket'>((resolve, reject) => {
      let flushed = false;
      const secure = url.protocol === 'https:';
      const request = (secure ? https : http).request(
        url,
        { method: 'POST', headers: { ...headers, 'Content-Length': String(length) }, agent: secure ? httpsAgent : httpAgent, signal },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_UPSTREAM_ANSWER) request.destroy(new Error('The upstream answer is too large'));
            else chunks.push(chunk);
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 502, text: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        },
      );
      // Every byte is in the kernel's hands: the caller may reuse the body while we wait for the answer.
      request.on('finish', () => ((flushed = true), sent()));
      request.on('error', (error: NodeJS.ErrnoException) =>
        // The connection failed before the whole body was handed over (a keep-alive socket the upstream had
        // closed, a reset under load): the upstream can't have run the check, so sending again once is safe.
        !flushed && !signal.aborted && RETRYABLE_CODES.has(error.code ?? '') ? resolve('stale-socket') : reject(error),
      );
      for (const part of parts) request.write(part);
      request.end();
    });
  return async ({ url, headers, parts, length, signal, sent }) => {
    const target = new URL(url);
    const first = await once(target, headers, parts, length, signal, sent);
    const reply = first === 'stale-socket' ? await once(target, headers, parts, length, signal, sent) : first;
    if (reply === 'stale-socket') throw new Error('The upstream closed the connection');
    return reply;
  };
}

/** Reads an IncomingMessage once, counting bytes; an honest oversized Content-Length is refused unread. */
export function readNodeBody(request: http.IncomingMessage, limit: number, watch?: Uint8Array): Promise<BodyResult> {
  const declared = declaredLength(request.headers['content-length']);
  if (declared !== undefined && declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve) => {
    const collector = new BodyCollector(limit, watch);
    const finish = (result: BodyResult) => {
      request.off('data', onData).off('end', onEnd).off('error', onBroken).off('close', onBroken);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      if (collector.push(chunk)) return;
      finish('too-large');
      request.pause(); // the refusal reads the rest away, within bounds (discardNodeBody)
    };
    const onEnd = () => finish(collector.chunks);
    const onBroken = () => finish('unreadable');
    request.on('data', onData).on('end', onEnd).on('error', onBroken).on('close', onBroken);
  });
}

/** {@link discardRequestBody} for an IncomingMessage: drops the rest of the body, up to `limit` bytes and `ms`. */
export function discardNodeBody(request: http.IncomingMessage, limit: number, ms: number): Promise<void> {
  const declared = declaredLength(request.headers['content-length']);
  if (request.complete || request.destroyed || (declared !== undefined && declared > limit)) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const finish = () => {
      clearTimeout(timer);
      request.off('data', onData).off('end', finish).off('error', finish).off('close', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) finish();
    };
    const timer = setTimeout(finish, ms);
    request.on('data', onData).on('end', finish).on('error', finish).on('close', finish);
    request.resume();
  });
}

/** Options of {@link toNodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * Bodies read at the same time (default 64). Reading every upload at once shares the CPU among all
   * of them, so none finishes for a long time and clients time out; the rest wait, unread, in the
   * kernel's socket buffers (the server's requestTimeout still bounds each one).
   */
  maxConcurrentReads?: number;
}

/** A counting semaphore: `take` waits for a free slot, in arrival order. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(count: number) {
    this.#free = Math.max(1, count);
  }
  take(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/** A node:http request listener. */
export type NodeHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/**
 * A node:http listener for the proxy: POST checks take the fast path; preflights, 404 and 405 go
 * through `proxy.other` as Web requests (rare, and cheap without a body).
 */
export function toNodeHandler(proxy: LivenessProxy, options: NodeHandlerOptions = {}): NodeHandler {
  const reads = new Slots(options.maxConcurrentReads ?? 64);
  return (request, response) => {
    const host = request.headers.host ?? 'localhost';
    const scheme = (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    const url = `${scheme}://${host}${request.url ?? '/'}`;
    const pathname = (request.url ?? '/').split('?')[0];
    const webRequest = () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers))
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      return new Request(url, { method: request.method, headers });
    };
    const fail = () => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' });
      response.end('{"status":false,"code":"internal-error","message":"Internal error"}');
    };

    if (request.method !== 'POST' || pathname !== proxy.path) {
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS';
      if (hasBody) request.resume(); // nothing but the check reads a body
      proxy
        .other(webRequest())
        .then(async (answer) => {
          response.writeHead(answer.status, Object.fromEntries(answer.headers));
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(fail);
      return;
    }

    const gone = new AbortController();
    response.on('close', () => response.writableFinished || gone.abort());
    let built: Request | undefined;
    const input: CheckInput = {
      header: (name) => {
        const value = request.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      request: () => (built ??= webRequest()),
      ip: request.socket.remoteAddress,
      // Only so many bodies are read at once; the others wait in the kernel's socket buffers.
      readBody: async (limit, watch) => {
        await reads.take();
        try {
          return await readNodeBody(request, limit, watch);
        } finally {
          reads.give();
        }
      },
      discardBody: (limit, ms) => discardNodeBody(request, limit, ms),
      signal: gone.signal,
    };
    proxy
      .check(input)
      .then((output) => {
        response.writeHead(output.status, output.headers);
        response.end(output.body);
      })
      .catch(fail);
  };
}

/** A proxy whose upstream calls go through {@link nodeTransport}, with its node:http listener as `node`. */
export interface NodeLivenessProxy extends LivenessProxy {
  node: NodeHandler;
}

/**
 * {@link createLivenessProxy} for Node: the same options, a keep-alive upstream (unless you pass
 * your own `fetch` or `upstream`), and `node`, a listener for `http.createServer` or Express.
 */
export function createNodeLivenessProxy(options: LivenessProxyOptions & NodeHandlerOptions): NodeLivenessProxy {
  const proxy = createLivenessProxy({ ...options, upstream: options.upstream ?? (options.fetch ? undefined : nodeTransport()) });
  return { ...proxy, node: toNodeHandler(proxy, options) };
}
