/** Which browser origins may use the server, and the CORS answers that follow from it. */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { fail } from '../http.ts';

/** A list of exact origins (`https://shop.example`), or a function deciding per request. */
export type AllowedOrigins = readonly string[] | ((origin: string, request: Request) => boolean);

/** The origin the request came to (scheme + Host). Behind a TLS-terminating proxy this is http:, so list the public origin instead. */
export function isSameOrigin(origin: string, request: Request): boolean {
  return origin === new URL(request.url).origin;
}

/** http://localhost, 127.0.0.1 or [::1] on any port: the dev servers. */
export function isLoopbackOrigin(origin: string): boolean {
  return /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/.test(origin);
}

/** One predicate from the option; an empty or absent Origin is never allowed. Default: same origin only. */
export function toOriginCheck(allowed: AllowedOrigins = isSameOrigin): (origin: string, request: Request) => boolean {
  if (typeof allowed === 'function') return (origin, request) => origin !== '' && allowed(origin, request);
  const list = new Set(allowed);
  return (origin) => list.has(origin);
}

/**
 * CORS for one route: preflights from an allowed origin get Hono's cors answer, others a 403
 * (a bare 204 would refuse too, but says less to whoever debugs it).
 */
export function corsFor(
  isAllowed: (origin: string, request: Request) => boolean,
  allowHeaders: string[],
  credentials = false,
): MiddlewareHandler[] {
  const refusePreflight: MiddlewareHandler = async (c, next) => {
    if (c.req.method === 'OPTIONS' && !isAllowed(c.req.header('origin') ?? '', c.req.raw)) {
      return fail(c, 403, 'forbidden-origin', 'This origin may not call this server');
    }
    await next();
  };
  return [
    refusePreflight,
    cors({
      origin: (origin, c) => (isAllowed(origin, c.req.raw) ? origin : null),
      allowMethods: ['POST', 'OPTIONS'],
      allowHeaders,
      credentials,
      maxAge: 600,
    }),
  ];
}
