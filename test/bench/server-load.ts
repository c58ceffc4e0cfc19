/**
 * `npm run bench:server`: proxy + sandbox on loopback (separate servers, a real HTTP hop between
 * them, both in one child process), 200 concurrent checks with ~900 KB images for ~30 s.
 * Prints throughput, latency, errors and the server process's peak RSS. Traffic stays on 127.0.0.1.
 * BENCH_SECONDS and BENCH_CONNECTIONS override the defaults.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { serve } from '@hono/node-server';
import { createLivenessProxy, createSandbox, mintLivenessToken } from '../../src/server/index.ts';

const ORIGIN = 'https://bench.example';
const IMAGE_BYTES = 900_000;

function listen(fetch: (request: Request) => Promise<Response>): Promise<string> {
  return new Promise((resolve) => {
    serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
  });
}

/** Child: the servers under test. Reports its peak RSS when told to stop. */
async function runServers(secret: string) {
  const sandboxUrl = await listen(createSandbox({ apiKey: 'bench-key' }).fetch);
  const proxy = createLivenessProxy({ apiKey: 'bench-key', upstreamUrl: `${sandboxUrl}/v2/api/id-liveness`, tokenSecret: secret, allowedOrigins: [ORIGIN] });
  const proxyUrl = await listen(proxy.fetch);
  process.send!({ proxyUrl: `${proxyUrl}/api/id-liveness` });
  process.on('disconnect', () => process.exit(0)); // the bench died: don't linger
  process.on('message', () => {
    // maxRSS is in KiB and covers the whole life of the process.
    process.send!({ peakRss: process.resourceUsage().maxRSS * 1024 }, () => process.exit(0));
  });
}

async function runBench() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 30);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 200);
  const secret = randomBytes(32).toString('hex');
  const child = fork(fileURLToPath(import.meta.url), ['--servers'], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_SECRET: secret } });
  const [{ proxyUrl }] = (await once(child, 'message')) as [{ proxyUrl: string }];

  // A JPEG header and random bytes: the proxy sniffs the magic, the sandbox hashes it all.
  const image = randomBytes(IMAGE_BYTES);
  image.set([0xff, 0xd8, 0xff, 0xe0]);
  image.set([0xff, 0xd9], IMAGE_BYTES - 2);
  const form = new FormData();
  form.set('liveness_image', new File([image], 'card.jpg', { type: 'image/jpeg' }));
  form.set('country_code', 'IND');
  form.set('card_code', 'MRZ');
  const encoded = new Request('http://encoder.invalid/', { method: 'POST', body: form });
  const body = Buffer.from(await encoded.arrayBuffer());
  const { token } = await mintLivenessToken({ secret, origin: ORIGIN, ttlSeconds: seconds + 300 });

  console.log(`bench:server: ${connections} connections, ${seconds} s, ${(body.length / 1e6).toFixed(2)} MB bodies -> ${proxyUrl}`);
  const result = await autocannon({
    url: proxyUrl,
    method: 'POST',
    connections,
    duration: seconds,
    timeout: 30,
    headers: { 'content-type': encoded.headers.get('content-type')!, origin: ORIGIN, authorization: `Bearer ${token}` },
    body,
  });
  child.send('stop');
  const [{ peakRss }] = (await once(child, 'message')) as [{ peakRss: number }];

  const rows: [string, string][] = [
    ['requests (2xx)', `${result['2xx']} of ${result.requests.total}`],
    ['throughput', `${result.requests.average.toFixed(1)} req/s`],
    ['upload', `${((result.requests.average * body.length) / 1e6).toFixed(1)} MB/s`],
    ['latency p50', `${result.latency.p50} ms`],
    ['latency p99', `${result.latency.p99} ms`],
    ['latency max', `${result.latency.max} ms`],
    ['errors (non-2xx)', String(result.non2xx)],
    ['errors (socket/timeouts)', `${result.errors} / ${result.timeouts}`],
    ['peak RSS (proxy + sandbox process)', `${(peakRss / 2 ** 20).toFixed(0)} MiB`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`\n| ${'metric'.padEnd(width)} | value |\n| ${'-'.repeat(width)} | --- |`);
  for (const [name, value] of rows) console.log(`| ${name.padEnd(width)} | ${value} |`);
  console.log(`\nNode ${process.version}, ${process.platform}/${process.arch}`);
}

if (process.argv[2] === '--servers') await runServers(process.env.BENCH_SECRET!);
else await runBench();
