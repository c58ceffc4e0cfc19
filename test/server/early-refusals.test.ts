/**
 * Refusals sent before the body is read (401, 403) reach a client that is still sending: Node's fetch,
 * undici and curl, against both Node paths (proxy.fetch behind @hono/node-server, and the fast path).
 * The proxy reads the rest of the body away, within bounds, before it answers and closes. A body
 * declared larger than the limit is not waited for: reading it all would let anyone make the proxy
 * read any amount, so its 413 can still meet a reset.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import * as undici from 'undici';
import { mintLivenessToken } from '../../src/server/index.ts';
import { type Listening, forgeSignature, jpeg, listenProxy, listenRaw, livenessFields, multipart } from './helpers.ts';

const SECRET = 'early-refusal-secret-0123456789abcdef';
const ORIGIN = 'https://shop.example';
const servers: Listening[] = [];
let upstreamHits = 0;
const proxies: Record<'web' | 'node', string> = { web: '', node: '' };
const dir = mkdtempSync(join(tmpdir(), 'early-refusals-'));

before(async () => {
  const upstream = await listenRaw((request, response) => {
    upstreamHits++;
    request.resume().on('end', () => response.end('{"status":true,"data":{"score":90}}'));
  });
  servers.push(upstream);
  for (const adapter of ['web', 'node'] as const) {
    const proxy = await listenProxy(
      { apiKey: 'k', upstreamUrl: upstream.url, tokenSecret: SECRET, allowedOrigins: [ORIGIN] },
      undefined,
      undefined,
      adapter,
    );
    servers.push(proxy);
    proxies[adapter] = `${proxy.url}/api/id-liveness`;
  }
});
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  rmSync(dir, { recursive: true, force: true });
});

const token = async () => (await mintLivenessToken({ secret: SECRET, origin: ORIGIN })).token;

/** One request as each client sends it: the status and the JSON code it could read. */
type Client = (url: string, headers: Record<string, string>, body: Uint8Array<ArrayBuffer>) => Promise<{ status: number; code?: string }>;
const clients: Record<string, Client> = {
  'Node fetch': async (url, headers, body) => {
    const response = await fetch(url, { method: 'POST', headers, body: body as Uint8Array<ArrayBuffer> });
    return { status: response.status, code: ((await response.json()) as { code?: string }).code };
  },
  undici: async (url, headers, body) => {
    const response = await undici.request(url, { method: 'POST', headers, body });
    return { status: response.statusCode, code: ((await response.body.json()) as { code?: string }).code };
  },
  curl: async (url, headers, body) => {
    const file = join(dir, `body-${body.length}`);
    writeFileSync(file, body);
    const args = ['-sS', '-X', 'POST', '--data-binary', `@${file}`, '-w', '\n%{http_code}', url];
    for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
    const { stdout } = await promisify(execFile)('curl', args, { maxBuffer: 1 << 20 });
    const lines = stdout.trim().split('\n');
    return { status: Number(lines.at(-1)), code: (JSON.parse(lines.slice(0, -1).join('\n')) as { code?: string }).code };
  },
};

const { body: big, contentType } = await multipart(livenessFields(jpeg(900_000)));

/** The refusals that come before the body is read, each with what the client must read. */
const cases: {
  name: string;
  status: number;
  code: string;
  request: (url: string) => Promise<{ headers: Record<string, string>; body: Uint8Array<ArrayBuffer> }>;
}[] = [
  { name: 'no token', status: 401, code: 'unauthorized', request: async () => ({ headers: { Origin: ORIGIN }, body: big }) },
  {
    name: 'a forged token',
    status: 401,
    code: 'unauthorized',
    request: async () => ({ headers: { Origin: ORIGIN, Authorization: `Bearer ${forgeSignature(await token())}` }, body: big }),
  },
  {
    name: 'another origin',
    status: 403,
    code: 'token-binding',
    request: async () => ({ headers: { Origin: 'https://evil.example', Authorization: `Bearer ${await token()}` }, body: big }),
  },
  // Used once already: the one-time check refuses it before the body.
  {
    name: 'a used token',
    status: 401,
    code: 'token-used',
    request: async (url) => {
      const used = await token();
      const { body, contentType: type } = await multipart(livenessFields());
      await fetch(url, { method: 'POST', headers: { 'Content-Type': type, Origin: ORIGIN, Authorization: `Bearer ${used}` }, body }).then(
        (r) => r.text(),
      );
      return { headers: { Origin: ORIGIN, Authorization: `Bearer ${used}` }, body: big };
    },
  },
];

for (const adapter of ['web', 'node'] as const) {
  for (const [clientName, client] of Object.entries(clients)) {
    test(`${adapter} path, ${clientName}: refusals before the body is read reach a client still sending a 900 KB body`, async () => {
      const hits = upstreamHits;
      for (const { name, status, code, request } of cases) {
        const { headers, body } = await request(proxies[adapter]);
        const reply = await client(proxies[adapter], { 'Content-Type': contentType, ...headers }, body);
        assert.deepEqual(reply, { status, code }, name);
      }
      assert.equal(upstreamHits - hits, 1, 'no upstream call but the one that used the token');
    });
  }
}
