/**
 * One-time tokens and quotas, kept in a {@link LivenessStore} so that every instance of a host
 * sees the same counts. Pure decisions over the store; the proxy calls them in its check order.
 */
import type { LivenessStore } from '../store/store.ts';

/**
 * How often one token may be used. The widget retries a check twice on a network error, a 429 or
 * a 5xx (with at most 10 s of backoff each), and after a 401 it asks for a new token: so one check
 * needs at most 3 attempts within a couple of minutes, and a token is spent once Accura has answered.
 */
export interface OneTimeTokenOptions {
  /** Attempts per token: one check plus its retries. Default 3. */
  attempts?: number;
  /** The attempts must fall within this many seconds of the first. Default 120. */
  windowSeconds?: number;
}

/** Checks allowed per minute and per day for one key (a token subject, an IP, an origin). */
export interface QuotaLimit {
  perMinute?: number;
  perDay?: number;
}

/** Quotas that protect the host's Accura bill; each is counted across every instance sharing the store. */
export interface QuotaRules {
  /** Per token subject (`sub`, set with `mintLivenessToken({ subject })`): your user. */
  subject?: QuotaLimit;
  /** Per client IP address. */
  ip?: QuotaLimit;
  /** Per page origin. */
  origin?: QuotaLimit;
}

export type QuotaScope = keyof QuotaRules;

const tokenKey = (jti: string) => `jti:${jti}`;

/**
 * Counts one attempt with token `jti`. Refused once the attempts are used up, or once the token has
 * been {@link spendToken spent}. `first` is true for the token's first attempt.
 */
export async function claimTokenAttempt(
  store: LivenessStore,
  jti: string,
  expiresAt: number,
  options: Required<OneTimeTokenOptions>,
): Promise<{ ok: boolean; first: boolean }> {
  // The key outlives neither the window nor the token (whose expiry is checked separately).
  const ttlMs = Math.max(1_000, Math.min(options.windowSeconds * 1000, expiresAt - Date.now() + 1_000));
  const count = await store.increment(tokenKey(jti), ttlMs);
  return { ok: count <= options.attempts, first: count === 1 };
}

/** Marks the token as used for good: Accura answered, so the widget will not retry with it. */
export async function spendToken(store: LivenessStore, jti: string, options: Required<OneTimeTokenOptions>): Promise<void> {
  await store.set(tokenKey(jti), String(options.attempts), { ttlMs: options.windowSeconds * 1000 });
}

const WINDOWS = [
  { name: 'm', limit: 'perMinute', ms: 60_000 },
  { name: 'd', limit: 'perDay', ms: 86_400_000 },
] as const;

/** Refused: which quota, and when its window ends. */
export interface QuotaRefusal {
  scope: QuotaScope;
  window: 'minute' | 'day';
  retryAfterSeconds: number;
}

/**
 * Charges one check to every quota that applies (fixed windows: the current minute and day, in
 * UTC). Returns the refusal with the longest wait, or undefined when every quota has room.
 */
export async function chargeQuotas(
  store: LivenessStore,
  rules: QuotaRules,
  subjects: Partial<Record<QuotaScope, string>>,
  now = Date.now(),
): Promise<QuotaRefusal | undefined> {
  const charges: Promise<QuotaRefusal | undefined>[] = [];
  for (const scope of Object.keys(rules) as QuotaScope[]) {
    const value = subjects[scope];
    if (value === undefined || value === '') continue;
    for (const window of WINDOWS) {
      const limit = rules[scope]?.[window.limit];
      if (limit === undefined) continue;
      const index = Math.floor(now / window.ms);
      const endsAt = (index + 1) * window.ms;
      charges.push(
        store
          .increment(`quota:${scope}:${window.name}${index}:${value}`, endsAt - now + 1_000)
          .then((count) =>
            count > limit
              ? { scope, window: window.name === 'm' ? 'minute' : 'day', retryAfterSeconds: Math.max(1, Math.ceil((endsAt - now) / 1000)) }
              : undefined,
          ),
      );
    }
  }
  const refusals = (await Promise.all(charges)).filter((refusal) => refusal !== undefined);
  return refusals.sort((a, b) => b.retryAfterSeconds - a.retryAfterSeconds)[0];
}
