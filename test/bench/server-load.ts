/**
 * `npm run bench:server`: the proxy beside two anchors, in one run, on loopback.
 * - proxy: `createNodeLivenessProxy(...).node` as `npm run serve` runs it (token check, one-time
 *   token in the memory store, origin, size, fields, magic bytes), a fresh token per request;
 * - proxy (Web): the same proxy's `fetch` behind @hono/node-server, as Express/Next-style hosts run it;
 * - nginx (Debian's, installed when missing): 1 worker, plain forwarding, no checks;
 * - Node pipe: a bare node:http pipe with a keep-alive agent, the floor for Node.
 * Each gets a fresh process per row and the same upstream, a bare node:http server in its own
 * process that reads the body and answers JSON after D ms. Load: autocannon, ~900 KB multipart
 * bodies. CPU per check comes from /proc (the target's processes only), peak RSS from VmHWM.
 * BENCH_SECONDS (default 15) and BENCH_ROWS ("0/20,0/200,800/200,800/500") override the defaults.
 * The soak (`npm run bench:soak`, server-soak.ts) reuses forkServers, the bodies and the table.
 */
import { type ChildProcess, execFileSync, fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { serve } from '@hono/node-server';
import { createLivenessProxy, createSandbox, mintLivenessToken } from '../../src/server/index.ts';
import { createNodeLivenessProxy } from '../../src/server/node.ts';
import { ByteChunks } from '../../src/server/proxy/byte-chunks.ts';
import { delimiterNeedle } from '../../src/server/proxy/multipart.ts';
import { aptInstall } from '../../scripts/apt.mjs';
import { freePort } from '../support/ports.ts';

export const ORIGIN = 'https://bench.example';
const IMAGE_BYTES = 900_000;
const PATH = '/api/id-liveness';

function listenNode(handler: http.RequestListener): Promise<string> {
  return new Promise((resolve) => {
    // A deep accept queue: 500 connections at once must not be reset by the kernel (nginx asks for 511).
    const server = http
      .createServer(handler)
      .listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, () =>
        resolve(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`),
      );
  });
}

function listenWeb(fetch: (request: Request) => Promise<Response>): Promise<string> {
  return new Promise((resolve) => {
    serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
  });
}

/** Child (soak): proxy (Node fast path) + sandbox. Answers 'rss' with its RSS; 'stop' with its peak and current RSS, then exits. */
async function runServers(secret: string) {
  const sandboxUrl = await listenWeb(createSandbox({ apiKey: 'bench-key' }).fetch);
  const proxy = createNodeLivenessProxy({
    apiKey: 'bench-key',
    upstreamUrl: `${sandboxUrl}/v2/api/id-liveness`,
    tokenSecret: secret,
    allowedOrigins: [ORIGIN],
  });
  const proxyUrl = await listenNode(proxy.node);
  process.send!({ proxyUrl: `${proxyUrl}${PATH}`, rss: process.memoryUsage().rss });
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
  const child = fork(fileURLToPath(import.meta.url), ['--servers'], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SECRET: secret },
  });
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

// ---- children of the comparative bench ----

/** Child: the upstream. Reads the whole body, answers a small JSON after `delay` ms, keeps connections alive. */
async function runUpstream(delay: number) {
  const url = await listenNode((request, response) => {
    request.resume();
    request.on('end', () =>
      setTimeout(() => response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":true,"data":{"score":87.5}}'), delay),
    );
  });
  process.send!({ url });
}

/** Child: one target in front of `upstream`. */
async function runTarget(kind: string, upstream: string, secret: string) {
  let url: string;
  if (kind === 'proxy' || kind === 'proxy-web') {
    const options = { apiKey: 'bench-key', upstreamUrl: `${upstream}/v2/api/id-liveness`, tokenSecret: secret, allowedOrigins: [ORIGIN] };
    const maxConcurrentReads = process.env.BENCH_MAX_READS ? Number(process.env.BENCH_MAX_READS) : undefined; // default 64
    url =
      kind === 'proxy'
        ? await listenNode(createNodeLivenessProxy({ ...options, maxConcurrentReads }).node)
        : await listenWeb(createLivenessProxy(options).fetch);
  } else {
    const target = new URL(upstream);
    const agent = new http.Agent({ keepAlive: true });
    url = await listenNode((request, response) => {
      const { connection: _connection, ...headers } = request.headers;
      const forward = http.request(
        { host: target.hostname, port: target.port, method: request.method, path: request.url, headers, agent },
        (answer) => {
          response.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(response);
        },
      );
      forward.on('error', () => response.headersSent || response.writeHead(502).end());
      request.pipe(forward);
    });
  }
  process.send!({ url });
}

interface Running {
  url: string;
  pids: () => number[];
  stop(): Promise<void>;
}

async function forkChild(args: string[]): Promise<Running> {
  const child = fork(fileURLToPath(import.meta.url), args, { execArgv: ['--import', 'tsx'] });
  const [{ url }] = (await once(child, 'message')) as [{ url: string }];
  return {
    url,
    pids: () => [child.pid!],
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}

/** nginx, one worker, forwarding with keep-alive to the upstream; no checks. Its files live in a temp folder. */
async function startNginx(binary: string, upstream: string): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-nginx-'));
  chmodSync(dir, 0o777); // the worker may run as nobody
  const port = await freePort();
  const target = new URL(upstream);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  client_max_body_size 1100k;
  client_body_buffer_size 1100k;
  upstream accura { server ${target.hostname}:${target.port}; keepalive 512; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://accura; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`,
  );
  const child: ChildProcess = spawn(binary, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) =>
      net
        .connect(port, '127.0.0.1')
        .once('connect', function (this: net.Socket) {
          this.destroy();
          resolve(true);
        })
        .once('error', () => resolve(false)),
    );
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pids: () => [child.pid!, ...childrenOf(child.pid!)],
    async stop() {
      if (child.exitCode === null) {
        process.kill(child.pid!, 'SIGQUIT');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User + system CPU seconds of these processes so far. */
function cpuSeconds(pids: number[]): number {
  return pids.reduce((sum, pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return sum + (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  }, 0);
}

/** Peak resident memory of these processes (VmHWM), in bytes. */
function peakRss(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024, 0);
}

interface Measured {
  rps: number;
  p99: number;
  ok: number;
  errors: number;
  /** Which: non-2xx statuses, socket errors, client timeouts. */
  errorKinds: string;
  cpuMsPerCheck: number;
  peakRss: number;
}

const ALL_TARGETS = ['proxy', 'proxy-web', 'nginx', 'pipe'] as const;
type Target = (typeof ALL_TARGETS)[number];
/** BENCH_TARGETS narrows the run while iterating (the README table always has all four). */
const TARGETS = (process.env.BENCH_TARGETS?.split(',') as Target[] | undefined) ?? ALL_TARGETS;
const TARGET_ORDER: readonly Target[] = ALL_TARGETS;
const LABELS: Record<Target, string> = { proxy: 'proxy (Node)', 'proxy-web': 'proxy (Web fetch)', nginx: 'nginx', pipe: 'Node pipe' };

async function runBench() {
  // The handoff scenario (issue 16) runs after the proxy rows, or alone with BENCH_SCENARIO=handoff.
  if (process.env.BENCH_SCENARIO !== 'handoff') await runProxyBench();
  await (await import('./handoff-load.ts')).runHandoffBench(printTable);
}

async function runProxyBench() {
  const seconds = Number(process.env.BENCH_SECONDS ?? 15);
  const rows = (process.env.BENCH_ROWS ?? '0/20,0/200,800/200,800/500')
    .split(',')
    .map((row) => row.split('/').map(Number) as [number, number]);
  const findNginx = () => ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((candidate) => existsSync(candidate));
  if (!findNginx()) aptInstall(['nginx'], 'bench:server runs nginx as the anchor');
  const nginx = { path: findNginx() ?? 'nginx' };
  const secret = randomBytes(32).toString('hex');
  const { body, contentType } = await checkBody(benchImage(IMAGE_BYTES));
  // One-time tokens: every request carries its own. Each proxy row is a fresh process with a fresh store, so the pool is reused per row.
  const tokens = await Promise.all(
    Array.from({ length: 40_000 }, () => mintLivenessToken({ secret, origin: ORIGIN, ttlSeconds: 3600 }).then((t) => t.token)),
  );
  const versions = spawnSync(nginx.path, ['-v'], { encoding: 'utf8' }).stderr.trim();
  console.log(
    `bench:server: ${(body.length / 1e6).toFixed(2)} MB bodies (${body.length} bytes), ${seconds} s per cell after 3 s warm-up; Node ${process.version}; ` +
      `${cpus().length} cores (${cpus()[0]?.model}); load average at start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${versions}`,
  );

  let next = 0; // reset for each target process: a token is spent once per proxy
  const load = async (url: string, connections: number, duration: number) => {
    return autocannon({
      url: `${url}${PATH}`,
      connections,
      duration,
      timeout: 30,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': contentType, origin: ORIGIN },
          body,
          setupRequest: (request: autocannon.Request) => ({
            ...request,
            headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
          }),
        },
      ],
    });
  };

  // The check alone, in process and one at a time: no sockets, an upstream that answers at once.
  {
    const proxy = createLivenessProxy({
      apiKey: 'bench-key',
      tokenSecret: secret,
      allowedOrigins: [ORIGIN],
      upstream: async ({ sent }) => (sent(), { status: 200, text: '{"status":true}' }),
    });
    const runs = 2_000;
    const chunked = () => {
      const chunks = new ByteChunks(delimiterNeedle(contentType.split('boundary=')[1]));
      for (let i = 0; i < body.length; i += 65_536) chunks.push(body.subarray(i, i + 65_536));
      return chunks;
    };
    const headers: Record<string, string> = { origin: ORIGIN, 'content-type': contentType };
    const before = process.cpuUsage();
    for (let i = 0; i < runs; i++) {
      const token = tokens[tokens.length - 1 - i];
      const output = await proxy.check({
        header: (name) => (name === 'authorization' ? `Bearer ${token}` : headers[name]),
        request: () => new Request('http://bench.invalid/'),
        readBody: async () => chunked(),
      });
      if (output.status !== 200) throw new Error(output.body);
    }
    const used = process.cpuUsage(before);
    console.log(
      `the check alone (in process, sequential, ${runs} runs; splitting the body into 64 KiB chunks included): ${((used.user + used.system) / 1000 / runs).toFixed(3)} ms CPU per check`,
    );
  }

  const table: string[][] = [];
  const results: Record<string, Record<Target, Measured>> = {};
  for (const [delay, connections] of rows) {
    const upstream = await forkChild(['--upstream', String(delay)]);
    const cells = {} as Record<Target, Measured>;
    for (const target of TARGETS) {
      next = 0;
      const running =
        target === 'nginx' ? await startNginx(nginx.path, upstream.url) : await forkChild(['--target', target, upstream.url, secret]);
      await load(running.url, connections, 3); // warm-up: JIT, sockets, the upstream pool
      const cpuBefore = cpuSeconds(running.pids());
      const result = await load(running.url, connections, seconds);
      const cpu = cpuSeconds(running.pids()) - cpuBefore;
      const peak = peakRss(running.pids());
      await running.stop();
      cells[target] = {
        rps: result.requests.average,
        p99: result.latency.p99,
        ok: result['2xx'],
        errors: result.non2xx + result.errors, // autocannon counts a timeout in errors too
        errorKinds: [
          ...Object.entries(result.statusCodeStats ?? {})
            .filter(([code]) => !code.startsWith('2'))
            .map(([code, { count }]) => `${count}x ${code}`),
          result.errors - result.timeouts > 0 ? `${result.errors - result.timeouts} socket errors` : '',
          result.timeouts ? `${result.timeouts} timeouts` : '',
        ]
          .filter(Boolean)
          .join(', '),
        cpuMsPerCheck: (cpu * 1000) / Math.max(1, result['2xx']),
        peakRss: peak,
      };
      const c = cells[target];
      console.log(
        `  D=${delay} ms, ${connections} connections, ${LABELS[target]}: ${c.rps.toFixed(0)} req/s, p99 ${c.p99} ms, ${c.ok} ok, ${c.errors} errors${c.errorKinds ? ` (${c.errorKinds})` : ''}, ${c.cpuMsPerCheck.toFixed(2)} ms CPU per check, peak RSS ${(c.peakRss / 2 ** 20).toFixed(0)} MiB; load ${loadavg()[0].toFixed(2)}`,
      );
    }
    await upstream.stop();
    results[`${delay}/${connections}`] = cells;
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
    const cell = (m: Measured | undefined) =>
      !m
        ? '-'
        : `${m.rps.toFixed(0)} (${m.p99 >= 1000 ? `${(m.p99 / 1000).toFixed(1)} s` : `${m.p99} ms`})${m.errors ? `, ${m.errors} errors` : ''}`;
    const each = (value: (m: Measured) => string) => TARGET_ORDER.map((target) => (cells[target] ? value(cells[target]) : '-')).join(' / ');
    table.push([
      `${delay} ms / ${connections}`,
      cell(cells.proxy),
      cell(cells['proxy-web']),
      cell(cells.nginx),
      cell(cells.pipe),
      `${each((m) => m.cpuMsPerCheck.toFixed(1))} ms`,
      `${each((m) => mib(m.peakRss))} MiB`,
    ]);
  }

  printTable(
    [
      'D / connections',
      'proxy (Node) req/s (p99)',
      'proxy (Web) req/s (p99)',
      'nginx req/s (p99)',
      'Node pipe req/s (p99)',
      'CPU per check: proxy Node / Web / nginx / pipe',
      'peak RSS: proxy Node / Web / nginx / pipe',
    ],
    table,
  );

  // The issue's targets, judged on this run.
  const verdicts: string[][] = [];
  const maxCpu = Math.max(...Object.values(results).map((cells) => cells.proxy?.cpuMsPerCheck ?? NaN));
  verdicts.push(['proxy CPU per check <= 2.5 ms (every row)', `${maxCpu.toFixed(2)} ms at most`, maxCpu <= 2.5 ? 'met' : 'NOT met']);
  const at200 = results['800/200'];
  if (at200?.proxy && at200.pipe) {
    const ratio = at200.proxy.rps / at200.pipe.rps;
    verdicts.push([
      '800 ms / 200: req/s >= 0.9x Node pipe',
      `${ratio.toFixed(2)}x (${at200.proxy.rps.toFixed(0)} vs ${at200.pipe.rps.toFixed(0)})`,
      ratio >= 0.9 ? 'met' : 'NOT met',
    ]);
    verdicts.push(['800 ms / 200: p99 <= 1.5 s', `${at200.proxy.p99} ms`, at200.proxy.p99 <= 1500 ? 'met' : 'NOT met']);
  }
  const at500 = results['800/500'];
  if (at500?.proxy) {
    verdicts.push([
      '800 ms / 500: peak RSS <= 250 MiB',
      `${(at500.proxy.peakRss / 2 ** 20).toFixed(0)} MiB`,
      at500.proxy.peakRss <= 250 * 2 ** 20 ? 'met' : 'NOT met',
    ]);
    verdicts.push(['800 ms / 500: no errors', String(at500.proxy.errors), at500.proxy.errors === 0 ? 'met' : 'NOT met']);
  }
  printTable(['target (proxy, Node fast path)', 'measured', ''], verdicts);
  console.log(
    `\nload average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

// Run, forked as a child, or imported by server-soak.ts (then nothing runs here).
const [mode, ...args] = process.argv.slice(2);
if (mode === '--upstream' || mode === '--target') {
  process.on('disconnect', () => process.exit(0)); // the bench died: don't linger
  process.on('SIGTERM', () => process.exit(0)); // a normal exit, so --cpu-prof can write its profile
}
if (mode === '--servers') await runServers(process.env.BENCH_SECRET!);
else if (mode === '--upstream') await runUpstream(Number(args[0]));
else if (mode === '--target') await runTarget(args[0], args[1], args[2]);
else if (process.argv[1] === fileURLToPath(import.meta.url)) await runBench();
