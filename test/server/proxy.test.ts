import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { Hono } from 'hono';
import { SignJWT } from 'jose';
import {
  type LivenessProxyOptions,
  LIVENESS_TOKEN_AUDIENCE,
  createLivenessProxy,
  createSandbox,
  mintLivenessToken,
} from '../../src/server/index.ts';
import { parseLivenessResponse } from '../../src/check/response.ts';
import { type Listening, closedPort, jpeg, listen, listenProxy, listenRaw, livenessFields, multipart, replies, send } from './helpers.ts';

const KEY = 'ak_live_DISTINCTIVE-accura-key-7f3a9c5e';
const SECRET = 'proxy-test-secret-0123456789abcdef';
const ORIGIN = 'https://shop.example';
const servers: Listening[] = [];
let upstream: Listening;
let upstreamHits = 0;
let proxyUrl: string;

async function startProxy(options: Partial<LivenessProxyOptions> = {}): Promise<string> {
  const server = await listenProxy({
    apiKey: KEY,
    upstreamUrl: `${upstream.url}/v2/api/id-liveness`,
    tokenSecret: SECRET,
    allowedOrigins: [ORIGIN],
    ...options,
  });
  servers.push(server);
  return `${server.url}/api/id-liveness`;
}

const token = async (options: { origin?: string; countryCode?: string; cardCode?: string } = {}) =>
  (await mintLivenessToken({ secret: SECRET, origin: ORIGIN, ...options })).token;

/** POSTs the form to the proxy with a fresh token for ORIGIN unless told otherwise. */
async function check(
  fields: Record<string, string | Blob> = livenessFields(),
  init: { url?: string; origin?: string; bearer?: string | null; headers?: Record<string, string> } = {},
) {
  const { body, contentType } = await multipart(fields);
  const bearer = init.bearer === undefined ? await token() : init.bearer;
  const headers: Record<string, string> = { 'Content-Type': contentType, Origin: init.origin ?? ORIGIN, ...init.headers };
  if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
  return send(init.url ?? proxyUrl, { headers, body });
}

function assertError(reply: Awaited<ReturnType<typeof send>>, status: number, code: string) {
  assert.equal(reply.status, status, reply.text);
  assert.deepEqual(Object.keys(reply.json()).sort(), ['code', 'message', 'status']);
  assert.equal(reply.json().status, false);
  assert.equal(reply.json().code, code);
  assert.match(String(reply.headers['content-type']), /^application\/json/);
}

before(async () => {
  const sandbox = createSandbox({ apiKey: KEY });
  upstream = await listen((request) => (upstreamHits++, sandbox.fetch(request)));
  servers.push(upstream);
  proxyUrl = await startProxy();
});
after(() => Promise.all(servers.map((server) => server.close())));

test('a valid check is forwarded and the upstream answer comes back unchanged', async () => {
  const reply = await check();
  assert.equal(reply.status, 200, reply.text);
  const body = reply.json();
  assert.equal(body.status, true);
  assert.equal(body.sandbox, true);
  assert.ok(body.data.score >= 0 && body.data.score <= 100);
  assert.match(String(reply.headers['content-type']), /^application\/json/);
  assert.equal(reply.headers['cache-control'], 'no-store');
  assert.equal(reply.headers['access-control-allow-origin'], ORIGIN);
});

