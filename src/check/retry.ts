/** Retry policy for uploads: network errors and overload statuses, twice, with backoff and jitter. */

export const MAX_RETRIES = 2;
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
export const BASE_DELAY_MS = 500;
/** A Retry-After longer than this is not waited for: the error is shown and the user can retry later. */
export const MAX_RETRY_DELAY_MS = 10_000;

/** Parses Retry-After as delta-seconds or an HTTP date, in ms from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` (0 for the first), or undefined when the server asked for
 * a longer wait than we are willing to hold the user for. Jitter spreads retries from many clients.
 */
export function retryDelayMs(
  retry: number,
  retryAfter: string | null | undefined,
  now: number = Date.now(),
  random: () => number = Math.random,
): number | undefined {
  const backoff = BASE_DELAY_MS * 2 ** retry * (0.5 + random() / 2);
  const asked = parseRetryAfter(retryAfter, now);
  const delay = Math.max(backoff, asked ?? 0);
  return delay > MAX_RETRY_DELAY_MS ? undefined : Math.round(delay);
}

/** Waits, or rejects with an AbortError when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DOMException('Aborted', 'AbortError'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DOMException('Aborted', 'AbortError'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
