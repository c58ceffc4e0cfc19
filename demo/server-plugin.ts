/**
 * Mounts the demo backend (token route, proxy, sandbox) into Vite's dev and preview servers,
 * so `npm start` gives the demo page a working API. Only the backend's own paths are taken.
 */
import { getRequestListener } from '@hono/node-server';
import type { Plugin, PreviewServer, ViteDevServer } from 'vite';
import { createDemoApp, isDemoApiPath } from './server/demo-app.ts';

export function livenessServerPlugin(): Plugin {
  const mount = (server: ViteDevServer | PreviewServer, phoneScript?: { src: string; module: boolean }) => {
    const demo = createDemoApp({ dev: true, log: (line) => server.config.logger.info(line), phoneScript });
    const listener = getRequestListener(demo.fetch);
    // Its Redis connections (REDIS_URL) end with the server.
    server.httpServer?.once('close', () => void demo.close());
    server.middlewares.use((req, res, next) => {
      if (isDemoApiPath(new URL(req.url ?? '/', 'http://vite').pathname)) void listener(req, res);
      else next();
    });
  };
  return {
    name: 'accura-liveness-server',
    // The dev server serves the source; preview serves the build, whose classic script the default phone page loads.
    configureServer: (server) => mount(server, { src: '/phone.ts', module: true }),
    configurePreviewServer: mount,
  };
}
