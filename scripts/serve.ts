/**
 * Production entry: the built demo (dist-demo/) and the demo backend in one Node process.
 * PORT (default 8787), HOST (default 127.0.0.1); stalled requests time out; graceful stop on SIGTERM/SIGINT.
 * Checks (POST /api/id-liveness) take the proxy's Node fast path; everything else goes through Hono.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { createDemoApp, isDemoApiPath } from '../demo/server/demo-app.ts';

const distDir = fileURLToPath(new URL('../dist-demo/', import.meta.url));
const port = Number(process.env.PORT ?? 8787);
const hostname = process.env.HOST ?? '127.0.0.1';
const built = existsSync(distDir);
const demo = createDemoApp();

const site = new Hono();
// The pages' policy, and the worker script's: the worker compiles the card finder's 1.3 KB WebAssembly module, which
// needs 'wasm-unsafe-eval' in the policy its own script comes with (a worker's CSP is its script's, not the page's).
// The pages keep the strict one. Without it the worker runs the same network in JavaScript, about 3× slower.
const workerPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'";
site.use('*', async (c, next) => {
  await next();
  if (c.req.path.endsWith('.worker.js')) c.header('Content-Security-Policy', workerPolicy);
});
site.use(
  '*',
  secureHeaders({
    // The widget needs no inline script or style; images come from the camera as blob: or data: URLs.
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'blob:', 'data:'],
      workerSrc: ["'self'"],
      connectSrc: ["'self'"],
    },
  }),
);
site.all('*', async (c, next) => (isDemoApiPath(c.req.path) ? demo.fetch(c.req.raw, c.env) : next()));
if (built) site.use('*', serveStatic({ root: distDir }));
site.notFound((c) => (built ? c.text('Not found', 404) : c.text('The demo is not built: run `npm run build`, then `npm run serve`.', 503)));

if (!built) console.warn(`[accura-id-liveness] ${distDir} is missing: run \`npm run build\` first (the API still answers)`);
// Node's defaults hold a stalled upload for up to 5 min (checked every 30 s). 60 s still lets a
// 1 MB image through at ~140 kbit/s; headers get 15 s. Slow-loris test: test/server/attacks.test.ts.
const serverOptions = { requestTimeout: 60_000, headersTimeout: 15_000, connectionsCheckingInterval: 5_000 };
const siteListener = getRequestListener(site.fetch);
const server = http.createServer(serverOptions, (request, response) =>
  request.method === 'POST' && request.url?.split('?')[0] === '/api/id-liveness'
    ? demo.proxyNode(request, response)
    : siteListener(request, response),
);
server.listen(port, hostname, () => {
  console.info(`[accura-id-liveness] listening on http://${hostname}:${(server.address() as { port: number }).port}`);
});

function stop(signal: string) {
  console.info(`[accura-id-liveness] ${signal}: finishing in-flight requests`);
  // close() stops accepting, drops idle keep-alive sockets and waits for the busy ones.
  server.close(() => void demo.close().finally(() => process.exit(0)));
  setTimeout(() => {
    console.error('[accura-id-liveness] requests still running after 10 s; closing them');
    server.closeAllConnections();
    process.exit(1);
  }, 10_000).unref();
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
