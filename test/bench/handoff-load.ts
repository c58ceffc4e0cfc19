/**
 * The handoff scenario of `npm run bench:server` (also `node --import tsx test/bench/handoff-load.ts`):
 * N desktop sessions (default 200, BENCH_HANDOFF_SESSIONS) with their event streams open at once,
 * on the memory store and on a real redis-server. A child process serves handoff + proxy (sandbox
 * upstream in process), so its memory is its own: heap and RSS per open session come from the
 * difference with no session open (after gc). Then every phone opens its session and sends its
 * check at once, and we time, from the moment each phone sends its photo, both its own answer (the
 * anchor) and the desktop's `completed` event, and their difference (the result is published before
 * the phone is answered, so it can be negative). Loopback only; bounded in count and time.
 * BENCH_SCENARIO=handoff runs only this from `npm run bench:server`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { mintLivenessToken } from '../../src/server/index.ts';
import { redisStoreFor } from '../../demo/server/demo-app.ts';
import { type LivenessEventStore, createMemoryStore } from '../../src/server/store/store.ts';
import { jpeg, livenessFields, multipart, send } from '../server/helpers.ts';
import { startRedis } from '../support/redis.ts';
import { DESKTOP_ORIGIN as DESKTOP, PHONE_ORIGIN as PHONE, handoffServer } from '../support/handoff-server.ts';
import { EventStream } from '../support/sse.ts';

const SECRET = 'bench-handoff-secret-0123456789abcdef';

/** Child: handoff + proxy on one store. Answers 'mem' with heap and RSS after a full gc. */
async function runServer(kind: 'memory' | 'redis', redisUrl?: string) {
  let store: LivenessEventStore;
  let close = async () => {};
  if (kind === 'redis') ({ store, close } = redisStoreFor(redisUrl!, console.error));
  else store = createMemoryStore();
  const fetch = handoffServer(store, SECRET);
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.send!({ url: `http://127.0.0.1:${info.port}` }));
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (message) => {
    if (message === 'mem') {
      for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
      const { heapUsed, rss } = process.memoryUsage();
      process.send!({ heapUsed, rss });
    } else if (message === 'stop') {
      server.close();
      await close();
      process.exit(0);
    }
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

async function measure(kind: 'memory' | 'redis', sessions: number, redisUrl?: string): Promise<string[]> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--handoff-server', kind, redisUrl ?? ''], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
  });
  const [{ url }] = (await once(child, 'message')) as [{ url: string }];
  const mem = async () => (child.send('mem'), ((await once(child, 'message')) as [{ heapUsed: number; rss: number }])[0]);
  const token = (await mintLivenessToken({ secret: SECRET, origin: DESKTOP, countryCode: 'IND', cardCode: 'MRZ', ttlSeconds: 600 })).token;
  const create = () =>
    send(`${url}/api/handoff`, {
      headers: { Origin: DESKTOP, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: new TextEncoder().encode('{}'),
    });
  // Warm-up: JIT and connections, one whole handoff, before the baseline.
  await create();
  const before = await mem();

  const created = await Promise.all(Array.from({ length: sessions }, async () => (await create()).json() as { id: string; url: string }));
  const streams = await Promise.all(created.map((session) => new EventStream(`${url}/api/handoff/${session.id}/events`).open()));
  await Promise.all(streams.map((stream) => stream.until(() => stream.events.length >= 1, 30_000)));
  const open = await mem();

  const { body, contentType } = await multipart(livenessFields(jpeg(64 * 1024, 3), 'IND', 'MRZ'));
  const phones = await Promise.all(
    created.map(
      async (session) =>
        (
          await send(`${url}/api/handoff/phone/${new URL(session.url).pathname.split('/').pop()}/open`, { headers: { Origin: PHONE } })
        ).json() as { token: string },
    ),
  );
  const timings = await Promise.all(
    phones.map(async (phone, i) => {
      const sent = performance.now();
      const answer = await send(`${url}/api/id-liveness`, {
        headers: { Origin: PHONE, Authorization: `Bearer ${phone.token}`, 'Content-Type': contentType, 'X-Accura-Sandbox-Score': '80' },
        body,
      });
      const answered = performance.now();
      if (answer.status !== 200) throw new Error(`phone check ${answer.status}: ${answer.text}`);
      const stream = streams[i];
      await stream.until(() => stream.events.some((event) => event.data.state === 'completed'), 30_000);
      const event = stream.events.find((item) => item.data.state === 'completed')!;
      return { phone: answered - sent, desktop: event.at - sent };
    }),
  );
  child.send('stop');
  await once(child, 'exit');
  const per = (bytes: number) => `${(bytes / sessions / 1024).toFixed(1)} KiB`;
  const ms = (values: number[], p: number) => `${percentile(values, p).toFixed(1)} ms`;
  const desktop = timings.map((t) => t.desktop);
  const phone = timings.map((t) => t.phone);
  const gap = timings.map((t) => t.desktop - t.phone);
  return [
    kind,
    String(sessions),
    per(open.heapUsed - before.heapUsed),
    per(open.rss - before.rss),
    `${ms(desktop, 50)} / ${ms(desktop, 99)}`,
    `${ms(phone, 50)} / ${ms(phone, 99)}`,
    `${ms(gap, 50)} / ${ms(gap, 99)}`,
  ];
}

/** Both stores, one table, printed by server-load's `printTable` (passed in: a static import would be a cycle with its top-level await). */
export async function runHandoffBench(printTable: (header: string[], rows: string[][]) => void): Promise<void> {
  const sessions = Number(process.env.BENCH_HANDOFF_SESSIONS ?? 200);
  console.log(
    `\nbench:server handoff: ${sessions} sessions with their event streams open at once, then ${sessions} phone checks (64 KB) at once; loopback, sandbox upstream in process`,
  );
  const redis = await startRedis();
  try {
    const rows = [await measure('memory', sessions), await measure('redis', sessions, redis.url)];
    printTable(
      [
        'store',
        'open sessions',
        'heap per open session',
        'RSS per open session',
        "desktop's event, from the phone's send (p50 / p99)",
        "phone's own answer (p50 / p99)",
        "desktop's event minus the phone's answer (p50 / p99)",
      ],
      rows,
    );
  } finally {
    await redis.stop();
  }
}

const [mode, kind, redisUrl] = process.argv.slice(2);
if (mode === '--handoff-server') await runServer(kind as 'memory' | 'redis', redisUrl || undefined);
else if (process.argv[1] === fileURLToPath(import.meta.url)) await runHandoffBench((await import('./server-load.ts')).printTable);
