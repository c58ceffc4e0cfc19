/**
 * The whole check as one sequence: validate the configuration, prepare the image, post it
 * (with token refresh and retries), parse the answer. The element only renders what this reports.
 */
import { ACCURA_ENDPOINT } from './endpoint.ts';
import { LivenessError } from './errors.ts';
import { fileNameFor } from '../image/image-rules.ts';
import type { PreparedImage } from '../image/prepare.ts';
import { type LivenessResponseParser, parseLivenessResponse } from './response.ts';
import { MAX_RETRIES, RETRYABLE_STATUSES, retryDelayMs, sleep } from './retry.ts';
import { type UploadResponse, sendLivenessRequest } from './post.ts';
import { type Verdict, verdictFor } from './verdict.ts';

/** The detail of a `liveness-result` event. */
export interface LivenessResult {
  /** 0–100, as the service gave it (never rescaled). */
  score: number;
  threshold: number;
  /** `live` if and only if `score > threshold`. */
  verdict: Verdict;
  countryCode: string;
  cardCode: string;
  /** The image that was sent. */
  image: { bytes: number; width: number; height: number; type: string };
  /** From the start of preparing to the parsed answer. */
  durationMs: number;
  /** The raw JSON the service answered. */
  response: unknown;
  /** True when a sandbox answered: the score is not a liveness judgement. */
  sandbox: boolean;
  /** `handoff` when the photo was taken and checked on the user's phone; `response` then holds only the score. */
  source?: 'handoff';
}

/** The detail of a `liveness-progress` event. */
export interface LivenessProgress {
  stage: 'preparing' | 'uploading';
  loaded: number;
  total: number;
}

export interface CheckConfig {
  endpoint?: string;
  token?: string;
  apiKey?: string;
  getToken?: () => Promise<string>;
  countryCode?: string;
  cardCode?: string;
  threshold: number;
  maxBytes: number;
  timeout: number;
  withCredentials: boolean;
  responseParser?: LivenessResponseParser;
}

export interface CheckHooks {
  prepare: (image: Blob, maxBytes: number, signal: AbortSignal) => Promise<PreparedImage>;
  onPrepared?: (image: PreparedImage) => void;
  onProgress?: (progress: LivenessProgress) => void;
  signal: AbortSignal;
}

/** The configuration a check can run with, or the `config` error that says what is missing. */
export function resolveConfig(config: CheckConfig): CheckConfig & { endpoint: string; countryCode: string; cardCode: string } {
  const endpoint = config.endpoint || (config.apiKey ? ACCURA_ENDPOINT : '');
  if (!endpoint) throw new LivenessError('config', 'No endpoint is set: give the element an `endpoint` attribute.');
  const countryCode = (config.countryCode ?? '').trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(countryCode)) {
    throw new LivenessError('config', 'A three-letter `country-code` (ISO 3166 alpha-3, such as USA) is required.');
  }
  const cardCode = (config.cardCode ?? '').trim();
  if (!cardCode) throw new LivenessError('config', 'A `card-code` (such as MRZ) is required.');
  // Copied field by field: the element's properties are accessors, which a spread would skip.
  return {
    endpoint,
    countryCode,
    cardCode,
    token: config.token,
    apiKey: config.apiKey,
    getToken: config.getToken,
    threshold: config.threshold,
    maxBytes: config.maxBytes,
    timeout: config.timeout,
    withCredentials: config.withCredentials,
    responseParser: config.responseParser,
  };
}

async function fetchToken(getToken: () => Promise<string>): Promise<string> {
  try {
    const token = await getToken();
    if (typeof token !== 'string' || !token) throw new Error('empty token');
    return token;
  } catch {
    throw new LivenessError('unauthorized', 'Could not get permission to check the document. Try again.', { retryable: true });
  }
}

const UPSTREAM_UNAUTHORIZED =
  "The liveness service refused the site's server key. The site owner needs to check the API key set on the server.";

