/**
 * The whole demo backend as one Hono app, used by the Vite dev/preview plugin and by
 * `npm run serve`. Node only (reads .env); not part of the public `server` export.
 */
import process from 'node:process';
import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import * as z from 'zod';
import { normalizeCardCode, normalizeCountryCode } from '../../src/server/proxy/liveness-form.ts';
import { createHandoff } from '../../src/server/handoff/handoff.ts';
import { fail, limitBody, noStore } from '../../src/server/http.ts';
import { corsFor, isLoopbackOrigin, isSameOrigin } from '../../src/server/auth/origins.ts';
import type { QuotaLimit, QuotaRules } from '../../src/server/auth/guards.ts';
import { createLivenessMetrics } from '../../src/server/metrics.ts';
import { type NodeHandler, createNodeLivenessProxy } from '../../src/server/node.ts';
import { DEFAULT_UPSTREAM_URL } from '../../src/server/proxy/proxy.ts';
import { createSandbox } from '../../src/server/sandbox.ts';
import { type LivenessEventStore, createMemoryStore, createRedisStore } from '../../src/server/store/store.ts';
import { mintLivenessToken } from '../../src/server/auth/tokens.ts';

export type DemoEnv = Record<string, string | undefined>;

export interface DemoAppOptions {
  /** Default: `process.env` after loading `./.env` (the environment wins over the file). */
  env?: DemoEnv;
  /** Also allow http://localhost:* and http://127.0.0.1:* origins (the dev servers). */
  dev?: boolean;
  /** Where the one startup line goes. Default `console.info`. */
  log?: (line: string) => void;
  /** The widget script the handoff phone page loads. Default the classic build at `/accura-id-liveness.min.js`. */
  phoneScript?: { src: string; module?: boolean };
}

export interface DemoApp {
  mode: 'sandbox' | 'live';
  /** `env`: the Node server's bindings (@hono/node-server), so routes know the client's address. */
  fetch(request: Request, env?: unknown): Promise<Response>;
  /** The proxy route's Node fast path (`POST /api/id-liveness`), for node:http servers. */
  proxyNode: NodeHandler;
  /** Closes the store's Redis connection, if any. */
  close(): Promise<void>;
}

/** The paths the demo backend answers; everything else is the static demo page. */
export function isDemoApiPath(pathname: string): boolean {
  return (
    pathname === '/healthz' ||
    pathname === '/metrics' ||
    pathname.startsWith('/api/') ||
    pathname.startsWith('/sandbox/') ||
    pathname.startsWith('/m/')
  );
}

function loadEnv(): DemoEnv {
  try {
    process.loadEnvFile();
  } catch {
    // no .env file: the environment alone
  }
  return process.env;
}

/** An optional code from the token request: undefined when absent or empty, null when invalid. */
function optionalCode(value: unknown, normalize: (value: string) => string | undefined): string | undefined | null {
  if (value === undefined || value === null || value === '') return undefined;
  return (typeof value === 'string' && normalize(value)) || null;
}

// The environment `serve` and the dev server read, validated in one place: an empty value counts as unset,
// and a bad one stops the server with the variable's name rather than running with a guess.
const unset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const text = z.preprocess(unset, z.string().trim().optional());
const count = z.preprocess(
  unset,
  z
    .string()
    .trim()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number')
    .transform(Number)
    .optional(),
);
const onOff = (fallback: boolean) =>
  z
    .preprocess(unset, z.string().trim().toLowerCase().optional())
    .transform((value) => (value === undefined ? fallback : !['off', '0', 'false', 'no'].includes(value)));
