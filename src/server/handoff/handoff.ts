/**
 * Cross-device handoff: a desktop creates a session, a phone opens it from a link or QR code and
 * runs the check through the proxy with a token bound to the session, and the desktop receives the
 * verdict (never the image) over Server-Sent Events. Sessions live in a {@link LivenessEventStore},
 * so with Redis any instance may serve the desktop, the phone or the proxy call.
 *
 * Keys (all with a TTL): `handoff:<id>` the session, `handoff-link:<sha256(secret)>` the phone link,
 * `handoff:<id>:events` the event list, `:phone` the one phone's claim, `:end` the one ending,
 * `:delivered` the desktop's receipt of it. Channel `handoff:<id>` says "new event".
 */
import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import { streamSSE } from 'hono/streaming';
import {
  type HandoffEventData,
  type HandoffResult,
  type HandoffState,
  PHONE_REPORTED_STATES,
  type PhoneReportedState,
  isTerminalHandoffState,
  parseHandoffEvent,
  randomCode,
} from '../../handoff/handoff-rules.ts';
import { parseLivenessResponse } from '../../check/response.ts';
import { normalizeCardCode, normalizeCountryCode } from '../proxy/liveness-form.ts';
import { type QuotaRules, chargeQuotas } from '../auth/guards.ts';
import { fail, limitBody, noStore } from '../http.ts';
import { type AllowedOrigins, corsFor, toOriginCheck } from '../auth/origins.ts';
import type { ProxyAnswer } from '../proxy/proxy.ts';
import type { LivenessEventStore, LivenessStore } from '../store/store.ts';
import { type LivenessTokenClaims, type TokenSecret, mintLivenessToken, verifyLivenessToken } from '../auth/tokens.ts';

export interface HandoffOptions {
  /** Sessions and events: `createMemoryStore()` for one process, `createRedisStore(client, { subscriber })` for several. */
  store: LivenessEventStore;
  /** The secret liveness tokens are signed with: the same as the proxy's. */
  tokenSecret: TokenSecret;
  /**
   * Where phones reach this server, e.g. `https://verify.example` (phone links are `<publicUrl>/m/<secret>`).
   * A function decides per request (the demo uses the request's own origin).
   */
  publicUrl: string | ((request: Request) => string);
  /** Session lifetime in whole seconds. Default 600. */
  ttlSeconds?: number;
  /** Desktop page origins that may create sessions. Default: the origin the request came to. */
  allowedOrigins?: AllowedOrigins;
  /** Origins of the phone page. Default: `publicUrl`'s origin. */
  phoneOrigins?: AllowedOrigins;
  /** Session creations per client IP, token subject and origin. Default 10 a minute and 100 a day per IP and per subject. */
  rateLimit?: QuotaRules;
  /** A request header holding the client IP, set by your reverse proxy. Default: the Node socket's address, when known. */
  clientIpHeader?: string;
  /** The routes' base. Default `/api/handoff`. */
  path?: string;
  /** The phone page's base. Default `/m`. */
  phonePath?: string;
  /** The check endpoint the phone page posts to. Default `/api/id-liveness`. */
  endpoint?: string;
  /** The script the phone page loads: the widget. Default the classic build, `/accura-id-liveness.min.js`. */
  phoneScript?: { src: string; module?: boolean };
}

/** The routes, and the hook the proxy calls with each answer. */
export interface Handoff {
  /** Answers the handoff routes; pass the Hono/Node `env` through so the client IP is known. */
  fetch(request: Request, env?: unknown): Promise<Response>;
  /** True for a path the handoff answers. */
  handles(pathname: string): boolean;
  /** Give this to the proxy as `onAnswer`: a phone's answered check completes its session. */
  onAnswer(answer: ProxyAnswer): Promise<void>;
}

/** The answer to `POST /api/handoff`. */
export interface HandoffSession {
  /** The desktop's handle (128 bits): its event stream and cancel route. */
  id: string;
  /** The phone link (carries a different 128-bit secret). */
  url: string;
  /** The confirmation code both screens show. */
  code: string;
  expiresAt: number;
}

/** The answer to the phone's open call. */
export interface HandoffPhoneSession {
  code: string;
  countryCode: string;
  cardCode: string;
  /** A liveness token bound to the session, for the check through the proxy. */
  token: string;
  expiresAt: number;
}

