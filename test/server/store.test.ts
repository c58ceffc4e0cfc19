/**
 * The shared store, in memory and on a real redis-server, and what it holds across instances:
 * two proxies (Node adapter) sharing one Redis refuse a replayed token and count one quota.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'redis';
import { createSandbox, mintLivenessToken } from '../../src/server/index.ts';
import { type LivenessStore, createMemoryStore, createRedisStore } from '../../src/server/store/store.ts';
import { type RunningRedis, startRedis } from '../support/redis.ts';
import { until } from '../support/wait.mjs';
import { type Listening, listen, listenProxy, listenRaw, livenessFields, multipart, send } from './helpers.ts';

const KEY = 'ak_store_test_key';
const SECRET = 'store-test-secret-0123456789abcdef';
const ORIGIN = 'https://shop.example';

let redis: RunningRedis;
const clients: { close(): Promise<void> }[] = [];
const servers: Listening[] = [];

/** A store on its own connection, as each instance of a host would have. */
async function redisStore(prefix = 'test:'): Promise<LivenessStore> {
  const client = createClient({ url: redis.url });
  client.on('error', () => {}); // the test fails on the command instead
  await client.connect();
  clients.push(client);
  return createRedisStore(client, { prefix });
}

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await Promise.all(clients.map((client) => client.close()));
  await redis?.stop();
});

for (const kind of ['memory', 'redis'] as const) {
  describe(`${kind} store`, () => {
    let store: LivenessStore;
    before(async () => {
      store = kind === 'memory' ? createMemoryStore() : await redisStore(`contract-${Date.now()}:`);
    });
    after(() => store.close());

    test('set, get, set-if-absent and delete', async () => {
      assert.equal(await store.get('a'), undefined);
      assert.equal(await store.set('a', 'one', { ttlMs: 10_000 }), true);
      assert.equal(await store.get('a'), 'one');
      assert.equal(await store.set('a', 'two', { ttlMs: 10_000, ifAbsent: true }), false, 'the first writer wins');
      assert.equal(await store.get('a'), 'one');
      await store.delete('a');
      assert.equal(await store.get('a'), undefined);
      assert.equal(await store.set('a', 'three', { ttlMs: 10_000, ifAbsent: true }), true);
    });

    test('keys and counters expire after their TTL', async () => {
      // A second: long enough that a loaded machine's round trips don't outlast it, short enough to wait for.
      const ttlMs = 1_000;
      const setAt = Date.now();
      await store.set('short', 'x', { ttlMs });
      assert.equal(await store.increment('counter', ttlMs), 1);
      assert.equal(await store.increment('counter', ttlMs), 2, 'a later increment keeps the first expiry');
      await until(
        'the key and the counter to expire',
        async () => (await store.get('short')) === undefined && (await store.get('counter')) === undefined,
      );
      assert.ok(Date.now() - setAt >= ttlMs - 10, `gone after ${Date.now() - setAt} ms, before its TTL`);
      assert.equal(await store.increment('counter', ttlMs), 1, 'the count starts again');
    });

    test('200 concurrent increments count to 200', async () => {
      const counts = await Promise.all(Array.from({ length: 200 }, () => store.increment('race', 10_000)));
      assert.deepEqual(
        [...counts].sort((a, b) => a - b),
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
    });
  });
}

describe('two proxy instances sharing one Redis', () => {
  let upstreamCalls = 0;
  /** Answers 503 while `failNext` is above 0, like an overloaded Accura, else passes to the sandbox. */
  let failNext = 0;
  let first: string;
  let second: string;

  before(async () => {
    const sandbox = createSandbox({ apiKey: KEY });
    const sandboxServer = await listen(sandbox.fetch);
    const flaky = await listenRaw((request, response) => {
      upstreamCalls++;
      if (failNext > 0) {
        failNext--;
        request.resume();
        return void response.writeHead(503, { 'Content-Type': 'application/json' }).end('{"status":false,"message":"busy"}');
      }
      const forward = async () => {
        const parts: Buffer[] = [];
        for await (const part of request) parts.push(part as Buffer);
        const answer = await fetch(`${sandboxServer.url}/v2/api/id-liveness`, {
          method: 'POST',
          headers: { 'Content-Type': request.headers['content-type']!, 'Api-Key': String(request.headers['api-key']) },
          body: Buffer.concat(parts),
        });
        response.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(await answer.text());
      };
      void forward();
    });
    servers.push(sandboxServer, flaky);
    const options = {
      apiKey: KEY,
      upstreamUrl: flaky.url,
      tokenSecret: SECRET,
      allowedOrigins: [ORIGIN],
      quotas: { subject: { perDay: 4 }, ip: { perDay: 8 } }, // day windows: a minute could roll over mid-test
    };
    const prefix = `proxies-${Date.now()}:`;
    const [a, b] = await Promise.all([
      listenProxy({ ...options, store: await redisStore(prefix) }, {}, undefined, 'node'),
      listenProxy({ ...options, store: await redisStore(prefix) }, {}, undefined, 'node'),
    ]);
    servers.push(a, b);
    first = `${a.url}/api/id-liveness`;
    second = `${b.url}/api/id-liveness`;
  });

  const check = async (url: string, bearer: string) => {
    const { body, contentType } = await multipart(livenessFields());
    return send(url, { headers: { 'Content-Type': contentType, Origin: ORIGIN, Authorization: `Bearer ${bearer}` }, body });
  };
  const token = async (subject: string) => (await mintLivenessToken({ secret: SECRET, origin: ORIGIN, subject })).token;

  test('a token answered on one instance is refused on the other (401 token-used)', async () => {
    const bearer = await token('user-replay');
    assert.equal((await check(first, bearer)).status, 200);
    const calls = upstreamCalls;
    const replay = await check(second, bearer);
    assert.equal(replay.status, 401, replay.text);
    assert.equal(replay.json().code, 'token-used');
    assert.equal(upstreamCalls, calls, 'the replay never reached upstream');
  });

  test('a check that Accura could not answer may be retried with its token, on either instance, at most 3 attempts', async () => {
    const bearer = await token('user-retry');
    failNext = 1;
    assert.equal((await check(first, bearer)).status, 503, 'the 503 passes through');
    const retried = await check(second, bearer);
    assert.equal(retried.status, 200, `the widget's retry goes through: ${retried.text}`);
    assert.equal((await check(first, bearer)).json().code, 'token-used', 'and then the token is spent');

    const stubborn = await token('user-retry-2');
    failNext = 3;
    for (const url of [first, second, first]) assert.equal((await check(url, stubborn)).status, 503);
    const fourth = await check(second, stubborn);
    assert.equal(fourth.status, 401, 'a fourth attempt is not a retry');
    assert.equal(fourth.json().code, 'token-used');
  });

  test('a per-subject quota is counted across both instances: 429 quota-exceeded with Retry-After', async () => {
    const calls = upstreamCalls;
    // user-quota's day allows 4 checks; two on each instance pass, the fifth is refused.
    for (const url of [first, second, first, second]) assert.equal((await check(url, await token('user-quota'))).status, 200);
    const over = await check(first, await token('user-quota'));
    assert.equal(over.status, 429, over.text);
    assert.equal(over.json().code, 'quota-exceeded');
    const retryAfter = Number(over.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 86_400, `Retry-After: ${over.headers['retry-after']}`);
    assert.equal(upstreamCalls, calls + 4, 'the refused check never reached upstream');
    assert.equal((await check(second, await token('someone-else'))).status, 429, 'the IP quota (8 a day, across both) is spent too');
  });
});
