/**
 * The liveness proxy: the only place that holds the Accura API key. It checks the caller's
 * token, origin, size, fields and image type before anything reaches the Accura API.
 *
 * The body is read once into one buffer; the image goes upstream as a slice of those bytes, between
 * a new multipart header and trailer. The check itself ({@link LivenessProxy.check}) knows no
 * runtime: `fetch` adapts it to Web-standard hosts, and `toNodeHandler` (server/node) to node:http.
 */
import { Hono } from 'hono';
import { type SendableFormat, MIME_TYPES, isSendableFormat, orientedSize, sniffFormat, sniffImage } from '../../image/sniff.ts';
import { type BodyResult, discardRequestBody, readRequestBody } from './body.ts';
import { joinBytes } from './byte-chunks.ts';
import { delimiterNeedle, multipartBoundary } from './multipart.ts';
import { DEFAULT_MAX_BYTES, FORM_FIELD_ALLOWANCE, parseLivenessForm } from './liveness-form.ts';
import { type OneTimeTokenOptions, type QuotaRules, chargeQuotas, claimTokenAttempt, spendToken } from '../auth/guards.ts';
import { type LivenessServerError, type LivenessServerErrorCode, closeOnError, fail, noStore } from '../http.ts';
import { type AllowedOrigins, corsFor, toOriginCheck } from '../auth/origins.ts';
import { SANDBOX_HEADERS } from '../sandbox.ts';
import { type LivenessStore, createMemoryStore } from '../store/store.ts';
import { type LivenessTokenClaims, type TokenSecret, verifyLivenessToken } from '../auth/tokens.ts';

/** Accura Scan's ID Liveness endpoint. */
export const DEFAULT_UPSTREAM_URL = 'https://api.accurascan.com/v2/api/id-liveness';

/** The checked request, ready to go upstream: the body is `parts` in order (the image part is a slice of the received bytes). */
export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  parts: Uint8Array[];
  length: number;
  /** Fires on the proxy's timeout, or when the client has gone away. */
  signal: AbortSignal;
  /**
   * Call once the parts have been handed over in full (written to the socket, or copied): the
   * proxy then lets go of the received body while it waits for the answer. Never read the parts after.
   */
  sent(): void;
}

/** The upstream's answer, read whole (the proxy checks that it is JSON). */
export interface UpstreamReply {
  status: number;
  text: string;
}

/** Sends the checked request upstream. Throws when the upstream can't be reached or the signal fires. */
export type UpstreamTransport = (request: UpstreamRequest) => Promise<UpstreamReply>;

/**
 * The `fetch` the proxy calls upstream: only the call itself, so a plain wrapper fits in every
 * runtime's types (`typeof fetch` under @types/bun also wants `preconnect`).
 */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** The transport over a `fetch` function: the parts are joined into one buffer (one copy of the image). */
export function fetchTransport(fetchImpl: FetchLike = globalThis.fetch): UpstreamTransport {
  return async ({ url, headers, parts, signal, sent }) => {
    const body = joinBytes(parts) as Uint8Array<ArrayBuffer>;
    sent();
    const upstream = await fetchImpl(url, { method: 'POST', headers, body, signal });
    return { status: upstream.status, text: await upstream.text() };
  };
}

/** One finished POST check, as the log line and the metrics see it. Holds no image, token or key. */
export interface CheckRecord {
  requestId: string;
  /** `answered`: Accura's answer was passed on; `refused`: the proxy said no (4xx); `failed`: 5xx. */
  outcome: 'answered' | 'refused' | 'failed';
  /** The proxy's error code, or `ok` when Accura's answer was passed on. */
  code: LivenessServerErrorCode | 'ok';
  status: number;
  upstreamStatus?: number;
  /** Body bytes received. */
  bytes: number;
  /** Milliseconds: the whole check, reading the body, and the upstream round trip. */
  ms: { total: number; body?: number; upstream?: number };
  /** The client IP: only passed on to the log when the host opts in (`logIp`). */
  ip?: string;
}

/** Watches checks (the Prometheus metrics in server/node implement it). */
export interface CheckObserver {
  /** A POST check began. */
  start(): void;
  /** Its body (this many bytes) is now held in memory. */
  hold(bytes: number): void;
  /** The body it held is let go (sent upstream, or the check ended). */
  release(bytes: number): void;
  /** It ended. */
  end(record: CheckRecord): void;
}

