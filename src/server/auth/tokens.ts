/**
 * Short-lived liveness tokens: HS256 JWTs that a host's server mints for a signed-in user and
 * the proxy checks, bound to the page's origin and optionally to a country and card code.
 */
import { type JWTPayload, SignJWT, base64url, compactVerify, errors } from 'jose';
import { normalizeCardCode, normalizeCountryCode } from '../proxy/liveness-form.ts';

/** The `aud` claim of every liveness token. */
export const LIVENESS_TOKEN_AUDIENCE = 'accura-id-liveness';

/** An HMAC secret: a string (UTF-8) or raw bytes. Use 32 random bytes or more. */
export type TokenSecret = string | Uint8Array;

export interface MintLivenessTokenOptions {
  secret: TokenSecret;
  /** Lifetime in whole seconds. Default 300. */
  ttlSeconds?: number;
  /** The page origin allowed to use the token, e.g. `https://shop.example` (the request's Origin header). */
  origin: string;
  /** Binds the token to this ISO alpha-3 country code (uppercased). */
  countryCode?: string;
  /** Binds the token to this card code, e.g. `MRZ`. */
  cardCode?: string;
  /** Who the token is for (`sub`), e.g. your user id: the key of per-subject quotas. Never logged. */
  subject?: string;
  /** Binds the token to one cross-device handoff session: the proxy reports its answer to that session. Set by `createHandoff`. */
  handoff?: string;
}

export interface LivenessToken {
  token: string;
  /** When the token stops working, in epoch milliseconds. */
  expiresAt: number;
}

/** What a valid token says. Times are epoch milliseconds. */
export interface LivenessTokenClaims {
  origin: string;
  countryCode?: string;
  cardCode?: string;
  subject?: string;
  /** The handoff session the token belongs to (a phone's token). */
  handoff?: string;
  jti: string;
  issuedAt: number;
  expiresAt: number;
}

function toKey(secret: TokenSecret): Uint8Array {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (key.length === 0) throw new TypeError('The liveness token secret is empty');
  return key;
}

function checkedCode(value: string | undefined, normalize: (value: string) => string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const code = normalize(value);
  if (!code) throw new TypeError(`Invalid ${name}: ${JSON.stringify(value)}`);
  return code;
}

/** Mints a token for one page origin. Throws a TypeError/RangeError on bad options. */
export async function mintLivenessToken(options: MintLivenessTokenOptions): Promise<LivenessToken> {
  const { ttlSeconds = 300, origin } = options;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError('ttlSeconds must be a positive whole number');
  if (typeof origin !== 'string' || origin === '') throw new TypeError('origin is required');
  const countryCode = checkedCode(options.countryCode, normalizeCountryCode, 'countryCode');
  const cardCode = checkedCode(options.cardCode, normalizeCardCode, 'cardCode');
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + ttlSeconds;
  if (options.subject !== undefined && (typeof options.subject !== 'string' || options.subject === ''))
    throw new TypeError('subject must be a non-empty string');
  if (options.handoff !== undefined && (typeof options.handoff !== 'string' || options.handoff === ''))
    throw new TypeError('handoff must be a non-empty string');
  const jwt = new SignJWT({ origin, country_code: countryCode, card_code: cardCode, handoff: options.handoff });
  if (options.subject !== undefined) jwt.setSubject(options.subject);
  const token = await jwt
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(LIVENESS_TOKEN_AUDIENCE)
    .setJti(crypto.randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(toKey(options.secret));
  return { token, expiresAt: expiresAt * 1000 };
}

// Importing the HMAC key is most of a WebCrypto verification's cost: keep one CryptoKey per secret.
const verifyKeys = new Map<string, Promise<CryptoKey>>();
const verifyKeysOfBytes = new WeakMap<Uint8Array, Promise<CryptoKey>>();
function verifyKey(secret: TokenSecret): Promise<CryptoKey> {
  const cached = typeof secret === 'string' ? verifyKeys.get(secret) : verifyKeysOfBytes.get(secret);
  if (cached) return cached;
  const key = crypto.subtle.importKey('raw', toKey(secret) as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ]);
  if (typeof secret === 'string') {
    if (verifyKeys.size >= 16) verifyKeys.clear(); // a few secrets per process; never an unbounded map
    verifyKeys.set(secret, key);
  } else verifyKeysOfBytes.set(secret, key);
  return key;
}

type NodeCrypto = typeof import('node:crypto');
let nodeCryptoLookup: { module: NodeCrypto | undefined } | undefined;
/**
 * Node's own HMAC where there is one (Node >= 20.16, Bun, Deno): a WebCrypto job per token cost the
 * proxy more CPU than reading the image under load. Elsewhere (Workers, Next.js Edge) jose's WebCrypto
 * path. Looked up on first use and by computed names: bundlers for edge runtimes refuse a build that
 * names `process.getBuiltinModule`, and some runtimes forbid touching `process` at module scope.
 */