const quotaFields = Object.fromEntries(
  ['SUBJECT', 'IP', 'ORIGIN'].flatMap((scope) => [`QUOTA_${scope}_PER_MINUTE`, `QUOTA_${scope}_PER_DAY`].map((name) => [name, count])),
);
const demoEnvSchema = z.object({
  ACCURA_API_KEY: text,
  ACCURA_API_URL: z.preprocess(unset, z.url().optional()),
  LIVENESS_TOKEN_SECRET: z.preprocess(unset, z.string().optional()),
  ALLOWED_ORIGINS: text.transform((value) =>
    (value ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  ),
  REDIS_URL: z.preprocess(unset, z.url().optional()),
  PUBLIC_URL: z.preprocess(unset, z.url().optional()),
  HANDOFF_TTL_SECONDS: count,
  METRICS_TOKEN: text,
  CLIENT_IP_HEADER: text,
  ONE_TIME_TOKENS: onOff(true),
  LOG_CHECKS: onOff(true),
  LOG_IP: onOff(false),
  ...quotaFields,
});

/** The demo backend's settings from the environment; throws a TypeError naming each bad variable. */
export function readDemoEnv(env: DemoEnv) {
  const parsed = demoEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new TypeError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; '));
  }
  return parsed.data as typeof parsed.data & Record<string, number | undefined>;
}

/** QUOTA_<SUBJECT|IP|ORIGIN>_PER_<MINUTE|DAY>. */
function quotasFrom(settings: Record<string, unknown>): QuotaRules {
  const rules: QuotaRules = {};
  for (const scope of ['subject', 'ip', 'origin'] as const) {
    const limit: QuotaLimit = {
      perMinute: settings[`QUOTA_${scope.toUpperCase()}_PER_MINUTE`] as number | undefined,
      perDay: settings[`QUOTA_${scope.toUpperCase()}_PER_DAY`] as number | undefined,
    };
    if (limit.perMinute !== undefined || limit.perDay !== undefined) rules[scope] = limit;
  }
  return rules;
}

/** A Redis store whose client connects in the background; commands wait for the connection. */
export function redisStoreFor(url: string, log: (line: string) => void): { store: LivenessEventStore; close(): Promise<void> } {
  const connecting = import('redis').then(async ({ createClient }) => {
    const client = createClient({ url });
    let reported = false;
    client.on('error', (error: Error) => reported || ((reported = true), log(`[accura-id-liveness] Redis error: ${error.message}`)));
    await client.connect();
    // Handoff's events: a subscribed connection takes no other commands, so it gets its own.
    const subscriber = client.duplicate();
    subscriber.on('error', () => undefined); // reported once, by the main client
    await subscriber.connect();
    return { client, subscriber };
  });
  connecting.catch(() => {}); // reported by the commands that wait for it
  const store = createRedisStore(
    { sendCommand: async (args) => (await connecting).client.sendCommand(args) },
    {
      subscriber: {
        subscribe: async (channel, listener) => (await connecting).subscriber.subscribe(channel, listener),
        unsubscribe: async (channel, listener) => (await connecting).subscriber.unsubscribe(channel, listener),
      },
    },
  );
  return {
    store,
    close: async () =>
      void (await connecting.then(
        ({ client, subscriber }) => Promise.all([client.close(), subscriber.close()]),
        () => {},
      )),
  };
}

/**
 * The demo backend: token route, proxy (live with ACCURA_API_KEY, else the in-process sandbox),
 * demo config, sandbox and health check. Prints one line saying which mode it runs in.
 */
