/**
 * `accura-id-liveness/server`: the key-holding half. Web-standard Request/Response, so it runs on
 * Node >= 20, Deno, Bun, Cloudflare Workers and Next.js route handlers. Never import it in a browser.
 */
export { createLivenessProxy, fetchTransport, DEFAULT_UPSTREAM_URL } from './proxy/proxy.ts';
export type {
  CheckInput,
  CheckObserver,
  CheckOutput,
  CheckRecord,
  FetchLike,
  LivenessProxy,
  LivenessProxyOptions,
  ProxyAnswer,
  UpstreamReply,
  UpstreamRequest,
  UpstreamTransport,
} from './proxy/proxy.ts';
export { createMemoryStore, createRedisStore } from './store/store.ts';
export { createDurableObjectStore, LivenessStoreObject } from './store/durable-object.ts';
export type { DurableObjectStoreOptions, LivenessStoreNamespace, LivenessStoreObjectState } from './store/durable-object.ts';
export type {
  LivenessEventStore,
  LivenessStore,
  RedisCommander,
  RedisStoreOptions,
  RedisSubscriber,
  StoreSetOptions,
} from './store/store.ts';
export type { OneTimeTokenOptions, QuotaLimit, QuotaRules } from './auth/guards.ts';
export { mintLivenessToken, verifyLivenessToken, LIVENESS_TOKEN_AUDIENCE } from './auth/tokens.ts';
export type { LivenessToken, LivenessTokenClaims, MintLivenessTokenOptions, TokenSecret } from './auth/tokens.ts';
export { createSandbox, SANDBOX_SCORE_HEADER, SANDBOX_DELAY_HEADER } from './sandbox.ts';
export type { Sandbox, SandboxBody, SandboxOptions } from './sandbox.ts';
export type { AllowedOrigins } from './auth/origins.ts';
export type { LivenessServerError, LivenessServerErrorCode } from './http.ts';
export { createHandoff } from './handoff/handoff.ts';
export type { Handoff, HandoffOptions, HandoffPhoneSession, HandoffSession } from './handoff/handoff.ts';
