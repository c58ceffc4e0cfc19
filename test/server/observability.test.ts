/**
 * Operations: the Prometheus metrics and the JSON log line of each check, over real HTTP through
 * the Node adapter, and the demo backend's `/metrics` route behind METRICS_TOKEN.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSandbox, mintLivenessToken } from '../../src/server/index.ts';
import { createDemoApp } from '../../demo/server/demo-app.ts';
import { createLivenessMetrics } from '../../src/server/metrics.ts';
import { until } from '../support/wait.mjs';
import { type Listening, jpeg, listen, listenProxy, livenessFields, multipart, send } from './helpers.ts';

const KEY = 'ak_observability_DISTINCTIVE_key';
const SECRET = 'observability-secret-0123456789abcdef';
const ORIGIN = 'https://shop.example';
const METRICS_TOKEN = 'metrics-token-0123456789';
const servers: Listening[] = [];
const lines: string[] = [];
const metrics = createLivenessMetrics({ token: METRICS_TOKEN, processMetrics: false });
let proxyUrl: string;
let withIpUrl: string;

before(async () => {
  const sandbox = createSandbox({ apiKey: KEY });
  const upstream = await listen(sandbox.fetch);
  const options = {
    apiKey: KEY,
    upstreamUrl: `${upstream.url}/v2/api/id-liveness`,
    tokenSecret: SECRET,
    allowedOrigins: [ORIGIN],
    forwardSandboxHeaders: true,
  };
  const proxy = await listenProxy({ ...options, observer: metrics, log: (line) => lines.push(line) }, {}, undefined, 'node');
  const withIp = await listenProxy({ ...options, log: (line) => lines.push(line), logIp: true }, {}, undefined, 'node');
  servers.push(upstream, proxy, withIp);
  proxyUrl = `${proxy.url}/api/id-liveness`;
  withIpUrl = `${withIp.url}/api/id-liveness`;
});
after(() => Promise.all(servers.map((server) => server.close())));

async function check(
  init: { url?: string; bearer?: string | null; image?: Uint8Array<ArrayBuffer>; headers?: Record<string, string> } = {},
) {
  const { body, contentType } = await multipart(livenessFields(init.image ?? jpeg(50_000)));
  const bearer = init.bearer === undefined ? (await mintLivenessToken({ secret: SECRET, origin: ORIGIN })).token : init.bearer;
  const headers: Record<string, string> = { 'Content-Type': contentType, Origin: ORIGIN, ...init.headers };
  if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
  return { reply: await send(init.url ?? proxyUrl, { headers, body }), bearer, bodyBytes: body.length };
}

const scrape = async () => {
  const response = await metrics.fetch(
    new Request('http://proxy.invalid/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } }),
  );
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  return response.text();
};
/** The value of one sample line, e.g. `accura_liveness_checks_in_flight`. */
const sample = (text: string, name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

test('metrics: in-flight checks and bytes while a check waits upstream, then checks by outcome and code', async () => {
  const slow = check({ headers: { 'X-Accura-Sandbox-Delay-Ms': '2000' } });
  // Scrape while the check waits upstream (polled, not slept: a loaded machine is slow to get there).
  let during = '';
  await until(
    'a scrape showing the check in flight, its body sent',
    async () => {
      during = await scrape();
      return sample(during, 'accura_liveness_checks_in_flight') === 1 && sample(during, 'accura_liveness_body_bytes_in_flight') === 0;
    },
    { interval: 10, seen: () => during },
  );
  const { reply, bodyBytes } = await slow;
  assert.equal(reply.status, 200, reply.text);
  assert.ok(bodyBytes > 50_000);
  assert.equal(
    sample(during, 'accura_liveness_body_bytes_in_flight'),
    0,
    'the body is let go once it is sent, not held while Accura thinks',
  );

  assert.equal((await check({ bearer: null })).reply.status, 401);
  assert.equal((await check({ image: new Uint8Array(Buffer.from('%PDF-1.7 not an image')) })).reply.status, 415);

  const text = await scrape();
  assert.equal(sample(text, 'accura_liveness_checks_total{outcome="answered",code="ok"}'), 1);
  assert.equal(sample(text, 'accura_liveness_checks_total{outcome="refused",code="unauthorized"}'), 1);
  assert.equal(sample(text, 'accura_liveness_checks_total{outcome="refused",code="unsupported-media-type"}'), 1);
  assert.equal(sample(text, 'accura_liveness_upstream_responses_total{status="200"}'), 1);
  assert.equal(sample(text, 'accura_liveness_upstream_duration_seconds_count'), 1);
  assert.ok(sample(text, 'accura_liveness_upstream_duration_seconds_sum') >= 2, 'the sandbox waited 2 s');
  assert.equal(sample(text, 'accura_liveness_upstream_duration_seconds_bucket{le="0.5"}'), 0);
  assert.equal(sample(text, 'accura_liveness_checks_in_flight'), 0);
  assert.equal(sample(text, 'accura_liveness_body_bytes_in_flight'), 0);
  assert.ok(!text.includes(KEY) && !text.includes(SECRET));
});

test('metrics: the scrape needs the token; without a configured token the route is off', async () => {
  const anonymous = await metrics.fetch(new Request('http://proxy.invalid/metrics'));
  assert.equal(anonymous.status, 401);
  const wrong = await metrics.fetch(
    new Request('http://proxy.invalid/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}x` } }),
  );
  assert.equal(wrong.status, 401);
  assert.equal((await createLivenessMetrics({ processMetrics: false }).fetch(new Request('http://proxy.invalid/metrics'))).status, 404);

  const quiet = () => {};
  const off = createDemoApp({ env: { ACCURA_API_KEY: '', LOG_CHECKS: 'off' }, log: quiet });
  assert.equal((await off.fetch(new Request('http://127.0.0.1/metrics'))).status, 404, 'no METRICS_TOKEN: no metrics');
  const on = createDemoApp({ env: { ACCURA_API_KEY: '', LOG_CHECKS: 'off', METRICS_TOKEN }, log: quiet });
  assert.equal((await on.fetch(new Request('http://127.0.0.1/metrics'))).status, 401);
  const scraped = await on.fetch(new Request('http://127.0.0.1/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } }));
  assert.equal(scraped.status, 200);
  assert.match(await scraped.text(), /^# HELP accura_liveness_checks_total/m);
});

test('one JSON log line per check: request id, outcome, code, statuses and timings; no image, token, key or IP', async () => {
  lines.length = 0;
  const good = await check();
  const refused = await check({ bearer: 'forged.token.here' });
  assert.equal(lines.length, 2);
  const [first, second] = lines.map((line) => JSON.parse(line));
  assert.equal(first.requestId, good.reply.headers['x-request-id']);
  assert.equal(first.event, 'liveness-check');
  assert.equal(first.outcome, 'answered');
  assert.equal(first.code, 'ok');
  assert.equal(first.status, 200);
  assert.equal(first.upstreamStatus, 200);
  assert.equal(first.bytes, good.bodyBytes);
  for (const key of ['total', 'body', 'upstream']) assert.equal(typeof first.ms[key], 'number', key);
  assert.deepEqual([second.outcome, second.code, second.status, second.upstreamStatus], ['refused', 'unauthorized', 401, undefined]);
  assert.equal(second.requestId, refused.reply.headers['x-request-id']);
  for (const line of lines) {
    assert.ok(!line.includes(good.bearer!) && !line.includes('forged.token.here'), 'no token');
    assert.ok(!line.includes(KEY), 'no key');
    assert.ok(!line.includes('127.0.0.1') && !('ip' in JSON.parse(line)), 'no IP unless opted in');
    assert.ok(line.length < 500, 'no image');
  }

  lines.length = 0;
  await check({ url: withIpUrl });
  assert.equal(JSON.parse(lines[0]).ip, '127.0.0.1', 'logIp: true puts the IP in');
});