function nodeCrypto(): NodeCrypto | undefined {
  if (!nodeCryptoLookup) {
    const host = (globalThis as Record<string, unknown>)['proc' + 'ess'] as Record<string, unknown> | undefined;
    const getBuiltin = host?.['getBuiltin' + 'Module'];
    let module: NodeCrypto | undefined;
    try {
      module = typeof getBuiltin === 'function' ? (getBuiltin.call(host, 'node:crypto') as NodeCrypto | undefined) : undefined;
    } catch {
      module = undefined;
    }
    nodeCryptoLookup = { module: typeof module?.createHmac === 'function' ? module : undefined };
  }
  return nodeCryptoLookup.module;
}

const decodeJson = (part: string): unknown => JSON.parse(new TextDecoder().decode(base64url.decode(part)));

/** The payload of a compact HS256 JWS whose signature is good; throws a jose error otherwise. */
async function verifiedPayload(token: string, secret: TokenSecret): Promise<JWTPayload> {
  const node = nodeCrypto();
  if (!node) {
    const { payload } = await compactVerify(token, await verifyKey(secret), { algorithms: ['HS256'] });
    return parsePayload(payload);
  }
  const [header, payload, signature, ...rest] = token.split('.');
  if (rest.length > 0 || !header || !payload || signature === undefined) throw new errors.JWSInvalid('Invalid Compact JWS');
  let protectedHeader: unknown;
  try {
    protectedHeader = decodeJson(header);
  } catch {
    throw new errors.JWSInvalid('JWS Protected Header is invalid');
  }
  // As jose's algorithms: ['HS256']: nothing else, no `crit` extensions, no unencoded payloads.
  const fields = protectedHeader as { alg?: unknown; crit?: unknown; b64?: unknown } | null;
  if (typeof fields !== 'object' || fields === null || fields.alg !== 'HS256' || fields.crit !== undefined || fields.b64 !== undefined) {
    throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  }
  const expected = node.createHmac('sha256', toKey(secret)).update(`${header}.${payload}`).digest();
  let given: Uint8Array;
  try {
    given = base64url.decode(signature);
  } catch {
    throw new errors.JWSSignatureVerificationFailed();
  }
  if (given.length !== expected.length || !node.timingSafeEqual(given, expected)) throw new errors.JWSSignatureVerificationFailed();
  return parsePayload(base64url.decode(payload));
}

function parsePayload(bytes: Uint8Array): JWTPayload {
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new errors.JWTInvalid('JWT Claims Set must be a JSON object');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new errors.JWTInvalid('JWT Claims Set must be a JSON object');
  return payload as JWTPayload;
}

/** Checks signature (HS256 only), expiry and audience; throws a jose error when the token is not valid. */
export async function verifyLivenessToken(token: string, secret: TokenSecret): Promise<LivenessTokenClaims> {
  const payload = await verifiedPayload(token, secret);
  const now = Math.floor(Date.now() / 1000);
  const claim = (name: string, reason: string) =>
    new errors.JWTClaimValidationFailed(`"${name}" claim ${reason}`, payload, name, 'check_failed');
  for (const name of ['exp', 'iat'] as const)
    if (typeof payload[name] !== 'number' || !Number.isFinite(payload[name])) throw claim(name, 'must be a number');
  if (typeof payload.jti !== 'string' || payload.jti === '') throw claim('jti', 'is missing');
  if (payload.exp! <= now) throw new errors.JWTExpired('"exp" claim timestamp check failed', payload, 'exp', 'check_failed');
  if (payload.nbf !== undefined && !(typeof payload.nbf === 'number' && payload.nbf <= now)) throw claim('nbf', 'timestamp check failed');
  const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audience.includes(LIVENESS_TOKEN_AUDIENCE)) throw claim('aud', 'unexpected value');
  const { origin, country_code: countryCode, card_code: cardCode, handoff, sub: subject, jti, iat, exp } = payload;
  const optionalString = (value: unknown) => value === undefined || typeof value === 'string';
  if (
    typeof origin !== 'string' ||
    origin === '' ||
    !optionalString(countryCode) ||
    !optionalString(cardCode) ||
    !optionalString(handoff)
  ) {
    throw new errors.JWTClaimValidationFailed('The token lacks a valid origin or code binding', payload, 'origin', 'invalid');
  }
  return {
    origin,
    countryCode: countryCode as string | undefined,
    cardCode: cardCode as string | undefined,
    subject,
    ...(handoff === undefined ? {} : { handoff: handoff as string }),
    jti: jti!,
    issuedAt: iat! * 1000,
    expiresAt: exp! * 1000,
  };
}
