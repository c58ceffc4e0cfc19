/**
 * Stable error codes. Hosts `switch (e.detail.code)`, so a code never changes meaning.
 * - `config`: a missing endpoint, country code or card code.
 * - `invalid-file`: empty, corrupt or truncated image.
 * - `unsupported-format`: not JPEG, PNG or WebP (HEIC where the browser can't decode it).
 * - `image-too-small`: below the minimum resolution.
 * - `image-too-large`: above the pixel cap (a decompression bomb) or the byte cap.
 * - `compression-failed`: the image could not be brought under `maxBytes`.
 * - `network`, `timeout`, `unauthorized`, `http`, `invalid-response`, `aborted`.
 * - `upstream-unauthorized`: the liveness service refused the server's API key (the proxy's code of the same
 *   name). Only the site owner can fix it: not retried, and no new token is fetched for it.
 * - `rejected`: a well-formed answer saying the service refused the check (bad card or country code, bad key,
 *   file too large); the message is the service's own.
 * - `camera-denied`, `camera-unavailable`, `camera-in-use`: the camera could not start; upload still works.
 * - `camera-timeout`: the browser never answered the camera request (in-app browsers, WebViews): the user is
 *   offered a photo, another phone, or the page in their browser. `camera-stalled`: the camera stopped sending
 *   pictures, or only black ones, and a replay and a restart did not bring it back.
 * - `handoff-not-found`, `handoff-taken` (another phone opened the link), `handoff-expired`, `handoff-closed`
 *   (cancelled or already complete), `handoff-failed` (the phone's check failed): cross-device handoff.
 */
export type LivenessErrorCode =
  | 'config'
  | 'invalid-file'
  | 'unsupported-format'
  | 'image-too-small'
  | 'image-too-large'
  | 'compression-failed'
  | 'network'
  | 'timeout'
  | 'unauthorized'
  | 'upstream-unauthorized'
  | 'http'
  | 'invalid-response'
  | 'rejected'
  | 'aborted'
  | 'camera-denied'
  | 'camera-unavailable'
  | 'camera-in-use'
  | 'camera-timeout'
  | 'camera-stalled'
  | 'handoff-not-found'
  | 'handoff-taken'
  | 'handoff-expired'
  | 'handoff-closed'
  | 'handoff-failed';

/** The detail of a `liveness-error` event. */
export interface LivenessErrorDetail {
  code: LivenessErrorCode;
  message: string;
  /** True when the same image may succeed on another try. */
  retryable: boolean;
  /** HTTP status, when the error came from a response. */
  status?: number;
  /**
   * For `invalid-response` on an unknown shape: the body's key names (`data.*` for keys inside `data`),
   * never values, so a host can write a `responseParser`.
   */
  keys?: string[];
  /** `handoff` when the check ran on the user's phone (cross-device handoff). */
  source?: 'handoff';
}

const RETRYABLE_CODES: ReadonlySet<LivenessErrorCode> = new Set(['network', 'timeout', 'compression-failed']);

/** The one error type the pipeline throws; `check()` rejects with it and `liveness-error` carries its detail. */
export class LivenessError extends Error {
  readonly code: LivenessErrorCode;
  readonly retryable: boolean;
  readonly status?: number;
  readonly keys?: string[];

  constructor(code: LivenessErrorCode, message: string, options: { retryable?: boolean; status?: number; keys?: string[] } = {}) {
    super(message);
    this.name = 'LivenessError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_CODES.has(code);
    if (options.status !== undefined) this.status = options.status;
    if (options.keys !== undefined) this.keys = [...options.keys];
  }

  get detail(): LivenessErrorDetail {
    const detail: LivenessErrorDetail = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.status !== undefined) detail.status = this.status;
    if (this.keys !== undefined) detail.keys = [...this.keys];
    return detail;
  }

  /** Wraps anything thrown into a LivenessError, keeping one that already is. */
  static from(error: unknown, fallback: LivenessErrorCode = 'invalid-file'): LivenessError {
    if (error instanceof LivenessError) return error;
    if (error instanceof DOMException && error.name === 'AbortError') return new LivenessError('aborted', 'The check was cancelled.');
    const message = error instanceof Error ? error.message : String(error);
    return new LivenessError(fallback, message);
  }
}

/** `work`, or `late()`'s error once `ms` pass without it settling (the work itself is left to finish or not). */
export function withDeadline<T>(work: Promise<T>, ms: number, late: () => LivenessError): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
