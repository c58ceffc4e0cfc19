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
  | 'token-binding'
  | 'forbidden-origin'
  | 'payload-too-large'
  | 'missing-field'
  | 'invalid-field'
  | 'malformed-body'
  | 'unsupported-media-type'
  | 'upstream-timeout'
  | 'upstream-unreachable'
  | 'upstream-invalid-response'
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
