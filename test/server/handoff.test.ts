/**
 * Cross-device handoff's server half, over real HTTP: the session routes, the phone's check through
 * the proxy, the desktop's event stream, and every refusal. In memory, then on a real redis-server
 * with two `npm run serve` instances, one of them killed and restarted mid-session.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { serve } from '@hono/node-server';
import type { HandoffOptions } from '../../src/server/handoff/handoff.ts';
import { mintLivenessToken } from '../../src/server/index.ts';
import { createMemoryStore } from '../../src/server/store/store.ts';
import { type RunningRedis, startRedis } from '../support/redis.ts';
import { DESKTOP_ORIGIN as DESKTOP, PHONE_ORIGIN as PHONE, handoffServer } from '../support/handoff-server.ts';
import { EventStream } from '../support/sse.ts';
import { type Reply, jpeg, livenessFields, multipart, send } from './helpers.ts';

const SECRET = 'handoff-test-secret-0123456789abcdef';

interface Instance {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** One server, as createDemoApp wires it, on 127.0.0.1. */
function startInstance(options: Partial<HandoffOptions> = {}): Promise<Instance> {
  const fetch = handoffServer(options.store ?? createMemoryStore(), SECRET, options);
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        port: info.port,
        close: () => new Promise((done) => (server.close(() => done()), (server as http.Server).closeAllConnections())),
      }),
    );
  });
}

async function desktopToken(origin = DESKTOP, extra: { subject?: string } = {}): Promise<string> {
  return (await mintLivenessToken({ secret: SECRET, origin, countryCode: 'IND', cardCode: 'MRZ', ...extra })).token;
}

async function createSession(url: string, origin = DESKTOP, token?: string): Promise<Reply> {
  return send(`${url}/api/handoff`, {
    headers: { Origin: origin, Authorization: `Bearer ${token ?? (await desktopToken(origin))}`, 'Content-Type': 'application/json' },
    body: new TextEncoder().encode('{}'),
  });
}

const secretOf = (link: string) => new URL(link).pathname.split('/').pop()!;

function openPhone(url: string, link: string, origin = PHONE): Promise<Reply> {
  return send(`${url}/api/handoff/phone/${secretOf(link)}/open`, { headers: { Origin: origin } });
}