test('missing or malformed Authorization is 401', async () => {
  assertError(await check(undefined, { bearer: null }), 401, 'unauthorized');
  assertError(await check(undefined, { bearer: null, headers: { Authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'unauthorized');
  assertError(await check(undefined, { bearer: 'not.a.jwt' }), 401, 'unauthorized');
});

test('expired, forged, alg:none and wrong-audience tokens are 401', async () => {
  const now = Math.floor(Date.now() / 1000);
  const key = new TextEncoder().encode(SECRET);
  const jwt = (aud: string, exp: number) =>
    new SignJWT({ origin: ORIGIN })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(aud)
      .setJti('j')
      .setIssuedAt(now - 600)
      .setExpirationTime(exp)
      .sign(key);
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  assertError(await check(undefined, { bearer: await jwt(LIVENESS_TOKEN_AUDIENCE, now - 5) }), 401, 'unauthorized');
  assertError(
    await check(undefined, { bearer: (await mintLivenessToken({ secret: 'wrong-secret-wrong-secret', origin: ORIGIN })).token }),
    401,
    'unauthorized',
  );
  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ origin: ORIGIN, aud: LIVENESS_TOKEN_AUDIENCE, jti: 'j', iat: now, exp: now + 60 })}.`;
  assertError(await check(undefined, { bearer: none }), 401, 'unauthorized');
  assertError(await check(undefined, { bearer: await jwt('another-audience', now + 60) }), 401, 'unauthorized');
  assert.equal(upstreamHits, 1, 'only the valid check of the first test reached upstream');
});

test('a token bound to another origin, country or card is 403 token-binding', async () => {
  assertError(await check(undefined, { bearer: await token({ origin: 'https://other.example' }) }), 403, 'token-binding');
  assertError(await check(undefined, { bearer: await token(), origin: 'https://other.example' }), 403, 'token-binding');
  assertError(await check(livenessFields(jpeg(), 'IND'), { bearer: await token({ countryCode: 'USA' }) }), 403, 'token-binding');
  assertError(await check(livenessFields(jpeg(), 'IND', 'MRZ'), { bearer: await token({ cardCode: 'DL' }) }), 403, 'token-binding');
  const bound = await check(livenessFields(jpeg(), 'ind', 'MRZ'), { bearer: await token({ countryCode: 'IND', cardCode: 'MRZ' }) });
  assert.equal(bound.status, 200, 'matching bindings pass; the form country code is uppercased');
});

test('an origin outside the allowlist is 403 forbidden-origin, even with a token for it', async () => {
  const evil = 'https://evil.example';
  assertError(await check(undefined, { origin: evil, bearer: await token({ origin: evil }) }), 403, 'forbidden-origin');
});

test('checks run in order: token, origin, then size', async () => {
  const big = livenessFields(jpeg(1_100_000));
  assertError(await check(big, { bearer: 'forged' }), 401, 'unauthorized');
  const evil = 'https://evil.example';
  assertError(await check(big, { origin: evil, bearer: await token({ origin: evil }) }), 403, 'forbidden-origin');
  assertError(await check(big), 413, 'payload-too-large');
});

test('an oversized body is 413 with an honest Content-Length and with chunked transfer', async () => {
  const hits = upstreamHits;
  const { body, contentType } = await multipart(livenessFields(jpeg(2_000_000)));
  const headers = { 'Content-Type': contentType, Origin: ORIGIN, Authorization: `Bearer ${await token()}` };
  assertError(await send(proxyUrl, { headers, body }), 413, 'payload-too-large');
  const chunks = Array.from({ length: 32 }, (_, i) => body.subarray(i * 65_536, (i + 1) * 65_536));
  assertError(await send(proxyUrl, { headers, chunks }), 413, 'payload-too-large');
  assert.equal(upstreamHits, hits);
});

test('a lying Content-Length cannot get more through', async () => {
  const hits = upstreamHits;
  // The image itself is within the limit: only counting the whole body catches this.
  const { body, contentType } = await multipart({ ...livenessFields(jpeg(900_000)), padding: 'x'.repeat(600_000) });
  const bearer = await token();

  // Over HTTP the server's parser reads only Content-Length bytes; the rest is a bad next request.
  const port = new URL(proxyUrl).port;
  const head =
    `POST /api/id-liveness HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${ORIGIN}\r\nAuthorization: Bearer ${bearer}\r\n` +
    `Content-Type: ${contentType}\r\nContent-Length: 4096\r\n\r\n`;
  const raw = await new Promise<string>((resolve) => {
    const parts: Buffer[] = [];
    const socket = net.connect(Number(port), '127.0.0.1', () => (socket.write(head), socket.end(body)));
    socket.on('data', (part: Buffer) => parts.push(part));
    socket.on('error', () => {}); // reset once the server gives up on the garbage
    socket.on('close', () => resolve(Buffer.concat(parts).toString('latin1')));
  });
  const statuses = [...raw.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((match) => Number(match[1]));
  assert.ok(statuses.length > 0 && statuses.every((status) => status >= 400), `answers: ${statuses}`);
  assert.ok(!raw.includes(KEY));

  // In process a Request can carry any Content-Length: the bytes are still counted as they come.
  const proxy = createLivenessProxy({
    apiKey: KEY,
    upstreamUrl: `${upstream.url}/v2/api/id-liveness`,
    tokenSecret: SECRET,
    allowedOrigins: [ORIGIN],
  });
  const response = await proxy.fetch(
    new Request(proxyUrl, {
      method: 'POST',
      headers: { 'Content-Type': contentType, 'Content-Length': '4096', Origin: ORIGIN, Authorization: `Bearer ${bearer}` },
      body,
    }),
  );
  assert.equal(response.status, 413);
  assert.equal((await response.json()).code, 'payload-too-large');
  assert.equal(upstreamHits, hits, 'nothing reached upstream');
});

test('an image of exactly maxBytes passes; one byte more is 413', async () => {
  const exact = await check(livenessFields(jpeg(1_000_000)));
  assert.equal(exact.status, 200, exact.text);
  assert.equal(exact.json().sandbox, true);
  assertError(await check(livenessFields(jpeg(1_000_001))), 413, 'payload-too-large');
});

test('a missing, empty or invalid field is 400', async () => {
  const { liveness_image, country_code, card_code } = livenessFields();
  assertError(await check({ country_code, card_code }), 400, 'missing-field');
  assertError(await check({ liveness_image, card_code }), 400, 'missing-field');
  assertError(await check({ liveness_image, country_code }), 400, 'missing-field');
  assertError(await check({ liveness_image: new File([], 'empty.jpg'), country_code, card_code }), 400, 'missing-field');
  assertError(await check({ liveness_image: 'not a file', country_code, card_code }), 400, 'missing-field');
  assertError(await check({ liveness_image, country_code: ' ', card_code }), 400, 'missing-field');
  assertError(await check({ liveness_image, country_code: 'IN1', card_code }), 400, 'invalid-field');
  assertError(await check({ liveness_image, country_code, card_code: 'M R Z' }), 400, 'invalid-field');
  const json = await send(proxyUrl, {
    headers: { 'Content-Type': 'application/json', Origin: ORIGIN, Authorization: `Bearer ${await token()}` },
    body: Buffer.from('{}'),
  });
  assertError(json, 400, 'malformed-body');
});

test('a non-image is 415 whatever its name and type claim', async () => {
  const { country_code, card_code } = livenessFields();
  const text = new File([Buffer.from('hello, I am a JPEG')], 'card.jpg', { type: 'image/jpeg' });
  const gif = new File([Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00')], 'card.jpg', { type: 'image/jpeg' });
  assertError(await check({ liveness_image: text, country_code, card_code }), 415, 'unsupported-media-type');
  assertError(await check({ liveness_image: gif, country_code, card_code }), 415, 'unsupported-media-type');
});

test('exactly the three fields and the Api-Key go upstream (others are 400); sandbox headers only when enabled', async () => {
  const seen: { fields: string[]; key?: string; type?: string; score?: string }[] = [];
  const recorder = new Hono().post('*', async (c) => {
    const form = await c.req.formData();
    const image = form.get('liveness_image') as File;
    seen.push({
      fields: [...form.keys()].sort(),
      key: c.req.header('api-key'),
      type: image.type,
      score: c.req.header('x-accura-sandbox-score'),
    });
    return c.json({ status: true, data: { score: 12.5 } }, 202);
  });
  const server = await listen(recorder.fetch);
  servers.push(server);
  const plain = await startProxy({ upstreamUrl: server.url });
  const forwarding = await startProxy({ upstreamUrl: server.url, forwardSandboxHeaders: true });
  assertError(await check({ ...livenessFields(), extra_field: 'x' }, { url: plain }), 400, 'unexpected-field');

  const reply = await check(livenessFields(), { url: plain, headers: { 'X-Accura-Sandbox-Score': '99' } });
  assert.equal(reply.status, 202, 'upstream status is kept');
  assert.equal(reply.text, '{"status":true,"data":{"score":12.5}}', 'upstream body is kept byte for byte');
  await check(livenessFields(), { url: forwarding, headers: { 'X-Accura-Sandbox-Score': '99' } });
  assert.deepEqual(seen, [
    { fields: ['card_code', 'country_code', 'liveness_image'], key: KEY, type: 'image/jpeg', score: undefined },
    { fields: ['card_code', 'country_code', 'liveness_image'], key: KEY, type: 'image/jpeg', score: '99' },
  ]);
});

test('the sandbox score header reaches the sandbox only through a forwarding proxy', async () => {
  const forced = await check(undefined, {
    url: await startProxy({ forwardSandboxHeaders: true }),
    headers: { 'X-Accura-Sandbox-Score': '73.25' },
  });
  assert.equal(forced.json().data.score, 73.25);
  const plain = await check(undefined, { headers: { 'X-Accura-Sandbox-Score': '73.25' } });
  assert.notEqual(plain.json().data.score, 73.25);
});

test("a wrong server key (the sandbox says 401) is 502 upstream-unauthorized: the site owner's to fix, not the visitor's", async () => {
  const reply = await check(undefined, { url: await startProxy({ apiKey: 'some-other-key' }) });
  assert.equal(reply.status, 502);
  assert.equal((reply.json() as { code: string }).code, 'upstream-unauthorized');
  assert.match((reply.json() as { message: string }).message, /check the key set on the server/);
});

test("Accura's envelopes pass through the proxy and read the same in the widget's parser", async () => {
  const answers: [number, object, string][] = [
    [401, { Status: 'Fail', Message: 'Invalid Api Key' }, 'unauthorized'],
    [403, { status: 0, message: 'Key disabled' }, 'unauthorized'],
    [200, { Status: 'Fail', Message: 'Invalid Card Code' }, 'rejected'],
    [200, { status: '1', data: { liveness_score: 80 } }, 'live'],
  ];
  for (const [status, body, expected] of answers) {
    const accura = await listenRaw((_request, response) =>
      response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body)),
    );
    servers.push(accura);
    const reply = await check(undefined, { url: await startProxy({ upstreamUrl: accura.url }) });
    if (status === 401 || status === 403) {
      // A refused key gets the proxy's own code (the widget neither retries it nor fetches a new token).
      assert.deepEqual([reply.status, (reply.json() as { code: string }).code], [502, 'upstream-unauthorized']);
      continue;
    }
    assert.equal(reply.status, status);
    assert.deepEqual(reply.json(), body);
    const parsed = parseLivenessResponse(reply.status, reply.text);
    assert.equal(parsed.ok ? parsed.verdict : parsed.error.code, expected, JSON.stringify(body));
  }
});

test('a slow upstream is 504, a closed port 502, a non-JSON answer 502', async () => {
  const silent = await listenRaw(() => {}); // accepts, never answers
  const html = await listenRaw((_request, response) =>
    response.writeHead(502, { 'Content-Type': 'text/html' }).end('<h1>Bad gateway</h1>'),
  );
  servers.push(silent, html);
  assertError(await check(undefined, { url: await startProxy({ upstreamUrl: silent.url, timeoutMs: 300 }) }), 504, 'upstream-timeout');
  assertError(
    await check(undefined, { url: await startProxy({ upstreamUrl: `http://127.0.0.1:${await closedPort()}/` }) }),
    502,
    'upstream-unreachable',
  );
  assertError(await check(undefined, { url: await startProxy({ upstreamUrl: html.url }) }), 502, 'upstream-invalid-response');
});

