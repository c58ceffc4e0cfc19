// The test's front worker: /a/… goes to the snippet's worker, /b/… to its copy (another isolate).
import { createLivenessProxy, createMemoryStore } from 'accura-id-liveness/server';

interface Env {
  A: { fetch(request: Request): Promise<Response> };
  B: { fetch(request: Request): Promise<Response> };
}

// Made at module scope with no secrets, as a Next.js-style snippet would: Workers refuse a timer
// here, and there is no env yet. The worker must start; /module-scope/… then fails with a clear error.
const atModuleScope = createLivenessProxy({ apiKey: '', tokenSecret: '', store: createMemoryStore() });

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const [, which, ...rest] = url.pathname.split('/');
    url.pathname = `/${rest.join('/')}`;
    if (which === 'module-scope') return atModuleScope.fetch(new Request(url, request));
    const target = which === 'a' ? env.A : which === 'b' ? env.B : undefined;
    if (!target) return Promise.resolve(new Response('Not found', { status: 404 }));
    return target.fetch(new Request(url, request));
  },
};