function reportState(url: string, token: string, state: string, error?: string): Promise<Reply> {
  return send(`${url}/api/handoff/phone/state`, {
    headers: { Origin: PHONE, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: new TextEncoder().encode(JSON.stringify(error === undefined ? { state } : { state, error })),
  });
}

async function phoneCheck(url: string, token: string, score = '87'): Promise<Reply> {
  const { body, contentType } = await multipart(livenessFields(jpeg(4096, 7), 'IND', 'MRZ'));
  return send(`${url}/api/id-liveness`, {
    headers: { Origin: PHONE, Authorization: `Bearer ${token}`, 'Content-Type': contentType, 'X-Accura-Sandbox-Score': score },
    body,
  });
}

describe('handoff on the memory store', () => {
  let server: Instance;
  before(async () => {
    server = await startInstance();
  });
  after(() => server.close());

  test('a phone completes the check and only the desktop that created the session gets the verdict, once', async () => {
    const created = await createSession(server.url);
    assert.equal(created.status, 201, created.text);
    const session = created.json();
    assert.match(session.id, /^[A-Za-z0-9_-]{22}$/, '128 random bits');
    assert.match(secretOf(session.url), /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(secretOf(session.url), session.id, 'the phone link is not the desktop handle');
    assert.ok(session.url.startsWith(`${PHONE}/m/`));
    assert.match(session.code, /^[A-HJ-NP-Z2-9]{6}$/);

    const desktop = await new EventStream(`${server.url}/api/handoff/${session.id}/events`).open();
    assert.equal(desktop.status, 200);
    await desktop.until(() => desktop.states.includes('created'));

    const page = await send(`${server.url}/m/${secretOf(session.url)}`, { method: 'GET' });
    assert.equal(page.status, 200);
    assert.match(page.text, /handoff-session=/);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.doesNotMatch(page.headers['content-security-policy'] as string, /unsafe/);

    const opened = await openPhone(server.url, session.url);
    assert.equal(opened.status, 200, opened.text);
    const phone = opened.json();
    assert.equal(phone.code, session.code, 'both screens show one code');
    assert.equal((await reportState(server.url, phone.token, 'captured')).status, 200);
    assert.equal((await reportState(server.url, phone.token, 'checking')).status, 200);
    const check = await phoneCheck(server.url, phone.token, '87');
    assert.equal(check.status, 200, check.text);

    await desktop.until(() => desktop.ended);
    assert.deepEqual(desktop.states, ['created', 'opened', 'captured', 'checking', 'completed']);
    const completed = desktop.events.at(-1)!.data;
    assert.equal(completed.result?.score, 87);
    assert.equal(completed.result?.verdict, 'live');
    assert.equal(completed.result?.sandbox, true);
    assert.deepEqual(Object.keys(completed.result!).sort(), ['cardCode', 'countryCode', 'image', 'sandbox', 'score', 'verdict']);
    assert.deepEqual(Object.keys(completed.result!.image).sort(), ['bytes', 'height', 'type', 'width'], 'the image size, never the image');
    assert.equal(completed.result!.image.bytes, 4096);

    // Only once: the session is gone, a reconnect is refused, the link is dead.
    const again = await new EventStream(`${server.url}/api/handoff/${session.id}/events`).open(1);
    await again.until(() => again.ended);
    assert.equal(again.status, 410);
    const replay = await openPhone(server.url, session.url);
    assert.equal(replay.status, 410);
    assert.equal(replay.json().code, 'handoff-closed');
  });

  test('a second phone is refused, and a forged or malformed secret is not found', async () => {
    const session = (await createSession(server.url)).json();
    assert.equal((await openPhone(server.url, session.url)).status, 200);
    const second = await openPhone(server.url, session.url);
    assert.equal(second.status, 409);
    assert.equal(second.json().code, 'handoff-taken');
    assert.match(second.json().message, /Another phone/);

    const forged = await openPhone(server.url, `${PHONE}/m/${'A'.repeat(22)}`);
    assert.equal(forged.status, 404);
    assert.equal(forged.json().code, 'handoff-not-found');
    assert.equal((await openPhone(server.url, `${PHONE}/m/short`)).status, 404);
    // The desktop handle is not a phone link.
    assert.equal((await openPhone(server.url, `${PHONE}/m/${session.id}`)).status, 404);
  });

  test('a cancelled session refuses the phone and tells the desktop', async () => {
    const session = (await createSession(server.url)).json();
    const desktop = await new EventStream(`${server.url}/api/handoff/${session.id}/events`).open();
    const foreign = await send(`${server.url}/api/handoff/${session.id}/cancel`, { headers: { Origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403, 'another origin may not cancel it');
    const cancelled = await send(`${server.url}/api/handoff/${session.id}/cancel`, { headers: { Origin: DESKTOP } });
    assert.equal(cancelled.status, 200, cancelled.text);
    await desktop.until(() => desktop.ended);
    assert.deepEqual(desktop.states, ['created', 'cancelled']);
    const phone = await openPhone(server.url, session.url);
    assert.equal(phone.status, 410);
    assert.equal(phone.json().code, 'handoff-closed');
  });

  test('a session of another origin: the token must match the Origin, and the stream refuses a foreign page', async () => {
    const mismatched = await createSession(server.url, 'https://evil.example', await desktopToken(DESKTOP));
    assert.equal(mismatched.status, 403);
    assert.equal(mismatched.json().code, 'token-binding');
    const unlisted = await createSession(server.url, 'https://evil.example');
    assert.equal(unlisted.status, 403);
    assert.equal(unlisted.json().code, 'forbidden-origin');
    assert.equal((await send(`${server.url}/api/handoff`, { headers: { Origin: DESKTOP } })).status, 401);

    const session = (await createSession(server.url)).json();
    const foreign = await new EventStream(`${server.url}/api/handoff/${session.id}/events`, { Origin: 'https://evil.example' }).open();
    await foreign.until(() => foreign.ended);
    assert.equal(foreign.status, 403);
    // A phone page on another origin gets no token; nor can a phone token start a session.
    assert.equal((await openPhone(server.url, session.url, 'https://evil.example')).status, 403);
    const phone = (await openPhone(server.url, session.url)).json();
    assert.equal((await createSession(server.url, PHONE, phone.token)).status, 403);
  });

  test('an SSE client that disconnects and reconnects gets what it missed, from Last-Event-ID', async () => {
    const session = (await createSession(server.url)).json();
    const first = await new EventStream(`${server.url}/api/handoff/${session.id}/events`).open();
    await first.until(() => first.states.includes('created'));
    first.disconnect();
    const phone = (await openPhone(server.url, session.url)).json();
    await reportState(server.url, phone.token, 'captured');
    const resumed = await new EventStream(`${server.url}/api/handoff/${session.id}/events`).open(first.lastId);
    await resumed.until(() => resumed.states.length === 2);
    assert.deepEqual(resumed.states, ['opened', 'captured'], 'no repeat of what it had, nothing lost');
    assert.deepEqual(
      resumed.events.map((event) => event.id),
      [2, 3],
    );
    await phoneCheck(server.url, phone.token);
    await resumed.until(() => resumed.ended);
    assert.equal(resumed.states.at(-1), 'completed');
  });

  test('a phone state needs the session-bound token and one of the phone states', async () => {
    const session = (await createSession(server.url)).json();
    const phone = (await openPhone(server.url, session.url)).json();
    assert.equal((await reportState(server.url, await desktopToken(PHONE), 'captured')).status, 401, 'a token of no session');
    assert.equal((await reportState(server.url, phone.token, 'completed')).status, 400, 'the phone cannot claim a result');
  });

  test('a check that failed on the phone before it was sent sends the desktop back to waiting, and a new photo still completes', async () => {
    const session = (await createSession(server.url)).json();
    const desktop = await new EventStream(`${server.url}/api/handoff/${session.id}/events`).open();
    const phone = (await openPhone(server.url, session.url)).json();
    assert.equal((await reportState(server.url, phone.token, 'captured')).status, 200);
    assert.equal((await reportState(server.url, phone.token, 'checking')).status, 200);
    // The pipeline refused the photo (image-too-small): no request reached the proxy.
    assert.equal((await reportState(server.url, phone.token, 'opened', 'image-too-small')).status, 200);
    await desktop.until(() => desktop.states.length === 5);
    assert.deepEqual(desktop.states, ['created', 'opened', 'captured', 'checking', 'opened']);
    assert.equal(desktop.events.at(-1)!.data.error?.code, 'image-too-small');
    // Only a code passes, never the phone's own text.
    assert.equal((await reportState(server.url, phone.token, 'opened', '<b>pay here</b>')).status, 200);
    await desktop.until(() => desktop.states.length === 6);
    assert.equal(desktop.events.at(-1)!.data.error, undefined);
    assert.equal((await reportState(server.url, phone.token, 'captured')).status, 200);
    assert.equal((await phoneCheck(server.url, phone.token, '87')).status, 200);
    await desktop.until(() => desktop.ended);
    assert.equal(desktop.states.at(-1), 'completed');
  });

  test('a check Accura refuses (400, no score) fails the session, with the reason', async () => {
    const session = (await createSession(server.url)).json();
    const desktop = await new EventStream(`${server.url}/api/handoff/${session.id}/events`).open();
    const phone = (await openPhone(server.url, session.url)).json();
    // The sandbox answers an Accura-like 400 to a score it can't use.
    const answer = await phoneCheck(server.url, phone.token, 'not-a-score');
    assert.equal(answer.status, 400, answer.text);
    await desktop.until(() => desktop.ended);
    assert.deepEqual(desktop.states, ['created', 'opened', 'failed']);
    assert.equal(desktop.events.at(-1)!.data.error?.code, 'http');
  });
});

describe('handoff expiry and rate limits', () => {
  test('sessions expire: the desktop hears it and the phone is refused', async () => {
    const server = await startInstance({ ttlSeconds: 1 });
    try {
      const session = (await createSession(server.url)).json();
      const desktop = await new EventStream(`${server.url}/api/handoff/${session.id}/events`).open();
      await desktop.until(() => desktop.ended, 4_000);
      assert.deepEqual(desktop.states, ['created', 'expired']);
      assert.ok(session.expiresAt <= Date.now());
      const phone = await openPhone(server.url, session.url);
      assert.equal(phone.status, 410);
      assert.equal(phone.json().code, 'handoff-expired');
    } finally {
      await server.close();
    }
  });

  test('session creation is rate-limited per subject', async () => {
    const server = await startInstance({ rateLimit: { subject: { perMinute: 2 } } });
    try {
      const token = await desktopToken(DESKTOP, { subject: 'user-1' });
      assert.equal((await createSession(server.url, DESKTOP, token)).status, 201);
      assert.equal((await createSession(server.url, DESKTOP, token)).status, 201);
      const third = await createSession(server.url, DESKTOP, token);
      assert.equal(third.status, 429);
      assert.equal(third.json().code, 'quota-exceeded');
      assert.ok(Number(third.headers['retry-after']) >= 1);
      assert.equal(
        (await createSession(server.url, DESKTOP, await desktopToken(DESKTOP, { subject: 'user-2' }))).status,
        201,
        'another user is not affected',
      );
    } finally {
      await server.close();
    }
  });
});

/** `npm run serve` on a port (0: any), sharing Redis; resolves with its URL once it listens. */
async function startServe(redisUrl: string, port = 0): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('../../scripts/serve.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), script], {
    cwd: mkdtempSync(join(tmpdir(), 'handoff-serve-')),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ACCURA_API_KEY: '',
      REDIS_URL: redisUrl,
      LIVENESS_TOKEN_SECRET: SECRET,
      ALLOWED_ORIGINS: `${DESKTOP},${PHONE}`,
      PUBLIC_URL: PHONE,
      LOG_CHECKS: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (part) => (output += part));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (part) => {
      output += part;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(output)));
  });
  return { url, child };
}

