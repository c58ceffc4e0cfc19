// Plain JavaScript, run without tsx, so the package name resolves through its exports map to dist/.
/** Importing the built package in Node, with no DOM (as Next.js and Nuxt do on the server), throws nothing. */
import assert from 'node:assert/strict';
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
