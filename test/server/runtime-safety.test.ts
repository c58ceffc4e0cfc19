/**
 * What runtimes forbid or builds lack at module scope (issue 26): creating a proxy or a store starts
 * no timer and needs no secret; a missing secret is a clear error on the first request instead.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLivenessProxy, createMemoryStore } from '../../src/server/index.ts';

/** setInterval/setTimeout calls made while `action` runs (Workers refuse any at module scope). */
function timersStartedBy(action: () => void): number {
  const { setInterval: interval, setTimeout: timeout } = globalThis;
  let started = 0;
  globalThis.setInterval = ((...args: Parameters<typeof interval>) => (started++, interval(...args))) as typeof interval;
  globalThis.setTimeout = ((...args: Parameters<typeof timeout>) => (started++, timeout(...args))) as typeof timeout;
  try {
    action();
  } finally {
    globalThis.setInterval = interval;
    globalThis.setTimeout = timeout;
  }
  return started;
}

test('creating a memory store or a proxy starts no timer; the store sweeps once it holds something', async () => {
  let store = createMemoryStore();
  assert.equal(
    timersStartedBy(() => (store = createMemoryStore())),
    0,
  );
  assert.equal(
    timersStartedBy(() => createLivenessProxy({ apiKey: 'k', tokenSecret: 's' })),
    0,
  );
  let writes = 0;
  const { setInterval: interval } = globalThis;
  globalThis.setInterval = ((...args: Parameters<typeof interval>) => (writes++, interval(...args))) as typeof interval;
  try {
    await store.set('a', '1', { ttlMs: 1000 });
    await store.increment('b', 1000);
  } finally {
    globalThis.setInterval = interval;
  }
  assert.equal(writes, 1, 'one sweep timer, started by the first write');
  await store.close();
});

test('a proxy without its secrets builds, and its first request says which one is missing', async () => {
  const withoutKey = createLivenessProxy({ apiKey: undefined as unknown as string, tokenSecret: 'secret' });
  const withoutSecret = createLivenessProxy({ apiKey: 'key', tokenSecret: '' });
  const request = () =>
    new Request('http://127.0.0.1/api/id-liveness', { method: 'POST', headers: { Origin: 'http://127.0.0.1' }, body: 'x' });
  await assert.rejects(withoutKey.fetch(request()), { name: 'TypeError', message: /apiKey is required \(is ACCURA_API_KEY set\?\)/ });
  await assert.rejects(withoutSecret.fetch(request()), {
    name: 'TypeError',
    message: /tokenSecret is required \(is LIVENESS_TOKEN_SECRET set\?\)/,
  });
});
