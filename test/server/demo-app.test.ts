import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createDemoApp, type DemoEnv, readDemoEnv } from '../../demo/server/demo-app.ts';
import { createSandbox, verifyLivenessToken } from '../../src/server/index.ts';
import { type Listening, jpeg, listen, livenessFields, multipart, replies, send } from './helpers.ts';

const KEY = 'ak_live_DEMO-distinctive-key-93b1e0';
const servers: Listening[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

async function startDemo(env: DemoEnv, dev = false) {
  const lines: string[] = [];
  const demo = createDemoApp({ env, dev, log: (line) => lines.push(line) });
  const server = await listen(demo.fetch);
  servers.push(server);
  return { ...server, mode: demo.mode, lines };
}

const getToken = (url: string, origin: string | undefined, body = '') =>
  send(`${url}/api/liveness-token`, {
    headers: { 'Content-Type': 'application/json', ...(origin ? { Origin: origin } : {}) },
    body: Buffer.from(body),
  });

async function check(url: string, token: string, origin = url, fields = livenessFields(), headers: Record<string, string> = {}) {
  const { body, contentType } = await multipart(fields);
  return send(`${url}/api/id-liveness`, {
    headers: { 'Content-Type': contentType, Origin: origin, Authorization: `Bearer ${token}`, ...headers },
    body,
  });
}

test('sandbox mode end to end: token, check, config, health', async () => {
  const demo = await startDemo({});
  assert.equal(demo.mode, 'sandbox');
  assert.equal(demo.lines.length, 1);
  assert.match(demo.lines[0], /sandbox mode/);

  assert.deepEqual((await send(`${demo.url}/healthz`, { method: 'GET' })).json(), { status: 'ok' });
  assert.deepEqual((await send(`${demo.url}/api/demo-config`, { method: 'GET' })).json(), {
    mode: 'sandbox',
    upstream: `127.0.0.1:${demo.port}`,
  });

  const minted = await getToken(demo.url, demo.url);
  assert.equal(minted.status, 200, minted.text);
  assert.equal(minted.headers['cache-control'], 'no-store');
  const { token, expiresAt } = minted.json();
  assert.equal(typeof token, 'string');
  assert.ok(expiresAt > Date.now());

  const reply = await check(demo.url, token);
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.json().sandbox, true);
  const replay = await check(demo.url, token);
  assert.equal(replay.status, 401, 'a token is spent once its check is answered');
  assert.equal(replay.json().code, 'token-used');
  const forced = await check(demo.url, (await getToken(demo.url, demo.url)).json().token, demo.url, livenessFields(), {
    'X-Accura-Sandbox-Score': '61',
  });
  assert.equal(forced.json().data.score, 61, 'sandbox mode forwards the sandbox headers');

  const direct = await multipart(livenessFields());
  const sandboxReply = await send(`${demo.url}/sandbox/v2/api/id-liveness`, {
    headers: { 'Content-Type': direct.contentType, 'Api-Key': 'x' },
    body: direct.body,
  });
  assert.equal(sandboxReply.json().sandbox, true);
});