interface SessionRecord {
  origin: string;
  code: string;
  expiresAt: number;
  countryCode: string;
  cardCode: string;
  subject?: string;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** Keys outlive the session by this much, so a late phone hears "expired", not "no such session". */
const GRACE_MS = 60_000;
const HEARTBEAT_MS = 15_000;
const DEFAULT_RATE_LIMIT: QuotaRules = { ip: { perMinute: 10, perDay: 100 }, subject: { perMinute: 10, perDay: 100 } };

/** Base64url without padding, with Web APIs only (no Buffer: Workers and Deno run this too). */
function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** 128 random bits, base64url (22 characters). */
function randomId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

async function sha256(text: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

/** Rate-limit counters apart from the proxy's quotas, in the same store. */
function prefixed(store: LivenessStore, prefix: string): LivenessStore {
  return { ...store, increment: (key, ttlMs) => store.increment(prefix + key, ttlMs) };
}

/** The session routes, the phone page and the proxy hook. Mount `fetch` for {@link Handoff.handles} paths. */
export function createHandoff(options: HandoffOptions): Handoff {
  const { store, tokenSecret, ttlSeconds = 600, path = '/api/handoff', phonePath = '/m', endpoint = '/api/id-liveness' } = options;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError('createHandoff: ttlSeconds must be a positive whole number');
  if (!tokenSecret || tokenSecret.length === 0) throw new TypeError('createHandoff: tokenSecret is required');
  const publicUrlFor = (request: Request) => (typeof options.publicUrl === 'function' ? options.publicUrl(request) : options.publicUrl);
  const isDesktopOrigin = toOriginCheck(options.allowedOrigins);
  const isPhoneOrigin = options.phoneOrigins
    ? toOriginCheck(options.phoneOrigins)
    : (origin: string, request: Request) => origin !== '' && origin === new URL(publicUrlFor(request)).origin;
  const limits = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  const limitStore = prefixed(store, 'handoff-');
  const ipHeader = options.clientIpHeader?.toLowerCase();
  const script = options.phoneScript ?? { src: '/accura-id-liveness.min.js' };

  const sessionKey = (id: string) => `handoff:${id}`;
  const eventsKey = (id: string) => `handoff:${id}:events`;
  const linkKey = (hash: string) => `handoff-link:${hash}`;
  const keyTtl = (session: SessionRecord) => Math.max(1, session.expiresAt - Date.now() + GRACE_MS);

  async function load(id: string): Promise<SessionRecord | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const text = await store.get(sessionKey(id));
    return text ? (JSON.parse(text) as SessionRecord) : undefined;
  }

  /** Appends an event and tells every instance. */
  async function push(id: string, session: SessionRecord, event: Omit<HandoffEventData, 'expiresAt'>): Promise<void> {
    const n = await store.append(eventsKey(id), JSON.stringify({ ...event, expiresAt: session.expiresAt }), keyTtl(session));
    await store.publish(sessionKey(id), String(n));
  }

  /** Ends a session with `event`, unless something else ended it first (only one ending is ever recorded). */
  async function end(id: string, session: SessionRecord, event: Omit<HandoffEventData, 'expiresAt'>): Promise<boolean> {
    if (!(await store.set(`${sessionKey(id)}:end`, event.state, { ttlMs: keyTtl(session), ifAbsent: true }))) return false;
    await push(id, session, event);
    return true;
  }

  /** The refusal for a session that ended as `ended` (its `:end` value). */
  function endedRefusal(ended: string): { status: 410; code: 'handoff-expired' | 'handoff-closed'; message: string } {
    if (ended === 'expired')
      return { status: 410, code: 'handoff-expired', message: 'This link has expired: start again on your computer' };
    const how = ended === 'completed' ? 'is complete' : ended === 'cancelled' ? 'was cancelled on the computer' : 'has ended';
    return { status: 410, code: 'handoff-closed', message: `This session ${how}: start again on your computer` };
  }

  /** Why a phone can't use the session any more, or undefined when it can. */
  async function closedReason(id: string, session: SessionRecord) {
    if (session.expiresAt <= Date.now()) return endedRefusal('expired');
    const ended = await store.get(`${sessionKey(id)}:end`);
    return ended ? endedRefusal(ended) : undefined;
  }

  async function bearerClaims(c: Context): Promise<LivenessTokenClaims | undefined> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (!bearer) return undefined;
    return verifyLivenessToken(bearer, tokenSecret).catch(() => undefined);
  }