describe('handoff across two instances sharing a real Redis', () => {
  let redis: RunningRedis;
  const children: ChildProcess[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await redis?.stop();
  });

  test('the desktop listens on A, the phone checks through B; A killed and restarted mid-session loses nothing', async () => {
    const a = await startServe(redis.url);
    children.push(a.child);
    const b = await startServe(redis.url);
    children.push(b.child);
    const port = Number(new URL(a.url).port);

    const session = (await createSession(a.url)).json();
    assert.ok(session.id, 'created on A');
    let desktop = await new EventStream(`${a.url}/api/handoff/${session.id}/events`).open();
    await desktop.until(() => desktop.states.includes('created'));

    const phone = (await openPhone(b.url, session.url)).json();
    assert.equal(phone.code, session.code, 'B knows the session A created');
    await desktop.until(() => desktop.states.includes('opened'));
    const seen = desktop.lastId;

    // A dies; the phone goes on through B meanwhile.
    a.child.kill('SIGKILL');
    await once(a.child, 'exit');
    await desktop.until(() => desktop.ended);
    assert.equal((await reportState(b.url, phone.token, 'captured')).status, 200);
    assert.equal((await openPhone(b.url, session.url)).status, 409, 'still one phone, whichever instance asks');

    const restarted = await startServe(redis.url, port);
    children.push(restarted.child);
    desktop = await new EventStream(`${restarted.url}/api/handoff/${session.id}/events`).open(seen);
    await desktop.until(() => desktop.states.includes('captured'));
    assert.deepEqual(desktop.states, ['captured'], 'the missed event, from Last-Event-ID');

    const check = await phoneCheck(b.url, phone.token, '31');
    assert.equal(check.status, 200, check.text);
    await desktop.until(() => desktop.ended);
    const completed = desktop.events.at(-1)!.data;
    assert.equal(completed.state, 'completed');
    assert.equal(completed.result?.score, 31);
    assert.equal(completed.result?.verdict, 'spoof');

    for (const { child } of [restarted, b]) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