test('the token route: origin allowed, optional codes validated and bound', async () => {
  const demo = await startDemo({
    LIVENESS_TOKEN_SECRET: 'demo-secret-0123456789abcdef0123',
    ALLOWED_ORIGINS: 'https://a.example, https://b.example',
  });
  assert.equal((await getToken(demo.url, 'https://evil.example')).json().code, 'forbidden-origin');
  assert.equal((await getToken(demo.url, undefined)).status, 403);
  assert.equal((await getToken(demo.url, 'http://localhost:5173')).status, 403, 'loopback origins only in dev');
  assert.equal((await getToken(demo.url, 'https://b.example')).status, 200);
  assert.equal((await getToken(demo.url, demo.url, '{not json')).json().code, 'malformed-body');
  assert.equal((await getToken(demo.url, demo.url, '{"country_code":"INDIA"}')).json().code, 'invalid-field');
  assert.equal((await getToken(demo.url, demo.url, '{"country_code":"","card_code":null}')).status, 200, 'empty codes mean no binding');

  const bound = (await getToken(demo.url, demo.url, '{"country_code":"usa","card_code":"DL"}')).json().token;
  const claims = await verifyLivenessToken(bound, 'demo-secret-0123456789abcdef0123');
  assert.deepEqual([claims.origin, claims.countryCode, claims.cardCode], [demo.url, 'USA', 'DL']);
  assert.equal((await check(demo.url, bound, demo.url, livenessFields(jpeg(), 'IND', 'MRZ'))).json().code, 'token-binding');
  assert.equal((await check(demo.url, bound, demo.url, livenessFields(jpeg(), 'USA', 'DL'))).status, 200);

  const preflight = await send(`${demo.url}/api/liveness-token`, {
    method: 'OPTIONS',
    headers: { Origin: 'https://a.example', 'Access-Control-Request-Method': 'POST' },
  });
  assert.equal(preflight.headers['access-control-allow-origin'], 'https://a.example');
});

test('dev mode allows the loopback dev servers', async () => {
  const demo = await startDemo({}, true);
  const origin = 'http://localhost:5173';
  const { token } = (await getToken(demo.url, origin)).json();
  assert.equal((await check(demo.url, token, origin)).status, 200);
});

test('live mode forwards to ACCURA_API_URL with the key, and never shows the key', async () => {
  const upstream = await listen(createSandbox({ apiKey: KEY }).fetch);
  servers.push(upstream);
  const demo = await startDemo({ ACCURA_API_KEY: KEY, ACCURA_API_URL: `${upstream.url}/v2/api/id-liveness` });
  assert.equal(demo.mode, 'live');
  assert.match(demo.lines[0], new RegExp(`live mode.*127\\.0\\.0\\.1:${upstream.port}`));
  assert.ok(!demo.lines[0].includes(KEY));
  assert.deepEqual((await send(`${demo.url}/api/demo-config`, { method: 'GET' })).json(), {
    mode: 'live',
    upstream: `127.0.0.1:${upstream.port}`,
  });

  const { token } = (await getToken(demo.url, demo.url)).json();
  const reply = await check(demo.url, token, demo.url, livenessFields(), { 'X-Accura-Sandbox-Score': '61' });
  assert.equal(reply.status, 200, reply.text);
  assert.notEqual(reply.json().data.score, 61, 'live mode never forwards the sandbox headers');

  for (const { text, rawHeaders } of replies) assert.ok(!text.includes(KEY) && !rawHeaders.join('\n').includes(KEY));
});

test('the environment is validated in one place: a bad value names its variable, empty counts as unset', () => {
  assert.throws(() => readDemoEnv({ QUOTA_IP_PER_MINUTE: '0' }), /QUOTA_IP_PER_MINUTE must be a positive whole number/);
  assert.throws(
    () => readDemoEnv({ QUOTA_ORIGIN_PER_DAY: 'lots', REDIS_URL: 'not a url' }),
    (error: Error) => /QUOTA_ORIGIN_PER_DAY/.test(error.message) && /REDIS_URL/.test(error.message),
  );
  const settings = readDemoEnv({
    ACCURA_API_KEY: '  ',
    ALLOWED_ORIGINS: ' https://a.example , ,https://b.example',
    LOG_IP: 'yes',
    LOG_CHECKS: 'off',
    QUOTA_SUBJECT_PER_DAY: '20',
    REDIS_URL: 'redis://127.0.0.1:6379',
  });
  assert.equal(settings.ACCURA_API_KEY, undefined);
  assert.deepEqual(settings.ALLOWED_ORIGINS, ['https://a.example', 'https://b.example']);
  assert.equal(settings.LOG_IP, true);
  assert.equal(settings.LOG_CHECKS, false);
  assert.equal(settings.ONE_TIME_TOKENS, true);
  assert.equal(settings.QUOTA_SUBJECT_PER_DAY, 20);
  assert.equal(settings.REDIS_URL, 'redis://127.0.0.1:6379');
});