  const clientIp = (c: Context) =>
    (ipHeader && c.req.header(ipHeader)?.split(',')[0].trim()) ||
    (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;

  // A tuple, so Hono's overloads see two handlers before the route's own.
  const sizeLimit = (bytes: number) =>
    limitBody(bytes, (c) => fail(c, 413, 'payload-too-large', 'The body is too large')) as [MiddlewareHandler, MiddlewareHandler];
  const app = new Hono();
  app.use('*', noStore);
  app.use(path, ...corsFor(isDesktopOrigin, ['Authorization', 'Content-Type']));
  app.use(`${path}/:id/cancel`, ...corsFor(isDesktopOrigin, ['Content-Type']));

  // The desktop creates a session with its liveness token.
  app.post(path, ...sizeLimit(1024), async (c): Promise<Response> => {
    const origin = c.req.header('origin') ?? '';
    const claims = await bearerClaims(c);
    if (!claims) return fail(c, 401, 'unauthorized', 'A valid liveness token is required: Authorization: Bearer <token>');
    if (claims.origin !== origin) return fail(c, 403, 'token-binding', 'The liveness token was issued for another origin');
    if (!isDesktopOrigin(origin, c.req.raw)) return fail(c, 403, 'forbidden-origin', 'This origin may not start a handoff');
    if (claims.handoff) return fail(c, 403, 'token-binding', 'A phone token cannot start another handoff');
    let body: Record<string, unknown> = {};
    const text = await c.req.text();
    try {
      if (text.trim()) body = JSON.parse(text);
    } catch {
      return fail(c, 400, 'malformed-body', 'Expected a JSON object');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(c, 400, 'malformed-body', 'Expected a JSON object');
    const countryCode = claims.countryCode ?? (typeof body.country_code === 'string' ? normalizeCountryCode(body.country_code) : undefined);
    const cardCode = claims.cardCode ?? (typeof body.card_code === 'string' ? normalizeCardCode(body.card_code) : undefined);
    if (!countryCode || !cardCode) return fail(c, 400, 'invalid-field', 'country_code (3 letters) and card_code are required');
    const refusal = await chargeQuotas(limitStore, limits, { ip: clientIp(c), subject: claims.subject, origin });
    if (refusal) {
      c.header('Retry-After', String(refusal.retryAfterSeconds));
      return fail(c, 429, 'quota-exceeded', `Too many handoff sessions for this ${refusal.scope} this ${refusal.window}`);
    }

    const id = randomId();
    const secret = randomId();
    const session: SessionRecord = {
      origin,
      code: randomCode(),
      expiresAt: Date.now() + ttlSeconds * 1000,
      countryCode,
      cardCode,
      subject: claims.subject,
    };
    await store.set(sessionKey(id), JSON.stringify(session), { ttlMs: keyTtl(session) });
    await store.set(linkKey(await sha256(secret)), id, { ttlMs: keyTtl(session) });
    await push(id, session, { state: 'created' });
    const url = new URL(`${phonePath}/${secret}`, publicUrlFor(c.req.raw)).href;
    return c.json({ id, url, code: session.code, expiresAt: session.expiresAt } satisfies HandoffSession, 201);
  });

  // The desktop's live view of its session; EventSource resumes from Last-Event-ID by itself.
  app.get(`${path}/:id/events`, async (c): Promise<Response> => {
    const id = c.req.param('id');
    const session = await load(id);
    if (!session) {
      const ended = ID_PATTERN.test(id) && (await store.get(`${sessionKey(id)}:delivered`));
      return ended
        ? fail(c, 410, 'handoff-closed', 'This session has ended')
        : fail(c, 404, 'handoff-not-found', 'No such handoff session');
    }
    const origin = c.req.header('origin');
    // EventSource sends Origin on cross-origin requests only; the 128-bit id is the capability.
    if (origin !== undefined && origin !== session.origin) return fail(c, 403, 'token-binding', 'This session belongs to another origin');
    if (await store.get(`${sessionKey(id)}:delivered`)) return fail(c, 410, 'handoff-closed', 'This session has ended');
    const lastId = Number(c.req.header('last-event-id') ?? '0');
    let sent = Number.isSafeInteger(lastId) && lastId >= 0 ? lastId : 0;
    c.header('X-Accel-Buffering', 'no'); // nginx: pass events through at once
    return streamSSE(c, async (stream) => {
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      let over = false;
      const finish = () => {
        over = true;
        done();
      };
      stream.onAbort(finish);
      let queue = Promise.resolve();
      const flush = async () => {
        if (over) return;
        for (const item of await store.list(eventsKey(id), sent)) {
          const event = parseHandoffEvent(item);
          if (!event || over) return;
          if (isTerminalHandoffState(event.state)) {
            // The ending goes to one desktop connection, once; then the session is gone.
            if (!(await store.set(`${sessionKey(id)}:delivered`, event.state, { ttlMs: keyTtl(session), ifAbsent: true }))) return finish();
            await stream.writeSSE({ id: String(++sent), data: item });
            await forget(id);
            return finish();
          }
          await stream.writeSSE({ id: String(++sent), data: item });
        }
      };
      const schedule = () => (queue = queue.then(flush).catch(finish));
      await stream.write('retry: 1000\n\n');
      const unsubscribe = await store.subscribe(sessionKey(id), schedule);
      schedule();
      const expiry = setTimeout(
        () => void end(id, session, { state: 'expired' }).catch(() => undefined),
        Math.max(0, session.expiresAt - Date.now()),
      );
      const heartbeat = setInterval(() => void stream.write(': ping\n\n').catch(finish), HEARTBEAT_MS);
      await finished;
      clearTimeout(expiry);
      clearInterval(heartbeat);
      await unsubscribe().catch(() => undefined);
    });
  });

  // The desktop gives up (Cancel, or the element left the page).
  app.post(`${path}/:id/cancel`, async (c) => {
    const id = c.req.param('id');
    const session = await load(id);
    if (!session) return fail(c, 404, 'handoff-not-found', 'No such handoff session');
    if ((c.req.header('origin') ?? '') !== session.origin) return fail(c, 403, 'token-binding', 'This session belongs to another origin');
    const cancelled = await end(id, session, { state: 'cancelled' });
    if (!cancelled) return fail(c, 410, 'handoff-closed', 'This session has already ended');
    return c.json({ state: 'cancelled' });
  });

  // The phone claims the session: only the first phone gets its token.
  app.post(`${path}/phone/:secret/open`, async (c) => {
    const origin = c.req.header('origin') ?? '';
    if (!isPhoneOrigin(origin, c.req.raw)) return fail(c, 403, 'forbidden-origin', 'This origin may not open a handoff');
    const secret = c.req.param('secret');
    const id = ID_PATTERN.test(secret) ? await store.get(linkKey(await sha256(secret))) : undefined;
    const session = id ? await load(id) : undefined;
    if (!id) return fail(c, 404, 'handoff-not-found', 'This link is not valid: start again on your computer');
    // A completed session is forgotten, but the receipt of its ending still says why the link is dead.
    const closed = session
      ? await closedReason(id, session)
      : await store.get(`${sessionKey(id)}:end`).then((ended) => (ended ? endedRefusal(ended) : undefined));
    if (closed) return fail(c, closed.status, closed.code, closed.message);
    if (!session) return fail(c, 404, 'handoff-not-found', 'This link is not valid: start again on your computer');
    if (!(await store.set(`${sessionKey(id)}:phone`, '1', { ttlMs: keyTtl(session), ifAbsent: true }))) {
      return fail(c, 409, 'handoff-taken', 'Another phone has already opened this link: start again on your computer');
    }
    const { token } = await mintLivenessToken({
      secret: tokenSecret,
      origin,
      countryCode: session.countryCode,
      cardCode: session.cardCode,
      subject: session.subject,
      handoff: id,
      ttlSeconds: Math.max(1, Math.ceil((session.expiresAt - Date.now()) / 1000)),
    });
    await push(id, session, { state: 'opened' });
    return c.json({
      code: session.code,
      countryCode: session.countryCode,
      cardCode: session.cardCode,
      token,
      expiresAt: session.expiresAt,
    } satisfies HandoffPhoneSession);
  });

  // The phone says where it is (photo taken, check sent), with its session-bound token.
  app.post(`${path}/phone/state`, ...sizeLimit(256), async (c): Promise<Response> => {
    const claims = await bearerClaims(c);
    if (!claims?.handoff) return fail(c, 401, 'unauthorized', 'A handoff token is required');
    if (claims.origin !== (c.req.header('origin') ?? '')) return fail(c, 403, 'token-binding', 'The token was issued for another origin');
    const session = await load(claims.handoff);
    if (!session) return fail(c, 404, 'handoff-not-found', 'No such handoff session');
    const closed = await closedReason(claims.handoff, session);
    if (closed) return fail(c, closed.status, closed.code, closed.message);
    const { state, error } = (await c.req.json().catch(() => ({}))) as { state?: unknown; error?: unknown };
    if (!PHONE_REPORTED_STATES.includes(state as PhoneReportedState))
      return fail(c, 400, 'invalid-field', `state must be one of ${PHONE_REPORTED_STATES.join(', ')}`);
    // Back to waiting after a check that failed on the phone: only a stable code passes, never the phone's text.
    const code = state === 'opened' && typeof error === 'string' && /^[a-z-]{1,40}$/.test(error) ? error : undefined;
    await push(
      claims.handoff,
      session,
      code
        ? { state: 'opened', error: { code, message: "The phone's photo could not be used: a new one is being taken." } }
        : { state: state as HandoffState },
    );
    return c.json({ state });
  });

  // The phone page. Opening it claims nothing: link previews and prefetchers must not use up the session.
  app.get(`${phonePath}/:secret`, (c): Response | Promise<Response> => {
    const secret = c.req.param('secret');
    if (!ID_PATTERN.test(secret)) return fail(c, 404, 'handoff-not-found', 'This link is not valid');
    const escape = (value: string) => value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
    c.header(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; worker-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    c.header('Referrer-Policy', 'no-referrer'); // the path is a secret
    c.header('X-Robots-Tag', 'noindex');
    return c.html(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Check your ID document</title>
    <script ${script.module ? 'type="module"' : 'defer'} src="${escape(script.src)}"></script>
  </head>
  <body>
    <main>
      <accura-id-liveness handoff-session="${escape(secret)}" endpoint="${escape(endpoint)}"></accura-id-liveness>
    </main>
  </body>
</html>
`);
  });

  app.notFound((c) => fail(c, 404, 'not-found', 'No such route'));
  app.onError((_error, c) => fail(c, 500, 'internal-error', 'Internal error'));

  /** Deletes everything about a finished session except the receipt that refuses a replay. */
  async function forget(id: string): Promise<void> {
    await Promise.all([store.delete(sessionKey(id)), store.delete(eventsKey(id)), store.delete(`${sessionKey(id)}:phone`)]);
  }

  async function onAnswer(answer: ProxyAnswer): Promise<void> {
    const id = answer.claims.handoff;
    if (!id) return;
    // Not judged yet: the phone retries these with the same token.
    if ([429, 502, 503, 504].includes(answer.status)) return;
    const session = await load(id);
    if (!session) return;
    const parsed = parseLivenessResponse(answer.status, answer.text);
    if (!parsed.ok) {
      await end(id, session, { state: 'failed', error: { code: parsed.error.code, message: parsed.error.message } });
      return;
    }
    // The phone's "checking" may still be on its way: the desktop sees it before the verdict all the same.
    const states = (await store.list(eventsKey(id))).map((item) => parseHandoffEvent(item)?.state);
    if (states.lastIndexOf('checking') < states.lastIndexOf('captured') || !states.includes('checking'))
      await push(id, session, { state: 'checking' });
    const result: HandoffResult = {
      score: parsed.score,
      verdict: parsed.verdict,
      countryCode: session.countryCode,
      cardCode: session.cardCode,
      image: answer.image,
      sandbox: parsed.sandbox === true,
    };
    await end(id, session, { state: 'completed', result });
  }

  return {
    fetch: async (request, env) => app.fetch(request, env),
    handles: (pathname) => pathname === path || pathname.startsWith(`${path}/`) || pathname.startsWith(`${phonePath}/`),
    onAnswer,
  };
}
