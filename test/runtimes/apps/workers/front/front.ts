// The test's front worker: /a/… goes to the snippet's worker, /b/… to its copy (another isolate).
interface Env {
  A: { fetch(request: Request): Promise<Response> };
  B: { fetch(request: Request): Promise<Response> };
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const [, which, ...rest] = url.pathname.split('/');
    const target = which === 'a' ? env.A : which === 'b' ? env.B : undefined;
    if (!target) return Promise.resolve(new Response('Not found', { status: 404 }));
    url.pathname = `/${rest.join('/')}`;
    return target.fetch(new Request(url, request));
  },
};