/** The error code our proxy put in an error answer (`{ status: false, code }`), if any. */
function proxyCode(response: UploadResponse): string | undefined {
  if (response.status < 400) return undefined;
  const body = parseJson(response.body);
  return body !== null && typeof body === 'object' && typeof (body as { code?: unknown }).code === 'string'
    ? (body as { code: string }).code
    : undefined;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** Runs one check end to end. Rejects only with a LivenessError. */
export async function runLivenessCheck(image: Blob, rawConfig: CheckConfig, hooks: CheckHooks): Promise<LivenessResult> {
  const started = performance.now();
  try {
    const config = resolveConfig(rawConfig);
    hooks.onProgress?.({ stage: 'preparing', loaded: 0, total: 1 });
    const prepared = await hooks.prepare(image, config.maxBytes, hooks.signal);
    if (prepared.bytes > config.maxBytes || prepared.blob.size > config.maxBytes) {
      throw new LivenessError('compression-failed', 'The prepared image is over the size limit.');
    }
    hooks.onPrepared?.(prepared);
    hooks.onProgress?.({ stage: 'preparing', loaded: 1, total: 1 });

    const response = await upload(prepared, config, hooks);
    if (proxyCode(response) === 'upstream-unauthorized') {
      throw new LivenessError('upstream-unauthorized', UPSTREAM_UNAUTHORIZED, { retryable: false, status: response.status });
    }
    const parsed = (config.responseParser ?? parseLivenessResponse)(response.status, response.body, config.threshold);
    if (!parsed.ok) throw new LivenessError(parsed.error.code, parsed.error.message, parsed.error);
    // A host parser is trusted for shape only: the score and verdict are checked here too.
    if (!Number.isFinite(parsed.score) || parsed.score < 0 || parsed.score > 100) {
      throw new LivenessError('invalid-response', 'The response parser returned a score outside 0–100.');
    }
    return {
      score: parsed.score,
      threshold: config.threshold,
      verdict: verdictFor(parsed.score, config.threshold),
      countryCode: config.countryCode,
      cardCode: config.cardCode,
      image: { bytes: prepared.bytes, width: prepared.width, height: prepared.height, type: prepared.type },
      durationMs: Math.round(performance.now() - started),
      response: parseJson(response.body),
      sandbox: parsed.sandbox === true,
    };
  } catch (error) {
    throw LivenessError.from(error, 'network');
  }
}

async function upload(prepared: PreparedImage, config: ReturnType<typeof resolveConfig>, hooks: CheckHooks): Promise<UploadResponse> {
  let token = config.getToken ? await fetchToken(config.getToken) : config.token;
  let refreshed = false;
  for (let retries = 0; ;) {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (config.apiKey) headers['Api-Key'] = config.apiKey;
    let response: UploadResponse | undefined;
    try {
      response = await sendLivenessRequest({
        endpoint: config.endpoint,
        image: prepared.blob,
        fileName: fileNameFor(prepared.type),
        countryCode: config.countryCode,
        cardCode: config.cardCode,
        headers,
        withCredentials: config.withCredentials,
        timeout: config.timeout,
        signal: hooks.signal,
        onProgress: (loaded, total) => hooks.onProgress?.({ stage: 'uploading', loaded, total }),
      });
    } catch (error) {
      const failure = LivenessError.from(error, 'network');
      if (failure.code !== 'network' || retries >= MAX_RETRIES) throw failure;
    }
    // The server's key was refused: neither a new token nor a retry can help.
    if (response && proxyCode(response) === 'upstream-unauthorized') return response;
    if (response?.status === 401 && config.getToken && !refreshed) {
      refreshed = true;
      token = await fetchToken(config.getToken);
      continue;
    }
    if (response && !(RETRYABLE_STATUSES.has(response.status) && retries < MAX_RETRIES)) return response;
    const delay = retryDelayMs(retries, response?.retryAfter);
    if (delay === undefined && response) return response;
    await sleep(delay ?? 0, hooks.signal);
    retries++;
  }
}
