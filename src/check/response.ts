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

/** Where Accura's API family has been seen to put the score, in `data` or at the top level. */
export const SCORE_KEYS = ['score', 'Score', 'liveness_score', 'livenessScore'] as const;
const MESSAGE_KEYS = ['message', 'Message', 'error'] as const;
// Success and failure spellings of `status` / `Status` (strings compared trimmed, in any case).
const SUCCESS_FLAGS: readonly unknown[] = [true, 1, '1', 'true', 'success'];
const FAILURE_FLAGS: readonly unknown[] = [false, 0, '0', 'false', 'fail', 'failed'];
// The shape hint lists key names only, never values, and only so many of them.
const MAX_HINT_KEYS = 40;
const MAX_HINT_KEY_LENGTH = 64;

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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `'success'`, `'failure'`, `'absent'`, or `'unknown'` for a flag no known client sends. */
export function readFlag(value: unknown): 'success' | 'failure' | 'absent' | 'unknown' {
  if (value === undefined) return 'absent';
  const normal = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (SUCCESS_FLAGS.includes(normal)) return 'success';
  if (FAILURE_FLAGS.includes(normal)) return 'failure';
  return 'unknown';
}

function serverMessage(body: Record<string, unknown> | undefined): string | undefined {
  for (const key of MESSAGE_KEYS) {
    const candidate = body?.[key];
    if (typeof candidate === 'string' && candidate.trim()) return candidate.trim().slice(0, 500);
  }
  return undefined;
}

/** The key names of a body, and of its `data`, as a hint for writing a `responseParser`; never values. */
export function shapeKeys(body: Record<string, unknown>): string[] {
  const data = isPlainObject(body.data) ? Object.keys(body.data).map((key) => `data.${key}`) : [];
  return [...Object.keys(body), ...data].slice(0, MAX_HINT_KEYS).map((key) => key.slice(0, MAX_HINT_KEY_LENGTH));
}

function failure(code: LivenessErrorDetail['code'], message: string, status: number, keys?: string[]): ParsedLivenessResponse {
  const error: LivenessErrorDetail = { code, message, retryable: false, status };
  if (keys) error.keys = keys;
  return { ok: false, error };
}

function httpFailure(status: number, message: string | undefined): ParsedLivenessResponse {
  if (status === 401 || status === 403) {
    return failure('unauthorized', message ?? 'The liveness service refused the credentials.', status);
  }
  const retryable = status === 408 || status === 429 || status >= 500;
  return {
    ok: false,
    error: { code: 'http', message: message ?? `The liveness service answered with HTTP ${status}.`, retryable, status },
  };
}

function decode(body: unknown): { json: unknown } | undefined {
  if (typeof body !== 'string') return { json: body };
  try {
    return { json: JSON.parse(body) };
  } catch {
    return undefined;
  }
}

/** Every score the body gives, under any known key, in `data` first and then at the top level. */
function scoreCandidates(body: Record<string, unknown>, data: Record<string, unknown> | undefined): unknown[] {
  return [data, body].flatMap((level) => (level ? SCORE_KEYS.map((key) => level[key]) : [])).filter((value) => value != null);
}

/**
 * Parses an ID Liveness response. Pure and total: it never throws.
 * - Success: `status` or `Status` given as `true`, `1`, `"1"` or `"success"` (any case), or no flag at all.
 * - A well-formed refusal (`false`, `0`, `"0"`, `"fail"`, `"failed"`): `rejected`, with the service's message.
 * - The score: under `score`, `Score`, `liveness_score` or `livenessScore`, in `data` or at the top level, as a
 *   number or numeric string on the 0–100 scale, never rescaled. Keys that disagree are `invalid-response`.
 * - The message: `message`, `Message` or `error`.
 * - An unknown shape: `invalid-response`, whose detail lists the body's key names (never values) in `keys`.
 */
export function parseLivenessResponse(status: number, body: unknown, threshold: number = DEFAULT_THRESHOLD): ParsedLivenessResponse {
  const decoded = decode(body);
  const object = decoded && isPlainObject(decoded.json) ? decoded.json : undefined;
  const message = serverMessage(object);

  if (!Number.isInteger(status) || status < 200 || status > 299) return httpFailure(status, message);
  if (!decoded) return failure('invalid-response', 'The liveness service did not answer with JSON.', status);
  if (!object) return failure('invalid-response', 'The liveness service answered with an unexpected shape.', status);

  const flags = [readFlag(object.status), readFlag(object.Status)].filter((flag) => flag !== 'absent');
  if (flags.includes('unknown') || new Set(flags).size > 1) {
    return failure('invalid-response', 'The liveness service answered with a status this parser does not know.', status, shapeKeys(object));
  }
  if (flags[0] === 'failure') return failure('rejected', message ?? 'The liveness service refused the check.', status);

  const { data } = object;
  if (data != null && !isPlainObject(data)) {
    return failure('invalid-response', 'The liveness service answered with an unexpected shape.', status, shapeKeys(object));
  }
  const candidates = scoreCandidates(object, data ?? undefined);
  if (candidates.length === 0) {
    return failure('invalid-response', message ?? 'The liveness service answered without a score.', status, shapeKeys(object));
  }
  const scores = candidates.map(parseScore);
  const score = scores[0];
  if (score === undefined || scores.includes(undefined)) {
    return failure('invalid-response', 'The liveness service answered with a score outside 0–100.', status);
  }
  if (scores.some((other) => other !== score)) {
    return failure('invalid-response', 'The liveness service answered with two different scores.', status, shapeKeys(object));
  }
  const safeThreshold = Number.isFinite(threshold) ? threshold : DEFAULT_THRESHOLD;
  const result: ParsedLivenessResponse = { ok: true, score, threshold: safeThreshold, verdict: verdictFor(score, safeThreshold) };
  if (message) result.message = message;
  if (object.sandbox === true) result.sandbox = true;
  return result;
}
