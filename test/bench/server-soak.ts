/**
 * `npm run bench:soak`: mixed traffic through proxy + sandbox on loopback (the servers of
 * bench:server, in their own child process) for 2 minutes. 16 of every 20 requests are good checks
 * with 200-900 KB images; the other 4 are bad, one of each: no token (401), another origin (403),
 * an oversized image (413), a non-image (415). Prints requests/s, p50/p99 latency, good checks that
 * failed (must be 0), bad ones answered with the wrong status (must be 0), and the server
 * process's RSS at start, peak and end, with a sample every 10 s. Exits 1 on a wrong answer.
 * SOAK_SECONDS (default 120) and SOAK_CONNECTIONS (default 32) override the defaults.
 */
import http from 'node:http';
import { mintLivenessToken } from '../../src/server/index.ts';
import { ORIGIN, benchImage, checkBody, forkServers, printTable } from './server-load.ts';

const seconds = Number(process.env.SOAK_SECONDS ?? 120);
const connections = Number(process.env.SOAK_CONNECTIONS ?? 32);
const EVIL = 'https://evil.example';

interface Kind {
  name: string;
  expected: number;
  body: Buffer;
  headers: Record<string, string>;
  /** Each request gets a fresh token for this origin: tokens are one-time. */
  tokenFor?: string;
}

const servers = await forkServers();
const bearer = async (origin: string) =>
  `Bearer ${(await mintLivenessToken({ secret: servers.secret, origin, ttlSeconds: seconds + 300 })).token}`;
const kinds: Kind[] = [];
for (let size = 200_000; size <= 900_000; size += 100_000) {
  const { body, contentType } = await checkBody(benchImage(size));
  kinds.push({ name: 'good', expected: 200, body, headers: { 'Content-Type': contentType, Origin: ORIGIN }, tokenFor: ORIGIN });
}
{
  const { body, contentType } = await checkBody(benchImage(500_000));
  const oversized = await checkBody(benchImage(1_500_000));
  const pdf = await checkBody(new TextEncoder().encode(`%PDF-1.7\n${'x'.repeat(300_000)}`), 'application/pdf');
  kinds.push(
    { name: 'no token', expected: 401, body, headers: { 'Content-Type': contentType, Origin: ORIGIN } },
    { name: 'other origin', expected: 403, body, headers: { 'Content-Type': contentType, Origin: EVIL }, tokenFor: EVIL },
    {
      name: 'oversized',
      expected: 413,
      body: oversized.body,
      headers: { 'Content-Type': oversized.contentType, Origin: ORIGIN },
      tokenFor: ORIGIN,
    },
    { name: 'non-image', expected: 415, body: pdf.body, headers: { 'Content-Type': pdf.contentType, Origin: ORIGIN }, tokenFor: ORIGIN },
  );
}
/** Request n uses SCHEDULE[n % 20]: 16 good (cycling through the 8 sizes), then the 4 bad kinds. */
const SCHEDULE = [...Array.from({ length: 16 }, (_, i) => kinds[i % 8]), ...kinds.slice(8)];

const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
async function post(kind: Kind): Promise<number | 'closed'> {
  const headers = {
    ...kind.headers,
    'Content-Length': String(kind.body.length),
    ...(kind.tokenFor ? { Authorization: await bearer(kind.tokenFor) } : {}),
  };
  return new Promise((resolve) => {
    const request = http.request(servers.proxyUrl, { method: 'POST', agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode!));
      response.on('error', () => resolve('closed'));
    });
    request.on('error', () => resolve('closed'));
    request.end(kind.body);
  });
}

interface Sample {
  kind: Kind;
  result: number | 'closed';
  ms: number;
}
const samples: Sample[] = [];
const rssTimeline: number[] = [servers.startRss];
const deadline = performance.now() + seconds * 1000;
let next = 0;
async function worker() {
  while (performance.now() < deadline) {
    const kind = SCHEDULE[next++ % SCHEDULE.length];
    const start = performance.now();
    const result = await post(kind);
    samples.push({ kind, result, ms: performance.now() - start });
  }
}

console.log(`bench:soak: ${connections} connections, ${seconds} s, 80% good checks (0.2-0.9 MB) and 20% bad -> ${servers.proxyUrl}`);
let sampling: Promise<unknown> = Promise.resolve();
const sampler = setInterval(() => (sampling = servers.rss().then((rss) => rssTimeline.push(rss))), 10_000);
const started = performance.now();
await Promise.all(Array.from({ length: connections }, worker));
const elapsed = (performance.now() - started) / 1000;
clearInterval(sampler);
await sampling; // one question to the child at a time
agent.destroy();
const { peakRss, rss: endRss } = await servers.stop();

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (value: number) => `${value.toFixed(0)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const goodSamples = samples.filter((sample) => sample.kind.expected === 200);
const badSamples = samples.filter((sample) => sample.kind.expected !== 200);
const wrong = (list: Sample[]) => list.filter((sample) => sample.result !== sample.kind.expected);
const wrongGood = wrong(goodSamples);
const wrongBad = wrong(badSamples);
const describe = (list: Sample[]) => {
  const counts = new Map<string, number>();
  for (const { kind, result } of list) counts.set(`${kind.name}: ${result}`, (counts.get(`${kind.name}: ${result}`) ?? 0) + 1);
  return [...counts].map(([key, count]) => `${key} x${count}`).join(', ');
};
const badBreakdown = kinds
  .slice(8)
  .map(
    (kind) =>
      `${kind.name} ${kind.expected}: ${badSamples.filter((sample) => sample.kind === kind && sample.result === kind.expected).length}`,
  )
  .join(', ');

printTable(
  ['metric', 'value'],
  [
    ['requests', `${samples.length} (${goodSamples.length} good, ${badSamples.length} bad) in ${elapsed.toFixed(0)} s`],
    ['throughput', `${(samples.length / elapsed).toFixed(1)} req/s (good ${(goodSamples.length / elapsed).toFixed(1)} req/s)`],
    [
      'latency good p50 / p99',
      `${ms(
        percentile(
          goodSamples.map((s) => s.ms),
          50,
        ),
      )} / ${ms(
        percentile(
          goodSamples.map((s) => s.ms),
          99,
        ),
      )}`,
    ],
    [
      'latency bad p50 / p99',
      `${ms(
        percentile(
          badSamples.map((s) => s.ms),
          50,
        ),
      )} / ${ms(
        percentile(
          badSamples.map((s) => s.ms),
          99,
        ),
      )}`,
    ],
    [
      'latency all p50 / p99',
      `${ms(
        percentile(
          samples.map((s) => s.ms),
          50,
        ),
      )} / ${ms(
        percentile(
          samples.map((s) => s.ms),
          99,
        ),
      )}`,
    ],
    ['good checks failed', wrongGood.length === 0 ? '0' : `${wrongGood.length} (${describe(wrongGood)})`],
    ['bad answered with the right status', `${badSamples.length - wrongBad.length} of ${badSamples.length} (${badBreakdown})`],
    ['bad answered wrongly', wrongBad.length === 0 ? '0' : `${wrongBad.length} (${describe(wrongBad)})`],
    ['server RSS start / peak / end', `${mib(servers.startRss)} / ${mib(peakRss)} / ${mib(endRss)}`],
    ['server RSS every 10 s', rssTimeline.map((rss) => (rss / 2 ** 20).toFixed(0)).join(', ') + ' MiB'],
  ],
);
console.log(`\nNode ${process.version}, ${process.platform}/${process.arch}`);
if (wrongGood.length + wrongBad.length > 0) {
  console.error('bench:soak: some answers were wrong (see above)');
  process.exitCode = 1;
}