test('preflight: answered for an allowed origin, refused for another', async () => {
  const preflight = (origin: string) =>
    send(proxyUrl, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
  const allowed = await preflight(ORIGIN);
  assert.equal(allowed.status, 204);
  assert.equal(allowed.headers['access-control-allow-origin'], ORIGIN);
  assert.match(String(allowed.headers['access-control-allow-headers']), /Authorization/);
  assert.match(String(allowed.headers['access-control-allow-methods']), /POST/);
  assert.equal(allowed.headers['access-control-allow-credentials'], undefined);
  const refused = await preflight('https://evil.example');
  assertError(refused, 403, 'forbidden-origin');
  assert.equal(refused.headers['access-control-allow-origin'], undefined);
});

test('a function allowlist and the same-origin default', async () => {
  const viaFunction = await startProxy({ allowedOrigins: (origin) => origin.endsWith('.shop.example') });
  const sub = 'https://eu.shop.example';
  assert.equal((await check(undefined, { url: viaFunction, origin: sub, bearer: await token({ origin: sub }) })).status, 200);

  const sameOrigin = await startProxy({ allowedOrigins: undefined });
  const own = new URL(sameOrigin).origin;
  assert.equal((await check(undefined, { url: sameOrigin, origin: own, bearer: await token({ origin: own }) })).status, 200);
  assertError(await check(undefined, { url: sameOrigin }), 403, 'forbidden-origin');
});

test('other routes are 404, other methods 405', async () => {
  assertError(await send(proxyUrl.replace('id-liveness', 'nope'), { method: 'GET' }), 404, 'not-found');
  assertError(await send(proxyUrl, { method: 'GET' }), 405, 'method-not-allowed');
});

test('the API key never appears in any response body or header of this suite', () => {
  assert.ok(replies.length > 40, `checked ${replies.length} replies`);
  for (const reply of replies) {
    assert.ok(!reply.text.includes(KEY), reply.text);
    assert.ok(!reply.rawHeaders.join('\n').includes(KEY));
    assert.ok(!reply.rawHeaders.some((header) => /^api-key$/i.test(header)));
  }
});