/** A check Accura answered, as {@link LivenessProxyOptions.onAnswer} sees it: the answer and the image's size, never the image. */
export interface ProxyAnswer {
  claims: LivenessTokenClaims;
  status: number;
  /** Accura's JSON answer, as text. */
  text: string;
  image: { bytes: number; width: number; height: number; type: string };
}

export interface LivenessProxyOptions {
  /** The Accura API key, sent upstream as `Api-Key`. Never leaves the server. */
  apiKey: string;
  /** Default {@link DEFAULT_UPSTREAM_URL}. */
  upstreamUrl?: string;
  /** The secret liveness tokens are signed with (see `mintLivenessToken`). */
  tokenSecret: TokenSecret;
  /** Origins whose pages may call the proxy. Default: the origin the request came to. */
  allowedOrigins?: AllowedOrigins;
  /** Largest image in bytes. Default 1,000,000 (Accura's limit); the whole body may be 16 KiB more. */
  maxBytes?: number;
  /** How long to wait for the upstream answer before a 504. Default 30,000 ms. */
  timeoutMs?: number;
  /** The fetch used for the upstream call. Default `globalThis.fetch`. Ignored when `upstream` is set. */
  fetch?: FetchLike;
  /** How the checked request goes upstream. Default {@link fetchTransport} over `fetch`; server/node has a keep-alive one. */
  upstream?: UpstreamTransport;
  /** The route. Default `/api/id-liveness`. */
  path?: string;
  /**
   * Pass the sandbox's test headers (`X-Accura-Sandbox-Score`, `X-Accura-Sandbox-Delay-Ms`)
   * through to the upstream. Only for a sandbox upstream; default false.
   */
  forwardSandboxHeaders?: boolean;
  /** Send `Access-Control-Allow-Credentials: true`. Default false. */
  credentials?: boolean;
  /** Where one-time tokens and quotas are counted. Default: in memory (one process); use `createRedisStore` for several. */
  store?: LivenessStore;
  /** One check (plus its retries) per token; `false` allows reuse until expiry. Default `{ attempts: 3, windowSeconds: 120 }`. */
  oneTimeTokens?: OneTimeTokenOptions | false;
  /** Checks per token subject, IP and origin, per minute and per day. Default: none. */
  quotas?: QuotaRules;
  /**
   * A request header holding the client IP, set by your reverse proxy (`x-real-ip`,
   * `cf-connecting-ip`). Default: none, so the Node adapter uses the socket's address and Web hosts have no IP.
   */
  clientIpHeader?: string;
  /** One JSON line per check goes here (e.g. `console.log`). Default: no log. */
  log?: (line: string) => void;
  /** Put the client IP in the log line. Default false. */
  logIp?: boolean;
  /** Told about every check (metrics). */
  observer?: CheckObserver;
  /**
   * Called with every answer Accura gave, before the caller gets it (cross-device handoff passes
   * a phone's result to the desktop here: `handoff.onAnswer`). A throw is ignored: the caller still gets its answer.
   */
  onAnswer?: (answer: ProxyAnswer) => Promise<void> | void;
}

/** What an adapter gives the check. */
export interface CheckInput {
  header(name: string): string | undefined;
  /** A Web Request for the allowlist function; built only when it is a function. */
  request(): Request;
  /** The client IP when the adapter knows it. */
  ip?: string;
  /** Reads the body once, counting against `limit`, finding `watch` (the multipart delimiter) as chunks arrive. */
  readBody(limit: number, watch?: Uint8Array): Promise<BodyResult>;
  /**
   * Reads and drops the rest of an unread body, up to `limit` bytes and `ms`, before a refusal goes out
   * (see `discardRequestBody`). Optional: without it, a client still sending may see a reset.
   */
  discardBody?(limit: number, ms: number): Promise<void>;
  /** Fires when the client goes away: the upstream request is aborted. */
  signal?: AbortSignal;
}

