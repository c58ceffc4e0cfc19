import * as z from 'zod/mini';
import type { LivenessErrorDetail } from './errors.ts';
import { DEFAULT_THRESHOLD, type Verdict, verdictFor } from './verdict.ts';

/** What a response parser returns: a validated score and verdict, or the error to report. */
export type ParsedLivenessResponse =
  | { ok: true; score: number; threshold: number; verdict: Verdict; message?: string; sandbox?: boolean }
  | { ok: false; error: LivenessErrorDetail };

/** A replacement for the built-in parser (`responseParser` property). */
export type LivenessResponseParser = (status: number, body: unknown, threshold?: number) => ParsedLivenessResponse;

// Digits with an optional fraction and percent sign; no exponent, so "1e309", "NaN" and "Infinity" never pass.
const NUMERIC_SCORE = /^\s*(\d{1,3}(?:\.\d+)?)\s*%?\s*$/;

const scoreValue = z.union([z.number(), z.string()]);
const envelope = z.object({
  status: z.optional(z.unknown()),
  Status: z.optional(z.unknown()),
  message: z.optional(z.unknown()),
  Message: z.optional(z.unknown()),
  error: z.optional(z.unknown()),
  sandbox: z.optional(z.unknown()),
  score: z.optional(z.nullable(scoreValue)),
  data: z.optional(z.nullable(z.object({ score: z.optional(z.nullable(scoreValue)) }))),
});

/** A score on the 0–100 scale, never rescaled: 0.9 means 0.9 %. */
export function parseScore(value: unknown): number | undefined {
  let score: number | undefined;
  if (typeof value === 'number') score = value;
  else if (typeof value === 'string') {
    const match = NUMERIC_SCORE.exec(value);
    if (match) score = Number(match[1]);
  }
  return score !== undefined && Number.isFinite(score) && score >= 0 && score <= 100 ? score : undefined;
}

function serverMessage(body: z.infer<typeof envelope>): string | undefined {
  for (const candidate of [body.message, body.Message, body.error]) {
    if (typeof candidate === 'string' && candidate.trim()) return candidate.trim().slice(0, 500);
  }
  return undefined;
}

function failure(code: LivenessErrorDetail['code'], message: string, status: number, retryable = false): ParsedLivenessResponse {
  return { ok: false, error: { code, message, retryable, status } };
}

function httpFailure(status: number, message: string | undefined): ParsedLivenessResponse {
  if (status === 401 || status === 403) {
    return failure('unauthorized', message ?? 'The liveness service refused the credentials.', status);
  }
  const retryable = status === 408 || status === 429 || status >= 500;
  return failure('http', message ?? `The liveness service answered with HTTP ${status}.`, status, retryable);
}

function decode(body: unknown): { json: unknown } | undefined {
  if (typeof body !== 'string') return { json: body };
  try {
    return { json: JSON.parse(body) };
  } catch {
    return undefined;
  }
}

/**
 * Parses an ID Liveness response. Pure and total: it never throws.
 * Accepts the score at `data.score` or `score`, as a number or numeric string on a 0–100 scale;
 * success marked by `status: true`, `Status: "Success"` or no flag; the error text in
 * `message`, `Message` or `error`.
 */
export function parseLivenessResponse(
  status: number,
  body: unknown,
  threshold: number = DEFAULT_THRESHOLD,
): ParsedLivenessResponse {
  const decoded = decode(body);
  const parsed = decoded ? envelope.safeParse(decoded.json) : undefined;
  const fields = parsed?.success ? parsed.data : undefined;
  const message = fields ? serverMessage(fields) : undefined;

  if (!Number.isInteger(status) || status < 200 || status > 299) return httpFailure(status, message);
  if (!decoded) return failure('invalid-response', 'The liveness service did not answer with JSON.', status);
  if (!fields) return failure('invalid-response', 'The liveness service answered with an unexpected shape.', status);

  const flagged = fields.status !== undefined || fields.Status !== undefined;
  const succeeded =
    (fields.status === undefined || fields.status === true) &&
    (fields.Status === undefined || (typeof fields.Status === 'string' && fields.Status.toLowerCase() === 'success'));
  if (flagged && !succeeded) {
    return failure('invalid-response', message ?? 'The liveness service reported a failure.', status);
  }

  const rawScore = fields.data?.score ?? fields.score;
  if (rawScore === undefined || rawScore === null) {
    return failure('invalid-response', message ?? 'The liveness service answered without a score.', status);
  }
  const score = parseScore(rawScore);
  if (score === undefined) {
    return failure('invalid-response', 'The liveness service answered with a score outside 0–100.', status);
  }
  const safeThreshold = Number.isFinite(threshold) ? threshold : DEFAULT_THRESHOLD;
  const result: ParsedLivenessResponse = { ok: true, score, threshold: safeThreshold, verdict: verdictFor(score, safeThreshold) };
  if (message) result.message = message;
  if (fields.sandbox === true) result.sandbox = true;
  return result;
}
