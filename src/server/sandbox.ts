/**
 * A stand-in for the Accura endpoint, for demos and tests without an API key. It checks the
 * request like the real API but does NOT judge liveness: its score is a hash of the bytes.
 */
import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isSendableFormat, sniffFormat } from '../image/sniff.ts';
import { DEFAULT_MAX_BYTES, FORM_FIELD_ALLOWANCE, imageBytes, readLivenessForm } from './proxy/liveness-form.ts';
import { closeOnError, limitBody, noStore } from './http.ts';

/** Forces the sandbox score (0-100). Only the sandbox reads it. */
export const SANDBOX_SCORE_HEADER = 'X-Accura-Sandbox-Score';
/** Delays the sandbox's success answer by this many ms (at most 60,000), to test slow upstreams. */
export const SANDBOX_DELAY_HEADER = 'X-Accura-Sandbox-Delay-Ms';
/** The headers a proxy with `forwardSandboxHeaders` passes on. */
export const SANDBOX_HEADERS: readonly string[] = [SANDBOX_SCORE_HEADER, SANDBOX_DELAY_HEADER];

const MAX_DELAY_MS = 60_000;

export interface SandboxOptions {
  /** When set, `Api-Key` must equal it; otherwise any non-empty key is accepted. */
  apiKey?: string;
  /** Largest image in bytes. Default 1,000,000, like the real API. */
  maxBytes?: number;
}

/** A Web-standard handler answering `POST …/v2/api/id-liveness` (under any prefix). */
export interface Sandbox {
  fetch(request: Request): Promise<Response>;
}

/** Body of every sandbox answer. `sandbox: true` always: nothing here is a liveness result. */
export type SandboxBody =
  { status: true; sandbox: true; message: string; data: { score: number } } | { status: false; sandbox: true; message: string };

/** SHA-256 of the bytes mapped to 0-100 with two decimals: stable per image, meaningless as liveness. */
export async function sandboxScore(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const digest = new DataView(await crypto.subtle.digest('SHA-256', bytes));
  return Math.round((digest.getUint32(0) / 0xffffffff) * 10_000) / 100;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/**
 * Builds the sandbox. Its answers always say `sandbox: true`; errors are Accura-like
 * `{ status: false, sandbox: true, message }` with 400, 401, 413 or 415.
 */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const { apiKey, maxBytes = DEFAULT_MAX_BYTES } = options;
  const refuse = (c: Context, status: ContentfulStatusCode, message: string) =>
    c.json({ status: false, sandbox: true, message } satisfies SandboxBody, status);

  const route: MiddlewareHandler = async (c, next) => (c.req.path.endsWith('/v2/api/id-liveness') ? next() : refuse(c, 404, 'Not found'));
  const checkKey: MiddlewareHandler = async (c, next) => {
    const key = c.req.header('api-key');
    if (!key || (apiKey !== undefined && key !== apiKey)) return refuse(c, 401, 'Invalid or missing Api-Key');
    await next();
  };

  const app = new Hono();
  app.use('*', noStore, closeOnError);
  app.post('*', route, checkKey, ...limitBody(maxBytes + FORM_FIELD_ALLOWANCE, (c) => refuse(c, 413, 'Request too large')), async (c) => {
    const form = await readLivenessForm(c.req.raw, maxBytes);
    if (!form.ok) return refuse(c, form.status, form.message);
    if (!isSendableFormat(sniffFormat(form.imageHead))) return refuse(c, 415, 'liveness_image must be a JPEG, PNG or WebP image');

    const forced = c.req.header(SANDBOX_SCORE_HEADER);
    const score = forced === undefined ? await sandboxScore(imageBytes(form)) : Number(forced);
    if (forced !== undefined && !(forced.trim() !== '' && score >= 0 && score <= 100)) {
      return refuse(c, 400, `${SANDBOX_SCORE_HEADER} must be a number from 0 to 100`);
    }
    const delay = Number(c.req.header(SANDBOX_DELAY_HEADER) ?? 0);
    if (delay > 0) await sleep(Math.min(delay, MAX_DELAY_MS), c.req.raw.signal);
    return c.json({ status: true, sandbox: true, message: 'Sandbox: not a real liveness check', data: { score } } satisfies SandboxBody);
  });
  app.notFound((c) => refuse(c, 404, 'Not found'));
  app.onError((_error, c) => refuse(c, 500, 'Internal error'));

  return { fetch: async (request) => app.fetch(request) };
}