/** The answer an adapter writes out. */
export interface CheckOutput {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A Web-standard handler (`fetch`), plus the runtime-free check that the Node adapter drives. */
export interface LivenessProxy {
  fetch(request: Request): Promise<Response>;
  /** The POST check itself, for adapters. */
  check(input: CheckInput): Promise<CheckOutput>;
  /** The route it answers. */
  readonly path: string;
  /** Answers everything that is not a POST check (preflights, 404, 405). */
  other(request: Request): Promise<Response>;
}

const DEFAULT_ONE_TIME = { attempts: 3, windowSeconds: 120 };
/** How long a refusal waits for an unread body to arrive (and be dropped) before it goes out and the connection closes. */
const DISCARD_MS = 2_000;

/** The received body, from reading until it is sent upstream or the check ends. */
interface HeldBody {
  held: boolean;
  /** The body was read to its end, or as far as the limit allows: nothing is left to drain. */
  read: boolean;
  release(): void;
}

class Refusal {
  constructor(
    readonly status: number,
    readonly code: LivenessServerErrorCode,
    readonly message: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

const encoder = new TextEncoder();

/** A multipart body of the three fields whose image part is `image` itself, not a copy. */
function upstreamBody(
  image: Uint8Array[],
  imageLength: number,
  format: SendableFormat,
  countryCode: string,
  cardCode: string,
): { parts: Uint8Array[]; length: number; contentType: string } {
  // 122 random bits: the image can't contain it by chance, and a client can't know it in advance.
  const boundary = `----accura-${crypto.randomUUID()}`;
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="liveness_image"; filename="liveness.${format}"\r\nContent-Type: ${MIME_TYPES[format]}\r\n\r\n`,
  );
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const tail = encoder.encode(`\r\n${field('country_code', countryCode)}${field('card_code', cardCode)}--${boundary}--\r\n`);
  return {
    parts: [head, ...image, tail],
    length: head.length + imageLength + tail.length,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** Builds the proxy. Mount `proxy.fetch` on the route given by `path` (POST and OPTIONS), or `toNodeHandler(proxy)` on Node. */
export function createLivenessProxy(options: LivenessProxyOptions): LivenessProxy {
  const {
    apiKey,
    upstreamUrl = DEFAULT_UPSTREAM_URL,
    tokenSecret,
    maxBytes = DEFAULT_MAX_BYTES,
    timeoutMs = 30_000,
    path = '/api/id-liveness',
    forwardSandboxHeaders = false,
    store = createMemoryStore(),
    quotas = {},
    log,
    logIp = false,
    observer,
  } = options;
  // Checked on the first request, not here: `next build` evaluates route modules without the secrets.
  const missing = !apiKey ? 'apiKey' : !tokenSecret || tokenSecret.length === 0 ? 'tokenSecret' : undefined;
  const configured = () => {
    if (missing)
      throw new TypeError(
        `createLivenessProxy: ${missing} is required (is ${missing === 'apiKey' ? 'ACCURA_API_KEY' : 'LIVENESS_TOKEN_SECRET'} set?)`,
      );
  };
  const originCheck = toOriginCheck(options.allowedOrigins);
  // A list needs no Request, so the Node adapter never builds one for it.
  const needsRequest = !Array.isArray(options.allowedOrigins);
  const isAllowed = (origin: string, input: CheckInput) =>
    origin !== '' && originCheck(origin, needsRequest ? input.request() : (undefined as never));
  const forwarded = forwardSandboxHeaders ? SANDBOX_HEADERS : [];
  const upstream = options.upstream ?? fetchTransport(options.fetch);
  const oneTime = options.oneTimeTokens === false ? undefined : { ...DEFAULT_ONE_TIME, ...options.oneTimeTokens };
  const bodyLimit = maxBytes + FORM_FIELD_ALLOWANCE;
  const ipHeader = options.clientIpHeader?.toLowerCase();

  /** The checks in their documented order; returns Accura's answer or throws a Refusal. */
  async function run(input: CheckInput, origin: string, record: CheckRecord, started: number, body: HeldBody): Promise<UpstreamReply> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(input.header('authorization') ?? '')?.[1];
    if (!bearer) throw new Refusal(401, 'unauthorized', 'A liveness token is required: Authorization: Bearer <token>');
    let claims: LivenessTokenClaims;
    try {
      claims = await verifyLivenessToken(bearer, tokenSecret);
    } catch {
      throw new Refusal(401, 'unauthorized', 'The liveness token is invalid or expired');
    }
    if (claims.origin !== origin) throw new Refusal(403, 'token-binding', 'The liveness token was issued for another origin');
    if (!isAllowed(origin, input)) throw new Refusal(403, 'forbidden-origin', 'This origin may not call this server');
    let firstUse = true;
    if (oneTime) {
      const attempt = await claimTokenAttempt(store, claims.jti, claims.expiresAt, oneTime);
      if (!attempt.ok) throw new Refusal(401, 'token-used', 'This liveness token has already been used: ask for a new one');
      firstUse = attempt.first;
    }

    const boundary = multipartBoundary(input.header('content-type'));
    const bytes = await input.readBody(bodyLimit, boundary === undefined ? undefined : delimiterNeedle(boundary));
    record.ms.body = performance.now() - started;
    // Over the limit: the drain's budget is spent, so this refusal closes at once as before.
    if (bytes === 'too-large') body.read = true;
    if (bytes === 'too-large') throw new Refusal(413, 'payload-too-large', `The body is larger than ${maxBytes} bytes plus form fields`);
    if (bytes === 'unreadable') throw new Refusal(400, 'malformed-body', 'The body could not be read');
    record.bytes = bytes.length;
    body.read = true;
    body.held = true;
    observer?.hold(bytes.length);
    const form = parseLivenessForm(bytes, input.header('content-type'), maxBytes);
    if (!form.ok) throw new Refusal(form.status, form.code, form.message);
    if ((claims.countryCode && claims.countryCode !== form.countryCode) || (claims.cardCode && claims.cardCode !== form.cardCode)) {
      throw new Refusal(403, 'token-binding', 'The liveness token was issued for another country or card code');
    }
    const format = sniffFormat(form.imageHead);
    if (!isSendableFormat(format))
      throw new Refusal(415, 'unsupported-media-type', `liveness_image must be a JPEG, PNG or WebP image, not ${format}`);

    // Read now: the body is let go once the upstream has the bytes. The size comes from the image's
    // first 4 KiB (0 when its header lies past them, as behind a large EXIF block).
    const size = options.onAnswer ? orientedSize(sniffImage(form.imageHead)) : undefined;
    const image = options.onAnswer
      ? { bytes: form.imageLength, width: size?.width ?? 0, height: size?.height ?? 0, type: MIME_TYPES[format] }
      : undefined;

    // A check is charged once, on its token's first attempt (its retries are the same check).
    if (firstUse) {
      const refusal = await chargeQuotas(store, quotas, { subject: claims.subject, ip: record.ip, origin });
      if (refusal) {
        throw new Refusal(429, 'quota-exceeded', `Too many checks for this ${refusal.scope} this ${refusal.window}`, {
          'Retry-After': String(refusal.retryAfterSeconds),
        });
      }
    }

    // Only the three fields go upstream, with a name and type taken from the bytes, not the client.
    const { parts, length, contentType } = upstreamBody(form.imageParts, form.imageLength, format, form.countryCode, form.cardCode);
    const headers: Record<string, string> = { 'Api-Key': apiKey, Accept: 'application/json', 'Content-Type': contentType };
    for (const name of forwarded) {
      const value = input.header(name);
      if (value !== undefined) headers[name] = value;
    }
    // One controller and one timer: AbortSignal.timeout plus AbortSignal.any cost more per check than the JWT check.
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => ((timedOut = true), abort.abort(new DOMException('Upstream timeout', 'TimeoutError'))), timeoutMs);
    const clientGone = () => abort.abort(input.signal?.reason);
    input.signal?.addEventListener('abort', clientGone, { once: true });
    const upstreamStart = performance.now();
    let reply: UpstreamReply;
    try {
      const sent = () => {
        // Let go of every reference to the received chunks: they can be collected while Accura thinks.
        parts.length = 0;
        form.imageParts.length = 0;
        bytes.clear();
        body.release();
      };
      reply = await upstream({ url: upstreamUrl, headers, parts, length, signal: abort.signal, sent });
    } catch {
      if (timedOut) throw new Refusal(504, 'upstream-timeout', `The liveness API did not answer within ${timeoutMs} ms`);
      throw new Refusal(502, 'upstream-unreachable', 'The liveness API could not be reached');
    } finally {
      clearTimeout(timer);
      input.signal?.removeEventListener('abort', clientGone);
      record.ms.upstream = performance.now() - upstreamStart;
    }
    record.upstreamStatus = reply.status;
    // Accura refused the key, not the visitor: a 502 of its own, and the token stays usable once the key is fixed.
    if (reply.status === 401 || reply.status === 403) {
      throw new Refusal(
        502,
        'upstream-unauthorized',
        "The liveness API refused this server's API key: the site owner should check the key set on the server",
      );
    }
    try {
      JSON.parse(reply.text);
    } catch {
      throw new Refusal(502, 'upstream-invalid-response', 'The liveness API answered with something other than JSON');
    }
    // Accura judged it: the widget won't retry this check, so nobody may use the token again.
    if (oneTime && ![429, 502, 503, 504].includes(reply.status)) await spendToken(store, claims.jti, oneTime);
    if (options.onAnswer && image) {
      await Promise.resolve()
        .then(() => options.onAnswer!({ claims, status: reply.status, text: reply.text, image }))
        .catch(() => undefined);
    }
    return reply;
  }

  async function check(input: CheckInput): Promise<CheckOutput> {
    configured();
    const started = performance.now();
    const origin = input.header('origin') ?? '';
    const ip = (ipHeader && input.header(ipHeader)?.split(',')[0].trim()) || input.ip;
    const record: CheckRecord = {
      requestId: crypto.randomUUID(),
      outcome: 'answered',
      code: 'ok',
      status: 0,
      bytes: 0,
      ms: { total: 0 },
      ip,
    };
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Request-Id': record.requestId,
    };
    if (isAllowed(origin, input)) {
      headers['Access-Control-Allow-Origin'] = origin;
      headers.Vary = 'Origin';
      if (options.credentials) headers['Access-Control-Allow-Credentials'] = 'true';
    }
    observer?.start();
    const body: HeldBody = {
      held: false,
      read: false,
      release() {
        if (!this.held) return;
        this.held = false;
        observer?.release(record.bytes);
      },
    };
    let output: CheckOutput;
    try {
      const reply = await run(input, origin, record, started, body);
      output = { status: reply.status, headers, body: reply.text };
    } catch (error) {
      const refusal = error instanceof Refusal ? error : new Refusal(500, 'internal-error', 'Internal error');
      record.outcome = refusal.status >= 500 ? 'failed' : 'refused';
      record.code = refusal.code;
      // Refused before the body was in (401, 403, 413): read it away first, so a client still sending reads the answer.
      if (!body.read) await input.discardBody?.(bodyLimit, DISCARD_MS);
      // An error answer closes the connection: an unread body must not become the next request.
      output = {
        status: refusal.status,
        headers: { ...headers, ...refusal.headers, Connection: 'close' },
        body: JSON.stringify({ status: false, code: refusal.code, message: refusal.message } satisfies LivenessServerError),
      };
    }
    body.release();
    record.status = output.status;
    record.ms.total = performance.now() - started;
    observer?.end(record);
    if (log) {
      const round = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms * 10) / 10);
      const { ip: clientIp, ms, ...rest } = record;
      log(
        JSON.stringify({
          time: new Date().toISOString(),
          event: 'liveness-check',
          ...rest,
          ms: { total: round(ms.total), body: round(ms.body), upstream: round(ms.upstream) },
          ...(logIp && clientIp ? { ip: clientIp } : {}),
        }),
      );
    }
    return output;
  }

  const app = new Hono();
  app.use('*', noStore, closeOnError);
  app.use(path, ...corsFor(originCheck, ['Authorization', 'Content-Type', ...forwarded], options.credentials));
  app.all(path, (c) => fail(c, 405, 'method-not-allowed', 'Use POST'));
  app.notFound((c) => fail(c, 404, 'not-found', 'No such route'));
  app.onError((_error, c) => fail(c, 500, 'internal-error', 'Internal error'));
  const other = async (request: Request) => app.fetch(request);

  return {
    path,
    check,
    other,
    async fetch(request) {
      if (request.method !== 'POST' || new URL(request.url).pathname !== path) return other(request);
      const output = await check({
        header: (name) => request.headers.get(name) ?? undefined,
        request: () => request,
        readBody: (limit, watch) => readRequestBody(request, limit, watch),
        discardBody: (limit, ms) => discardRequestBody(request, limit, ms),
        signal: request.signal,
      });
      return new Response(output.body, { status: output.status, headers: output.headers });
    },
  };
}
