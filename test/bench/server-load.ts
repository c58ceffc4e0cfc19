/**
 * `npm run bench:server`: proxy + sandbox on loopback (separate servers, a real HTTP hop between
 * them, both in one child process), 200 concurrent checks with ~900 KB images for ~30 s.
 * Prints throughput, latency, errors and the server process's peak RSS. Traffic stays on 127.0.0.1.
 * BENCH_SECONDS and BENCH_CONNECTIONS override the defaults. The soak (`npm run bench:soak`,
 * server-soak.ts) reuses the servers, bodies and table from here.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { serve } from '@hono/node-server';
import { createLivenessProxy, createSandbox, mintLivenessToken } from '../../src/server/index.ts';

export const ORIGIN = 'https://bench.example';
const IMAGE_BYTES = 900_000;

function listen(fetch: (request: Request) => Promise<Response>): Promise<string> {
  return new Promise((resolve) => {
    serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
  });
}

/** Child: the servers under test. Answers 'rss' with its RSS; 'stop' with its peak and current RSS, then exits. */
async function runServers(secret: string) {
  const sandboxUrl = await listen(createSandbox({ apiKey: 'bench-key' }).fetch);
  const proxy = createLivenessProxy({ apiKey: 'bench-key', upstreamUrl: `${sandboxUrl}/v2/api/id-liveness`, tokenSecret: secret, allowedOrigins: [ORIGIN] });
  const proxyUrl = await listen(proxy.fetch);
  process.send!({ proxyUrl: `${proxyUrl}/api/id-liveness`, rss: process.memoryUsage().rss });
  process.on('disconnect', () => process.exit(0)); // the bench died: don't linger
  process.on('message', (message) => {
    if (message === 'rss') return void process.send!({ rss: process.memoryUsage().rss });
    // maxRSS is in KiB and covers the whole life of the process.
    process.send!({ peakRss: process.resourceUsage().maxRSS * 1024, rss: process.memoryUsage().rss }, () => process.exit(0));
  });
}

export interface BenchServers {
  proxyUrl: string;
  /** The token secret the proxy checks. */
  secret: string;
  /** RSS of the server process once listening. */
  startRss: number;
  rss(): Promise<number>;
  stop(): Promise<{ peakRss: number; rss: number }>;
}

/** Proxy + sandbox in a child process (so their RSS is theirs alone), on loopback. */
export async function forkServers(): Promise<BenchServers> {
  const secret = randomBytes(32).toString('hex');
  const child = fork(fileURLToPath(import.meta.url), ['--servers'], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_SECRET: secret } });
  const [{ proxyUrl, rss: startRss }] = (await once(child, 'message')) as [{ proxyUrl: string; rss: number }];
  const ask = async <T>(message: string) => (child.send(message), ((await once(child, 'message')) as [T])[0]);
  return {
    proxyUrl,
    secret,
    startRss,
    rss: async () => (await ask<{ rss: number }>('rss')).rss,
    stop: () => ask<{ peakRss: number; rss: number }>('stop'),
  };
}

/** `size` bytes: JPEG magic, random bytes, end marker. The proxy sniffs the magic, the sandbox hashes it all. */
export function benchImage(size: number): Uint8Array<ArrayBuffer> {
  const image = new Uint8Array(randomBytes(size));
  image.set([0xff, 0xd8, 0xff, 0xe0]);
  image.set([0xff, 0xd9], size - 2);
  return image;
}

/** The three fields as a multipart body, with its Content-Type. */
export async function checkBody(image: Uint8Array<ArrayBuffer>, type = 'image/jpeg'): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  form.set('liveness_image', new File([image], 'card.jpg', { type }));
  form.set('country_code', 'IND');
  form.set('card_code', 'MRZ');
  const encoded = new Request('http://encoder.invalid/', { method: 'POST', body: form });
  return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}

/** Prints rows as a Markdown table. */
export function printTable(header: string[], rows: string[][]) {
  const widths = header.map((name, i) => Math.max(name.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${line(header)}\n${line(widths.map((width) => '-'.repeat(width)))}`);
  for (const row of rows) console.log(line(row));
}

async function runBench() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 30);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 200);
  const servers = await forkServers();
  const { body, contentType } = await checkBody(benchImage(IMAGE_BYTES));
  const { token } = await mintLivenessToken({ secret: servers.secret, origin: ORIGIN, ttlSeconds: seconds + 300 });

  console.log(`bench:server: ${connections} connections, ${seconds} s, ${(body.length / 1e6).toFixed(2)} MB bodies -> ${servers.proxyUrl}`);
  const result = await autocannon({
    url: servers.proxyUrl,
    method: 'POST',
    connections,
    duration: seconds,
    timeout: 30,
    headers: { 'content-type': contentType, origin: ORIGIN, authorization: `Bearer ${token}` },
    body,
  });
  const { peakRss } = await servers.stop();

  printTable(
    ['metric', 'value'],
    [
      ['requests (2xx)', `${result['2xx']} of ${result.requests.total}`],
      ['throughput', `${result.requests.average.toFixed(1)} req/s`],
      ['upload', `${((result.requests.average * body.length) / 1e6).toFixed(1)} MB/s`],
      ['latency p50', `${result.latency.p50} ms`],
      ['latency p99', `${result.latency.p99} ms`],
      ['latency max', `${result.latency.max} ms`],
      ['errors (non-2xx)', String(result.non2xx)],
      ['errors (socket/timeouts)', `${result.errors} / ${result.timeouts}`],
      ['peak RSS (proxy + sandbox process)', `${(peakRss / 2 ** 20).toFixed(0)} MiB`],
    ],
  );
  console.log(`\nNode ${process.version}, ${process.platform}/${process.arch}`);
}

// Run, forked as the servers, or imported by server-soak.ts (then nothing runs here).
if (process.argv[2] === '--servers') await runServers(process.env.BENCH_SECRET!);
else if (process.argv[1] === fileURLToPath(import.meta.url)) await runBench();
