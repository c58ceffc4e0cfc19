/**
 * `accura-id-liveness/server`: the key-holding half. Web-standard Request/Response, so it runs on
 * Node >= 20, Deno, Bun, Cloudflare Workers and Next.js route handlers. Never import it in a browser.
 */
export { createLivenessProxy, fetchTransport, DEFAULT_UPSTREAM_URL } from './proxy.ts';
export type {
  CheckInput,
  CheckObserver,
  CheckOutput,
  CheckRecord,
  LivenessProxy,
  LivenessProxyOptions,
  ProxyAnswer,
  UpstreamReply,
  UpstreamRequest,
  UpstreamTransport,
} from './proxy.ts';
export { createMemoryStore, createRedisStore } from './store.ts';
export type { LivenessEventStore, LivenessStore, RedisCommander, RedisStoreOptions, RedisSubscriber, StoreSetOptions } from './store.ts';
export type { OneTimeTokenOptions, QuotaLimit, QuotaRules } from './guards.ts';
export { mintLivenessToken, verifyLivenessToken, LIVENESS_TOKEN_AUDIENCE } from './tokens.ts';
export type { LivenessToken, LivenessTokenClaims, MintLivenessTokenOptions, TokenSecret } from './tokens.ts';
export { createSandbox, SANDBOX_SCORE_HEADER, SANDBOX_DELAY_HEADER } from './sandbox.ts';
export type { Sandbox, SandboxBody, SandboxOptions } from './sandbox.ts';
export type { AllowedOrigins } from './origins.ts';
export type { LivenessServerError, LivenessServerErrorCode } from './http.ts';
export { createHandoff } from './handoff.ts';
export type { Handoff, HandoffOptions, HandoffPhoneSession, HandoffSession } from './handoff.ts';
