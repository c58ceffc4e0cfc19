import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SANDBOX_DELAY_HEADER, SANDBOX_SCORE_HEADER, createSandbox } from '../../src/server/index.ts';
import { type Listening, jpeg, listen, livenessFields, multipart, replies, send } from './helpers.ts';

let open: Listening;
let keyed: Listening;

before(async () => {
  open = await listen(createSandbox().fetch);
  keyed = await listen(createSandbox({ apiKey: 'the-sandbox-key' }).fetch);
});
after(() => Promise.all([open.close(), keyed.close()]));

async function post(
  fields: Record<string, string | Blob>,
  headers: Record<string, string> = { 'Api-Key': 'anything' },
  url = `${open.url}/v2/api/id-liveness`,
) {
  const { body, contentType } = await multipart(fields);
  return send(url, { headers: { 'Content-Type': contentType, ...headers }, body });
}

test('the same bytes always get the same score, with two decimals in 0-100', async () => {
  const image = jpeg(4096, 7);
  const first = (await post(livenessFields(image))).json();
  const second = (await post(livenessFields(image, 'USA', 'DL'))).json();
  assert.deepEqual(first, {
    status: true,
    sandbox: true,
    message: 'Sandbox: not a real liveness check',
    data: { score: first.data.score },
  });
  assert.equal(second.data.score, first.data.score, 'the score depends on the bytes only');
  assert.ok(first.data.score >= 0 && first.data.score <= 100);
  assert.equal(Math.round(first.data.score * 100) / 100, first.data.score);
  const scores = new Set<number>();
  for (let fill = 0; fill < 5; fill++) scores.add((await post(livenessFields(jpeg(4096, fill)))).json().data.score);
  assert.ok(scores.size > 1, 'different bytes, different scores');
});

test('X-Accura-Sandbox-Score forces the score; a bad value is 400', async () => {
  const forced = await post(livenessFields(), { 'Api-Key': 'k', [SANDBOX_SCORE_HEADER]: '88.5' });
  assert.equal(forced.json().data.score, 88.5);
  assert.equal(forced.json().sandbox, true);
  assert.equal((await post(livenessFields(), { 'Api-Key': 'k', [SANDBOX_SCORE_HEADER]: '101' })).status, 400);
  assert.equal((await post(livenessFields(), { 'Api-Key': 'k', [SANDBOX_SCORE_HEADER]: 'high' })).status, 400);
});

test('X-Accura-Sandbox-Delay-Ms delays the answer', async () => {
  const start = performance.now();
  assert.equal((await post(livenessFields(), { 'Api-Key': 'k', [SANDBOX_DELAY_HEADER]: '250' })).status, 200);
  assert.ok(performance.now() - start >= 240);
});

test('Api-Key: required; when configured it must match', async () => {
  assert.equal((await post(livenessFields(), {})).status, 401);
  assert.equal((await post(livenessFields(), { 'Api-Key': 'wrong' }, `${keyed.url}/v2/api/id-liveness`)).status, 401);
  assert.equal((await post(livenessFields(), { 'Api-Key': 'the-sandbox-key' }, `${keyed.url}/v2/api/id-liveness`)).status, 200);
});

test('fields, size and image type are checked like the real API', async () => {
  const { liveness_image, country_code } = livenessFields();
  assert.equal((await post({ liveness_image, country_code })).status, 400);
  assert.equal((await post(livenessFields(jpeg(1_000_000)))).status, 200, 'exactly 1 MB passes');
  assert.equal((await post(livenessFields(jpeg(1_000_001)))).status, 413);
  const { body, contentType } = await multipart(livenessFields(jpeg(1_500_000)));
  const chunks = Array.from({ length: 24 }, (_, i) => body.subarray(i * 65_536, (i + 1) * 65_536));
  assert.equal(
    (await send(`${open.url}/v2/api/id-liveness`, { headers: { 'Content-Type': contentType, 'Api-Key': 'k' }, chunks })).status,
    413,
  );
  assert.equal((await post({ ...livenessFields(), liveness_image: new File(['%PDF-1.7'], 'card.jpg') })).status, 415);
});

test('it answers under a prefix, and 404 elsewhere', async () => {
  assert.equal((await post(livenessFields(), { 'Api-Key': 'k' }, `${open.url}/sandbox/v2/api/id-liveness`)).status, 200);
  assert.equal((await post(livenessFields(), { 'Api-Key': 'k' }, `${open.url}/v2/api/other`)).status, 404);
  assert.equal((await send(`${open.url}/v2/api/id-liveness`, { method: 'GET' })).status, 404);
});

test('every sandbox answer says sandbox: true, and none is cached', () => {
  assert.ok(replies.length >= 15);
  for (const reply of replies) {
    assert.equal(reply.json().sandbox, true, reply.text);
    assert.equal(reply.headers['cache-control'], 'no-store');
    if (reply.status !== 200) assert.deepEqual(Object.keys(reply.json()).sort(), ['message', 'sandbox', 'status']);
  }
});
