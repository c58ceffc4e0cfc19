/**
 * The server half on every runtime the docs name (docs/server-runtimes.md): the packed tarball in a
 * fresh app per runtime, the docs' snippet as written, a local Accura-compatible upstream, and one
 * contract suite, as a Node fetch client and curl see it. The runtimes run one after another (2 cores).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { mintLivenessToken } from '../../src/server/auth/tokens.ts';
import { createSandbox } from '../../src/server/sandbox.ts';
import { jpeg, livenessFields, multipart } from '../server/helpers.ts';
import { packTarball, removeTarball } from '../support/bundlers.ts';
import {
  type FakeUpstream,
  type RunningApp,
  RUNTIMES,
  type RuntimeName,
  installRuntime,
  startRuntime,
  startUpstream,
} from '../support/runtimes.ts';

const ORIGIN = 'https://shop.example';
const env = {
  ACCURA_API_KEY: 'runtime-test-key',
  LIVENESS_TOKEN_SECRET: 'runtime-test-secret-0123456789abcdef0123456789',
  PUBLIC_ORIGIN: ORIGIN,
  ACCURA_API_URL: '', // set once the upstream listens
};
const only = process.env.RUNTIMES?.split(',') as RuntimeName[] | undefined;
const runtimes = RUNTIMES.filter((runtime) => !only || only.includes(runtime));

/**
 * Runtimes whose early refusals may still reach a sending client as a broken pipe: none since issue 26a's
 * read-and-discard (before it, Node's curl and Bun's fetch and curl saw them here). A runtime listed here
 * runs the case as `todo`.
 */
const EARLY_REFUSAL_PENDING = new Set<RuntimeName>([]);
// A body already over the limit is not read away (that would let anyone make the proxy read without end), so a
// client still sending a 2 MB body may see its 413 or a reset (seen on Node and Bun in the lead's full runs).
// The 401 and 403 early refusals, sent before a body within the limit is read, must reach every client.
const OVERSIZED_MAY_RESET = true;

let upstream: FakeUpstream;
let tarball: string;
const scratch = mkdtempSync(join(tmpdir(), 'accura-runtimes-bodies-'));
const installSeconds: Record<string, number> = {};

before(async () => {
  upstream = await startUpstream(env.ACCURA_API_KEY);
  env.ACCURA_API_URL = upstream.url;
  const packed = packTarball();
  tarball = packed.path;
  let cold = false;
  for (const name of new Set(runtimes.map((runtime) => (runtime === 'next-edge' ? 'next' : runtime)))) {
    const installed = installRuntime(name, tarball);
    installSeconds[name] = installed.seconds;
    cold ||= installed.fresh;
  }
  const total = Object.values(installSeconds).reduce((sum, seconds) => sum + seconds, 0);
  console.log(`[runtimes] installs: ${total.toFixed(1)} s${cold ? ' (a cold run: lockfile installs included)' : ''}`);
});

after(async () => {
  await upstream?.stop();
  rmSync(scratch, { recursive: true, force: true });
  if (tarball) removeTarball(tarball);
});

interface Answer {
  status: number;
  code?: string;
  json?: any;
  /** Set when the client saw no answer at all (a write error). */
  error?: string;
}

/** POSTs with Node's fetch; a transport failure becomes `error`, not a throw. */
async function post(url: string, headers: Record<string, string>, body?: Uint8Array<ArrayBuffer>): Promise<Answer> {
  try {
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(60_000) });
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, code: json?.code, json };
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    return { status: 0, error: `${(error as Error).message}${cause ? `: ${cause}` : ''}` };
  }
}

/** POSTs the same body with curl, as a user's shell script would (curl's own defaults, Expect: 100-continue included). */
function curl(url: string, headers: Record<string, string>, body: Uint8Array): Answer {
  const file = join(scratch, `body-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, body);
  const args = ['-sS', '-o', '-', '-w', '\n%{http_code}', '-X', 'POST', '--data-binary', `@${file}`, '--max-time', '60'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  const result = spawnSync('curl', [...args, url], { encoding: 'utf8' });
  rmSync(file, { force: true });
  const lines = result.stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  let json: any;
  try {
    json = JSON.parse(lines.join('\n'));
  } catch {
    json = undefined;
  }
  if (result.status !== 0) return { status, code: json?.code, error: `curl exited ${result.status}: ${result.stderr.trim()}` };
  return { status, code: json?.code, json };
}

/** A header and payload signed with `alg: none` (no signature), claiming everything a good token claims. */
function unsignedToken(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ origin: ORIGIN, aud: 'accura-id-liveness', jti: crypto.randomUUID(), iat: now, exp: now + 300 })}.`;
}

/** Index of `needle` in `haystack`, or -1. */
const indexOfBytes = (haystack: Buffer, needle: Uint8Array) =>
  haystack.indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength));

