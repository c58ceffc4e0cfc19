/**
 * The whole demo backend as one Hono app, used by the Vite dev/preview plugin and by
 * `npm run serve`. Node only (reads .env); not part of the public `server` export.
 */
import process from 'node:process';
import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { normalizeCardCode, normalizeCountryCode } from './form.ts';
import { createHandoff } from './handoff.ts';
import { fail, limitBody, noStore } from './http.ts';
import { corsFor, isLoopbackOrigin, isSameOrigin } from './origins.ts';
import type { QuotaLimit, QuotaRules } from './guards.ts';
import { createLivenessMetrics } from './metrics.ts';
import { type NodeHandler, createNodeLivenessProxy } from './node.ts';
import { DEFAULT_UPSTREAM_URL } from './proxy.ts';
import { createSandbox } from './sandbox.ts';
import { type LivenessEventStore, createMemoryStore, createRedisStore } from './store.ts';
import { mintLivenessToken } from './tokens.ts';

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
  return pathname === '/healthz' || pathname === '/metrics' || pathname.startsWith('/api/') || pathname.startsWith('/sandbox/') || pathname.startsWith('/m/');
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

/** A positive whole number from the environment, or undefined when unset or empty. */
function envCount(env: DemoEnv, name: string): number | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  if (!/^\d+$/.test(value) || Number(value) === 0) throw new TypeError(`${name} must be a positive whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** QUOTA_<SUBJECT|IP|ORIGIN>_PER_<MINUTE|DAY>. */
function quotasFrom(env: DemoEnv): QuotaRules {
  const rules: QuotaRules = {};
  for (const scope of ['subject', 'ip', 'origin'] as const) {
    const limit: QuotaLimit = {
      perMinute: envCount(env, `QUOTA_${scope.toUpperCase()}_PER_MINUTE`),
      perDay: envCount(env, `QUOTA_${scope.toUpperCase()}_PER_DAY`),
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
    close: async () => void (await connecting.then(({ client, subscriber }) => Promise.all([client.close(), subscriber.close()]), () => {})),
  };
}

/**
 * The demo backend: token route, proxy (live with ACCURA_API_KEY, else the in-process sandbox),
 * demo config, sandbox and health check. Prints one line saying which mode it runs in.
 */
export function createDemoApp(options: DemoAppOptions = {}): DemoApp {
  const { env = loadEnv(), dev = false, log = console.info } = options;
  const apiKey = env.ACCURA_API_KEY?.trim();
  const mode = apiKey ? 'live' : 'sandbox';
  const upstreamUrl = env.ACCURA_API_URL?.trim() || DEFAULT_UPSTREAM_URL;
  const tokenSecret = env.LIVENESS_TOKEN_SECRET || crypto.getRandomValues(new Uint8Array(32));
  const listed = new Set((env.ALLOWED_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter(Boolean));
  const isAllowed = (origin: string, request: Request) =>
    origin !== '' && (listed.has(origin) || isSameOrigin(origin, request) || (dev && isLoopbackOrigin(origin)));

  const sandbox = createSandbox();
  const redisUrl = env.REDIS_URL?.trim();
  const shared = redisUrl ? redisStoreFor(redisUrl, log) : { store: createMemoryStore(), close: async () => {} };
  const handoff = createHandoff({
    store: shared.store,
    tokenSecret,
    // PUBLIC_URL: where phones reach this server (a LAN address or tunnel); else the desktop's own origin.
    publicUrl: env.PUBLIC_URL?.trim() || ((request) => new URL(request.url).origin),
    allowedOrigins: isAllowed,
    phoneOrigins: isAllowed,
    clientIpHeader: env.CLIENT_IP_HEADER?.trim() || undefined,
    ttlSeconds: envCount(env, 'HANDOFF_TTL_SECONDS'),
    phoneScript: options.phoneScript,
  });
  const metrics = createLivenessMetrics({ token: env.METRICS_TOKEN?.trim() || undefined });
  const on = (name: string, fallback: boolean) => {
    const value = env[name]?.trim().toLowerCase();
    return value ? !['off', '0', 'false', 'no'].includes(value) : fallback;
  };
  const proxy = createNodeLivenessProxy({
    tokenSecret,
    allowedOrigins: isAllowed,
    store: shared.store,
    oneTimeTokens: on('ONE_TIME_TOKENS', true) ? {} : false,
    quotas: quotasFrom(env),
    clientIpHeader: env.CLIENT_IP_HEADER?.trim() || undefined,
    log: on('LOG_CHECKS', true) ? (line) => console.log(line) : undefined,
    logIp: on('LOG_IP', false),
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
  app.get('/api/demo-config', (c) =>
    c.json({ mode, upstream: mode === 'live' ? new URL(upstreamUrl).host : new URL(c.req.url).host }),
  );
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
