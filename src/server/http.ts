/** Hono helpers shared by the proxy, the sandbox and the demo app. Web-standard only. */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Stable error codes of the proxy and the demo routes. A code never changes meaning, so hosts
 * can `switch (body.code)`.
 */
export type LivenessServerErrorCode =
  | 'unauthorized'
  | 'token-used'
  | 'quota-exceeded'
  | 'token-binding'
  | 'forbidden-origin'
  | 'payload-too-large'
  | 'missing-field'
  | 'invalid-field'
  | 'unexpected-field'
  | 'malformed-body'
  | 'unsupported-media-type'
  // Only the WordPress plugin's PHP proxy limits checks per visitor (429 with Retry-After).
  | 'rate-limited'
  | 'upstream-timeout'
  | 'upstream-unreachable'
  | 'upstream-invalid-response'
  // Accura answered 401 or 403: the server's API key is wrong or revoked; no new token can help.
  | 'upstream-unauthorized'
  | 'handoff-not-found'
  | 'handoff-taken'
  | 'handoff-expired'
  | 'handoff-closed'
  | 'not-found'
  | 'method-not-allowed'
  | 'internal-error';

/** The JSON body of every error the proxy answers itself. */
export interface LivenessServerError {
  status: false;
  code: LivenessServerErrorCode;
  message: string;
}

/** Answers `{ status: false, code, message }`. */
export function fail(c: Context, status: ContentfulStatusCode, code: LivenessServerErrorCode, message: string): Response {
  return c.json({ status: false, code, message } satisfies LivenessServerError, status);
}

/** Liveness answers and tokens are per request: no cache may keep them. */
export const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('Cache-Control', 'no-store');
};

/**
 * Error answers close the connection. Most come before the body is read (401, 403, 413), and
 * @hono/node-server drains an unread body for 500 ms at most, then drops the socket: a client that
 * reused it for its next check would get a reset. Runtimes that own the connection ignore the header.
 */
export const closeOnError: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.res.status >= 400) c.res.headers.set('Connection', 'close');
};

/**
 * Hono's bodyLimit, made to count every byte as it arrives. bodyLimit trusts a Content-Length
 * header and then stops counting, and a Request built in process can carry a false one, so we
 * refuse an honest oversized length at once and drop the header before bodyLimit reads.
 */
export function limitBody(maxSize: number, onError: (c: Context) => Response): MiddlewareHandler[] {
  const dropLength: MiddlewareHandler = async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined) {
      if (!(Number(declared) <= maxSize)) return onError(c);
      const headers = new Headers(c.req.raw.headers);
      headers.delete('content-length');
      c.req.raw = new Request(c.req.raw, { headers });
    }
    await next();
  };
  return [dropLength, bodyLimit({ maxSize, onError })];
}
