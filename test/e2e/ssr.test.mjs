// Plain JavaScript, run without tsx, so the package name resolves through its exports map to dist/.
/** Importing the built package in Node, with no DOM (as Next.js and Nuxt do on the server), throws nothing. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';

test('every entry of the package imports in Node with no DOM', async () => {
  assert.equal(typeof globalThis.document, 'undefined');
  // By package name: this also proves the exports map.
  const main = await import('accura-id-liveness');
  assert.equal(typeof main.AccuraIdLiveness, 'function');
  assert.equal(typeof main.parseLivenessResponse, 'function');
  const element = await import('accura-id-liveness/element');
  assert.equal(element.AccuraIdLiveness, main.AccuraIdLiveness);
  const react = await import('accura-id-liveness/react');
  assert.equal(typeof react.AccuraIdLivenessReact, 'object');
  const server = await import('accura-id-liveness/server');
  assert.equal(typeof server.createLivenessProxy, 'function');
  assert.equal(typeof server.createRedisStore, 'function');
  const serverNode = await import('accura-id-liveness/server/node');
  assert.equal(typeof serverNode.createNodeLivenessProxy, 'function');
  assert.equal(typeof serverNode.createLivenessMetrics, 'function');
  assert.equal(main.parseLivenessResponse(200, '{"score":"87.5"}').ok, true);
});

// The runtime half of `engines`: a check through the built proxy, token and sandbox, with nothing but Node.
test('the built server half answers a check on this Node: token, proxy, sandbox', async () => {
  const { createSandbox, mintLivenessToken } = await import('accura-id-liveness/server');
  const { createNodeLivenessProxy } = await import('accura-id-liveness/server/node');
  const origin = 'https://shop.example';
  const secret = 'ssr-test-secret-0123456789abcdef';
  const sandbox = createSandbox({ apiKey: 'ak_ssr_test' });
  // The sandbox in process, as `npm start` runs it: `.invalid` never resolves, so nothing leaves.
  const { node } = createNodeLivenessProxy({
    apiKey: 'ak_ssr_test',
    upstreamUrl: 'http://sandbox.invalid/v2/api/id-liveness',
    fetch: async (input, init) => sandbox.fetch(new Request(input, init)),
    tokenSecret: secret,
    allowedOrigins: [origin],
  });
  const server = http.createServer(node);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${server.address().port}/api/id-liveness`;
    const jpeg = new Uint8Array(4096);
    jpeg.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
    jpeg.set([0xff, 0xd9], jpeg.length - 2);
    const post = (token) => {
      const form = new FormData();
      form.set('liveness_image', new File([jpeg], 'card.jpg', { type: 'image/jpeg' }));
      form.set('country_code', 'IND');
      form.set('card_code', 'MRZ');
      return fetch(url, { method: 'POST', body: form, headers: { Origin: origin, Authorization: `Bearer ${token}` } });
    };
    const { token } = await mintLivenessToken({ secret, origin });
    const reply = await post(token);
    const body = await reply.json();
    assert.equal(reply.status, 200, JSON.stringify(body));
    assert.equal(body.sandbox, true);
    // The signature's first character changed: its last one carries spare bits, so changing that may change nothing.
    const at = token.lastIndexOf('.') + 1;
    const refused = await post(`${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`);
    assert.equal(refused.status, 401, 'a token with a broken signature is refused');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