export function createDemoApp(options: DemoAppOptions = {}): DemoApp {
  const { env = loadEnv(), dev = false, log = console.info } = options;
  const settings = readDemoEnv(env);
  const apiKey = settings.ACCURA_API_KEY;
  const mode = apiKey ? 'live' : 'sandbox';
  const upstreamUrl = settings.ACCURA_API_URL ?? DEFAULT_UPSTREAM_URL;
  const tokenSecret = settings.LIVENESS_TOKEN_SECRET ?? crypto.getRandomValues(new Uint8Array(32));
  const listed = new Set(settings.ALLOWED_ORIGINS);
  const isAllowed = (origin: string, request: Request) =>
    origin !== '' && (listed.has(origin) || isSameOrigin(origin, request) || (dev && isLoopbackOrigin(origin)));

  const sandbox = createSandbox();
  const redisUrl = settings.REDIS_URL;
  const shared = redisUrl ? redisStoreFor(redisUrl, log) : { store: createMemoryStore(), close: async () => {} };
  const handoff = createHandoff({
    store: shared.store,
    tokenSecret,
    // PUBLIC_URL: where phones reach this server (a LAN address or tunnel); else the desktop's own origin.
    publicUrl: settings.PUBLIC_URL ?? ((request) => new URL(request.url).origin),
    allowedOrigins: isAllowed,
    phoneOrigins: isAllowed,
    clientIpHeader: settings.CLIENT_IP_HEADER,
    ttlSeconds: settings.HANDOFF_TTL_SECONDS,
    phoneScript: options.phoneScript,
  });
  const metrics = createLivenessMetrics({ token: settings.METRICS_TOKEN });
  const proxy = createNodeLivenessProxy({
    tokenSecret,
    allowedOrigins: isAllowed,
    store: shared.store,
    oneTimeTokens: settings.ONE_TIME_TOKENS ? {} : false,
    quotas: quotasFrom(settings),
    clientIpHeader: settings.CLIENT_IP_HEADER,
    log: settings.LOG_CHECKS ? (line) => console.log(line) : undefined,
    logIp: settings.LOG_IP,
    observer: metrics,
    onAnswer: handoff.onAnswer,
    ...(apiKey
      ? { apiKey, upstreamUrl }
      : {
          // No network hop: the sandbox is called in process. `.invalid` never resolves, so a
          // mistake here can't send anything anywhere.
          apiKey: 'sandbox-placeholder-key',
          upstreamUrl: 'http://sandbox.invalid/v2/api/id-liveness',
          fetch: async (input: RequestInfo | URL, init?: RequestInit) => sandbox.fetch(new Request(input, init)),
          forwardSandboxHeaders: true,
        }),
  });

  const checkOrigin: MiddlewareHandler = async (c, next) => {
    if (!isAllowed(c.req.header('origin') ?? '', c.req.raw)) return fail(c, 403, 'forbidden-origin', 'This origin may not ask for a token');
    await next();
  };

  const app = new Hono();
  app.use('*', noStore);
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/metrics', (c) => metrics.fetch(c.req.raw));
  app.get('/api/demo-config', (c) => c.json({ mode, upstream: mode === 'live' ? new URL(upstreamUrl).host : new URL(c.req.url).host }));
  app.use('/api/liveness-token', ...corsFor(isAllowed, ['Content-Type']));
  // A real host puts its own login in front of this route and mints only for a signed-in user;
  // the demo mints for any allowed origin.
  app.post(
    '/api/liveness-token',
    checkOrigin,
    ...limitBody(4096, (c) => fail(c, 413, 'payload-too-large', 'The body is too large')),
    async (c) => {
      const text = await c.req.text();
      let body: unknown = {};
      try {
        if (text.trim() !== '') body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(c, 400, 'malformed-body', 'Expected a JSON object');
      const { country_code: country, card_code: card } = body as Record<string, unknown>;
      const countryCode = optionalCode(country, normalizeCountryCode);
      const cardCode = optionalCode(card, normalizeCardCode);
      if (countryCode === null) return fail(c, 400, 'invalid-field', 'country_code must be 3 letters (e.g. IND)');
      if (cardCode === null) return fail(c, 400, 'invalid-field', 'card_code must be 1-16 characters of A-Z, a-z, 0-9, _ or -');
      return c.json(await mintLivenessToken({ secret: tokenSecret, origin: c.req.header('origin')!, countryCode, cardCode }));
    },
  );
  app.all('/api/id-liveness', (c) => proxy.fetch(c.req.raw));
  app.all('*', (c, next) => (handoff.handles(c.req.path) ? handoff.fetch(c.req.raw, c.env) : next()));
  app.all('/sandbox/v2/api/id-liveness', (c) => sandbox.fetch(c.req.raw));
  app.notFound((c) => fail(c, 404, 'not-found', 'No such route'));
  app.onError((_error, c) => fail(c, 500, 'internal-error', 'Internal error'));

  log(
    mode === 'live'
      ? `[accura-id-liveness] live mode: liveness checks go to the Accura API at ${new URL(upstreamUrl).host}`
      : '[accura-id-liveness] sandbox mode: no ACCURA_API_KEY, checks go to the built-in sandbox (its scores are not liveness results)',
  );
  return { mode, fetch: async (request, env) => app.fetch(request, env), proxyNode: proxy.node, close: shared.close };
}