for (const runtime of runtimes) {
  describe(`${runtime}: the docs' snippet in a fresh app`, { concurrency: false }, () => {
    let app: RunningApp;
    const route = () => `${app.url}/api/id-liveness`;
    const token = async (): Promise<string> => {
      const answer = await post(`${app.url}/api/liveness-token`, { Origin: ORIGIN });
      assert.equal(answer.status, 200, `the token route answered ${answer.status} ${JSON.stringify(answer.json)}`);
      return answer.json.token;
    };
    const form = (fields = livenessFields()) => multipart(fields);
    const auth = (bearer: string, origin = ORIGIN, contentType?: string) => ({
      Authorization: `Bearer ${bearer}`,
      Origin: origin,
      ...(contentType ? { 'Content-Type': contentType } : {}),
    });
    /** Runs `action` and says how many upstream calls it caused. */
    const upstreamCalls = async <T>(action: () => Promise<T> | T): Promise<[T, number]> => {
      const before = upstream.calls.length;
      const result = await action();
      return [result, upstream.calls.length - before];
    };

    before(async () => {
      const started = performance.now();
      app = await startRuntime(runtime, env);
      console.log(
        `[runtimes] ${runtime}: checked and built in ${app.buildSeconds.toFixed(1)} s, answering after ${((performance.now() - started) / 1000).toFixed(1)} s at ${app.url}`,
      );
    });
    after(async () => {
      await app?.stop();
    });

    test('a good check reaches the upstream with the key and the image byte for byte, and its answer comes back unchanged', async () => {
      const image = jpeg(64 * 1024, 7);
      const { body, contentType } = await form(livenessFields(image));
      const [answer, calls] = await upstreamCalls(async () => post(route(), auth(await token(), ORIGIN, contentType), body));
      assert.equal(answer.status, 200, JSON.stringify(answer));
      assert.equal(calls, 1);
      const call = upstream.calls.at(-1)!;
      assert.equal(call.apiKey, env.ACCURA_API_KEY);
      assert.ok(indexOfBytes(call.body, image) >= 0, 'the image reached the upstream byte for byte');
      // The sandbox's score is a function of the image bytes: the answer is the one it gave for these bytes.
      const direct = await createSandbox().fetch(
        new Request('http://sandbox.invalid/v2/api/id-liveness', {
          method: 'POST',
          headers: { 'Api-Key': 'k', 'Content-Type': contentType },
          body,
        }),
      );
      const expected = await direct.json();
      assert.equal(answer.json.sandbox, true);
      assert.equal(answer.json.data.score, expected.data.score);
    });

    test('the same token again, once answered, is refused as used', async () => {
      const bearer = await token();
      const { body, contentType } = await form();
      assert.equal((await post(route(), auth(bearer, ORIGIN, contentType), body)).status, 200);
      const [replay, calls] = await upstreamCalls(() => post(route(), auth(bearer, ORIGIN, contentType), body));
      assert.deepEqual([replay.status, replay.code, calls], [401, 'token-used', 0]);
    });

    if (runtime === 'workers') {
      test('a token answered in one isolate is refused in another (the Durable Object store)', async () => {
        const bearer = await token();
        const { body, contentType } = await form();
        assert.equal((await post(route(), auth(bearer, ORIGIN, contentType), body)).status, 200);
        const [replay, calls] = await upstreamCalls(() =>
          post(`${app.otherIsolate}/api/id-liveness`, auth(bearer, ORIGIN, contentType), body),
        );
        assert.deepEqual([replay.status, replay.code, calls], [401, 'token-used', 0]);
        // The other isolate's proxy works: a fresh token is accepted there.
        const fresh = await post(`${app.otherIsolate}/api/id-liveness`, auth(await token(), ORIGIN, contentType), body);
        assert.equal(fresh.status, 200);
      });
    }

    if (runtime === 'workers') {
      test('a proxy made at module scope without secrets lets the worker start, and its first request names the missing key', async () => {
        const answer = await post(`${app.moduleScope}/api/id-liveness`, { Origin: ORIGIN }, jpeg());
        assert.equal(answer.status, 500);
        const deadline = Date.now() + 30_000;
        while (!app.output().includes('apiKey is required (is ACCURA_API_KEY set?)') && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 100));
        assert.match(app.output(), /apiKey is required \(is ACCURA_API_KEY set\?\)/);
      });
    }

    test('a forged token and an alg:none token are refused, with no upstream call', async () => {
      const { body, contentType } = await form();
      const forged = (await mintLivenessToken({ secret: 'another-secret-0123456789abcdef0123', origin: ORIGIN })).token;
      const [answers, calls] = await upstreamCalls(async () => [
        await post(route(), auth(forged, ORIGIN, contentType), body),
        await post(route(), auth(unsignedToken(), ORIGIN, contentType), body),
      ]);
      assert.deepEqual(
        answers.map((answer) => [answer.status, answer.code]),
        [
          [401, 'unauthorized'],
          [401, 'unauthorized'],
        ],
      );
      assert.equal(calls, 0);
    });

    test("another page's Origin is refused, at the proxy and at the token route", async () => {
      const { body, contentType } = await form();
      const [answer, calls] = await upstreamCalls(async () =>
        post(route(), auth(await token(), 'https://evil.example', contentType), body),
      );
      assert.deepEqual([answer.status, answer.code, calls], [403, 'token-binding', 0]);
      assert.equal((await post(`${app.url}/api/liveness-token`, { Origin: 'https://evil.example' })).status, 403);
    });

    test('an SVG named card.jpg is 415, a missing field 400, neither reaching the upstream', async () => {
      const svg = await form({
        liveness_image: new File(['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'], 'card.jpg', {
          type: 'image/jpeg',
        }),
        country_code: 'IND',
        card_code: 'MRZ',
      });
      const missing = await form({ liveness_image: new File([jpeg()], 'card.jpg', { type: 'image/jpeg' }), card_code: 'MRZ' });
      const [answers, calls] = await upstreamCalls(async () => [
        await post(route(), auth(await token(), ORIGIN, svg.contentType), svg.body),
        await post(route(), auth(await token(), ORIGIN, missing.contentType), missing.body),
      ]);
      assert.deepEqual(
        answers.map((answer) => [answer.status, answer.code]),
        [
          [415, 'unsupported-media-type'],
          [400, 'missing-field'],
        ],
      );
      assert.equal(calls, 0);
    });

    // Refusals the proxy sends before reading the body, while the client is still sending it: every
    // client must read the status, not a broken pipe. A 413 is always one (the body is over the limit
    // while it still comes). The proxy answers them with `Connection: close`, and a server that then
    // closes the socket before the body is in gives the client `write EPIPE` or curl's `(55) Send
    // failure: Broken pipe`. Issue 26a's proxy reads and discards the rest first; on EARLY_REFUSAL_PENDING
    // these cases are `todo` (they run and print, but don't fail npm test).
    test(
      'early refusals with a 900 KB body still being sent reach Node fetch and curl',
      { todo: EARLY_REFUSAL_PENDING.has(runtime) && 'until issue-26a (read and discard) is merged' },
      async () => {
        const image = jpeg(900_000, 3);
        const { body, contentType } = await form(livenessFields(image));
        const huge = await form(livenessFields(jpeg(2_000_000)));
        const forged = (await mintLivenessToken({ secret: 'another-secret-0123456789abcdef0123', origin: ORIGIN })).token;
        const cases: [string, () => Promise<[Record<string, string>, Uint8Array<ArrayBuffer>]>, number][] = [
          ['no token', async () => [{ Origin: ORIGIN, 'Content-Type': contentType }, body], 401],
          ['forged token', async () => [auth(forged, ORIGIN, contentType), body], 401],
          ['another Origin', async () => [auth(await token(), 'https://evil.example', contentType), body], 403],
          ['2 MB body', async () => [auth(await token(), ORIGIN, huge.contentType), huge.body], 413],
        ];
        const seen: string[] = [];
        const [, calls] = await upstreamCalls(async () => {
          for (const [name, make, status] of cases) {
            const [headers, payload] = await make();
            const byFetch = await post(route(), headers, payload);
            const [headers2, payload2] = await make();
            const byCurl = curl(route(), headers2, payload2);
            for (const [client, answer] of [
              ['fetch', byFetch],
              ['curl', byCurl],
            ] as const) {
              if (status === 413 && answer.error && OVERSIZED_MAY_RESET) continue;
              if (answer.status !== status || answer.error)
                seen.push(`${name} by ${client}: ${answer.status} ${answer.error ?? answer.code ?? ''}`.trim());
            }
          }
        });
        assert.deepEqual(seen, [], `expected each refusal's status:\n${seen.join('\n')}`);
        assert.equal(calls, 0);
      },
    );
  });
}
