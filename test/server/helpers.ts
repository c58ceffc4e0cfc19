/** Real-HTTP helpers for the server tests: loopback servers, a node:http client, test images. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type LivenessProxyOptions, createLivenessProxy } from '../../src/server/index.ts';
import { createNodeLivenessProxy } from '../../src/server/node.ts';

/**
 * Which adapter the proxy suites drive: `web` (proxy.fetch behind @hono/node-server, as Next.js,
 * Workers or Express hosts run it) or `node` (the fast path `npm run serve` uses). The *-node.test.ts
 * files set PROXY_ADAPTER=node and run the same suites again.
 */
export const PROXY_ADAPTER: 'web' | 'node' = process.env.PROXY_ADAPTER === 'node' ? 'node' : 'web';

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves a Web-standard handler on 127.0.0.1, ephemeral port; `serverOptions` go to node:http (timeouts). */
export function listen(fetch: (request: Request) => Response | Promise<Response>, serverOptions?: http.ServerOptions): Promise<Listening> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1', serverOptions }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        port: info.port,
        close: () => new Promise((done) => (server.close(() => done()), (server as http.Server).closeAllConnections())),
      });
    });
  });
}

/** A raw node:http server, for upstreams that misbehave (never answer, answer HTML), and the Node adapter. */
export function listenRaw(handler: http.RequestListener, serverOptions: http.ServerOptions = {}): Promise<Listening> {
  return new Promise((resolve) => {
    const server = http.createServer(serverOptions, handler).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        close: () => new Promise((done) => (server.close(() => done()), server.closeAllConnections())),
      });
    });
  });
}

/**
 * A proxy on 127.0.0.1 through the adapter of this run. `track` counts handlers still running
 * (+1 when one starts, -1 when it has answered or its client has gone).
 */
export async function listenProxy(
  options: LivenessProxyOptions,
  serverOptions?: http.ServerOptions,
  track?: (delta: 1 | -1) => void,
  adapter = PROXY_ADAPTER,
): Promise<Listening> {
  if (adapter === 'web') {
    const proxy = createLivenessProxy(options);
    return listen(async (request) => {
      track?.(1);
      try {
        return await proxy.fetch(request);
      } finally {
        track?.(-1);
      }
    }, serverOptions);
  }
  const { node } = createNodeLivenessProxy(options);
  return listenRaw((request, response) => {
    track?.(1);
    response.once('close', () => track?.(-1));
    node(request, response);
  }, serverOptions);
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = await listenRaw(() => {});
  await server.close();
  return server.port;
}

/** JPEG magic and a JFIF header, zero padding, end marker: `size` bytes in all. Only magic bytes are sniffed. */
/**
 * The token with its signature's first character changed, so its signature's bytes always differ. Changing the last
 * characters can leave them equal: base64url's last character carries spare bits that decoders ignore (a "forged"
 * token that was still valid once in a few hundred runs).
 */
export function forgeSignature(token: string): string {
  const at = token.lastIndexOf('.') + 1;
  return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
}

export function jpeg(size = 2048, fill = 0): Uint8Array<ArrayBuffer> {
  const head = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const bytes = new Uint8Array(size).fill(fill);
  bytes.set(head);
  bytes.set([0xff, 0xd9], size - 2);
  return bytes;
}

/** Encodes a multipart body with the platform's own encoder. */
export async function multipart(fields: Record<string, string | Blob>): Promise<{ body: Uint8Array<ArrayBuffer>; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  const request = new Request('http://encoder.invalid/', { method: 'POST', body: form });
  return { body: new Uint8Array(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

/** The usual three fields. */
export function livenessFields(
  image: Uint8Array<ArrayBuffer> = jpeg(),
  countryCode = 'IND',
  cardCode = 'MRZ',
): Record<string, string | Blob> {
  return { liveness_image: new File([image], 'card.jpg', { type: 'image/jpeg' }), country_code: countryCode, card_code: cardCode };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  text: string;
  json(): any;
}

/** Every reply this test process received, for checks across the suite (no key leaks). */
export const replies: Reply[] = [];

/**
 * node:http request. `body` goes with an honest Content-Length unless headers set one;
 * `chunks` go with chunked transfer encoding. The reply may come before the body is sent.
 * Without `agent`, each request has its own connection.
 */
export function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Uint8Array; chunks?: Iterable<Uint8Array>; agent?: http.Agent } = {},
): Promise<Reply> {
  const headers = { ...init.headers };
  if (init.body && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length'))
    headers['Content-Length'] = String(init.body.length);
  return new Promise((resolve, reject) => {
    let replied = false;
    const request = http.request(url, { method: init.method ?? 'POST', headers, agent: init.agent ?? false }, (response) => {
      replied = true;
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        const reply: Reply = {
          status: response.statusCode!,
          headers: response.headers,
          rawHeaders: response.rawHeaders,
          text,
          json: () => JSON.parse(text),
        };
        replies.push(reply);
        resolve(reply);
      });
    });
    // The server may answer (413) and close while we still write: that is the point of the test.
    request.on('error', (error) => replied || reject(error));
    if (init.chunks) for (const chunk of init.chunks) request.write(chunk);
    else if (init.body) request.write(init.body);
    request.end();
  });
}
