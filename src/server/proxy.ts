/**
 * The liveness proxy: the only place that holds the Accura API key. It checks the caller's
 * token, origin, size, fields and image type before anything reaches the Accura API.
 */
import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { MIME_TYPES, isSendableFormat, sniffFormat } from '../lib/sniff.ts';
import { DEFAULT_MAX_BYTES, FORM_FIELD_ALLOWANCE, readLivenessForm } from './form.ts';
import { closeOnError, fail, limitBody, noStore } from './http.ts';
import { type AllowedOrigins, corsFor, toOriginCheck } from './origins.ts';
import { SANDBOX_HEADERS } from './sandbox.ts';
import { type LivenessTokenClaims, type TokenSecret, verifyLivenessToken } from './tokens.ts';

/** Accura Scan's ID Liveness endpoint. */
export const DEFAULT_UPSTREAM_URL = 'https://api.accurascan.com/v2/api/id-liveness';

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
  /** The fetch used for the upstream call. Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** The route. Default `/api/id-liveness`. */
  path?: string;
  /**
   * Pass the sandbox's test headers (`X-Accura-Sandbox-Score`, `X-Accura-Sandbox-Delay-Ms`)
   * through to the upstream. Only for a sandbox upstream; default false.
   */
  forwardSandboxHeaders?: boolean;
  /** Send `Access-Control-Allow-Credentials: true`. Default false. */
  credentials?: boolean;
}

/** A Web-standard handler: give it a Request, get a Response. */
export interface LivenessProxy {
  fetch(request: Request): Promise<Response>;
}

type ProxyEnv = { Variables: { claims: LivenessTokenClaims } };

/** Builds the proxy. Mount `proxy.fetch` on the route given by `path` (POST and OPTIONS). */
export function createLivenessProxy(options: LivenessProxyOptions): LivenessProxy {
  const {
    apiKey,
    upstreamUrl = DEFAULT_UPSTREAM_URL,
    tokenSecret,
    maxBytes = DEFAULT_MAX_BYTES,
    timeoutMs = 30_000,
    fetch: upstreamFetch = globalThis.fetch,
    path = '/api/id-liveness',
    forwardSandboxHeaders = false,
  } = options;
  if (!apiKey) throw new TypeError('createLivenessProxy: apiKey is required');
  if (!tokenSecret || tokenSecret.length === 0) throw new TypeError('createLivenessProxy: tokenSecret is required');
  const isAllowed = toOriginCheck(options.allowedOrigins);
  const forwarded = forwardSandboxHeaders ? SANDBOX_HEADERS : [];

  const authenticate: MiddlewareHandler<ProxyEnv> = async (c, next) => {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token) return fail(c, 401, 'unauthorized', 'A liveness token is required: Authorization: Bearer <token>');
    let claims: LivenessTokenClaims;
    try {
      claims = await verifyLivenessToken(token, tokenSecret);
    } catch {
      return fail(c, 401, 'unauthorized', 'The liveness token is invalid or expired');
    }
    if (claims.origin !== c.req.header('origin')) return fail(c, 403, 'token-binding', 'The liveness token was issued for another origin');
    c.set('claims', claims);
    await next();
  };

  const checkOrigin: MiddlewareHandler = async (c, next) => {
    if (!isAllowed(c.req.header('origin') ?? '', c.req.raw)) return fail(c, 403, 'forbidden-origin', 'This origin may not call this server');
    await next();
  };

  const tooLarge = (c: Parameters<MiddlewareHandler>[0]) => fail(c, 413, 'payload-too-large', `The body is larger than ${maxBytes} bytes plus form fields`);

  const app = new Hono<ProxyEnv>();
  app.use('*', noStore, closeOnError);
  app.use(path, ...corsFor(isAllowed, ['Authorization', 'Content-Type', ...forwarded], options.credentials));
  app.post(path, authenticate, checkOrigin, ...limitBody(maxBytes + FORM_FIELD_ALLOWANCE, tooLarge), async (c) => {
    const form = await readLivenessForm(c.req.raw, maxBytes);
    if (!form.ok) return fail(c, form.status, form.code, form.message);
    const { countryCode, cardCode } = c.get('claims');
    if ((countryCode && countryCode !== form.countryCode) || (cardCode && cardCode !== form.cardCode)) {
      return fail(c, 403, 'token-binding', 'The liveness token was issued for another country or card code');
    }
    const format = sniffFormat(form.image);
    if (!isSendableFormat(format)) return fail(c, 415, 'unsupported-media-type', `liveness_image must be a JPEG, PNG or WebP image, not ${format}`);

    // Only the three fields go upstream, with a name and type taken from the bytes, not the client.
    const body = new FormData();
    body.set('liveness_image', new File([form.image], `liveness.${format}`, { type: MIME_TYPES[format] }));
    body.set('country_code', form.countryCode);
    body.set('card_code', form.cardCode);
    const headers = new Headers({ 'Api-Key': apiKey, Accept: 'application/json' });
    for (const name of forwarded) {
      const value = c.req.header(name);
      if (value !== undefined) headers.set(name, value);
    }

    let status: number;
    let text: string;
    try {
      const upstream = await upstreamFetch(upstreamUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      status = upstream.status;
      text = await upstream.text();
    } catch (error) {
      return (error as Error | undefined)?.name === 'TimeoutError'
        ? fail(c, 504, 'upstream-timeout', `The liveness API did not answer within ${timeoutMs} ms`)
        : fail(c, 502, 'upstream-unreachable', 'The liveness API could not be reached');
    }
    try {
      JSON.parse(text);
    } catch {
      return fail(c, 502, 'upstream-invalid-response', 'The liveness API answered with something other than JSON');
    }
    return new Response(text, { status, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
  });
  app.all(path, (c) => fail(c, 405, 'method-not-allowed', 'Use POST'));
  app.notFound((c) => fail(c, 404, 'not-found', 'No such route'));
  app.onError((_error, c) => fail(c, 500, 'internal-error', 'Internal error'));

  return { fetch: async (request) => app.fetch(request) };
}
