/**
 * One server instance as `createDemoApp` wires handoff: the handoff routes and the proxy on one
 * store, the proxy's upstream the sandbox in process, the proxy's answers fed to handoff. For the
 * handoff tests and bench (`npm run serve` itself is tested through scripts/serve.ts).
 */
import { type HandoffOptions, createHandoff } from '../../src/server/handoff/handoff.ts';
import { createLivenessProxy, createSandbox } from '../../src/server/index.ts';
import type { LivenessEventStore } from '../../src/server/store/store.ts';

/** A desktop page origin and a phone page origin (`publicUrl`). */
export const DESKTOP_ORIGIN = 'https://shop.example';
export const PHONE_ORIGIN = 'https://verify.example';

/** Handoff plus proxy as one Web handler; pass the Node `env` through for the client IP. */
export function handoffServer(
  store: LivenessEventStore,
  tokenSecret: string,
  options: Partial<HandoffOptions> = {},
): (request: Request, env?: unknown) => Promise<Response> {
  const handoff = createHandoff({
    store,
    tokenSecret,
    publicUrl: PHONE_ORIGIN,
    allowedOrigins: [DESKTOP_ORIGIN],
    rateLimit: {},
    ...options,
  });
  const sandbox = createSandbox();
  const proxy = createLivenessProxy({
    apiKey: 'sandbox-key',
    tokenSecret,
    upstreamUrl: 'http://sandbox.invalid/v2/api/id-liveness',
    fetch: async (input, init) => sandbox.fetch(new Request(input, init)),
    forwardSandboxHeaders: true,
    allowedOrigins: [DESKTOP_ORIGIN, PHONE_ORIGIN],
    store,
    onAnswer: handoff.onAnswer,
  });
  return (request, env) => (handoff.handles(new URL(request.url).pathname) ? handoff.fetch(request, env) : proxy.fetch(request));
}
