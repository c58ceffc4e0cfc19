/**
 * Refusals sent before the body is read (401, 403, 413) reach a client that is still sending: Node's
 * fetch, undici and curl, against both Node paths (proxy.fetch behind @hono/node-server, and the fast
 * path). The proxy reads the rest of the body away, within bounds, before it answers and closes.
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
import { type Listening, jpeg, listenProxy, listenRaw, livenessFields, multipart } from './helpers.ts';

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
    const proxy = await listenProxy({ apiKey: 'k', upstreamUrl: upstream.url, tokenSecret: SECRET, allowedOrigins: [ORIGIN] }, undefined, undefined, adapter);
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
type Client = (url: string, headers: Record<string, string>, body: Uint8Array) => Promise<{ status: number; code?: string }>;
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
const { body: tooBig } = await multipart(livenessFields(jpeg(1_500_000)));

/** The refusals that come before the body is read, each with what the client must read. */
const cases: { name: string; status: number; code: string; request: () => Promise<{ headers: Record<string, string>; body: Uint8Array }> }[] = [
  { name: 'no token', status: 401, code: 'unauthorized', request: async () => ({ headers: { Origin: ORIGIN }, body: big }) },
  { name: 'a forged token', status: 401, code: 'unauthorized', request: async () => ({ headers: { Origin: ORIGIN, Authorization: `Bearer ${(await token()).slice(0, -2)}xx` }, body: big }) },
  { name: 'another origin', status: 403, code: 'token-binding', request: async () => ({ headers: { Origin: 'https://evil.example', Authorization: `Bearer ${await token()}` }, body: big }) },
  { name: 'a 1.5 MB body', status: 413, code: 'payload-too-large', request: async () => ({ headers: { Origin: ORIGIN, Authorization: `Bearer ${await token()}` }, body: tooBig }) },
];

for (const adapter of ['web', 'node'] as const) {
  for (const [clientName, client] of Object.entries(clients)) {
    test(`${adapter} path, ${clientName}: refusals before the body is read reach a client still sending a 900 KB body`, async () => {
      const hits = upstreamHits;
      for (const { name, status, code, request } of cases) {
        const { headers, body } = await request();
        const reply = await client(proxies[adapter], { 'Content-Type': contentType, ...headers }, body);
        assert.deepEqual(reply, { status, code }, name);
      }
      assert.equal(upstreamHits, hits, 'no upstream call');
    });
  }
}
